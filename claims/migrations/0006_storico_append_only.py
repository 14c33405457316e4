"""The history of a domanda and what was submitted are append-only in the database, like the register:

- an `EventoDomanda` row is never changed nor deleted (TRUNCATE only where the session allows it,
  see protocollo/0002);
- the submission snapshot (`dati_presentati`), once written, never changes: the receipt's fingerprint
  was computed from it. A rettifica is a new domanda with its own snapshot.
"""

from django.db import migrations

from core.db import postgresql_only

FORWARD = """
DROP TRIGGER IF EXISTS claims_eventodomanda_append_only ON claims_eventodomanda;
CREATE TRIGGER claims_eventodomanda_append_only
    BEFORE UPDATE OR DELETE ON claims_eventodomanda
    FOR EACH ROW EXECUTE FUNCTION protocollo_append_only();

DROP TRIGGER IF EXISTS claims_eventodomanda_no_truncate ON claims_eventodomanda;
CREATE TRIGGER claims_eventodomanda_no_truncate
    BEFORE TRUNCATE ON claims_eventodomanda
    FOR EACH STATEMENT EXECUTE FUNCTION protocollo_append_only();

DROP TRIGGER IF EXISTS claims_domanda_dati_presentati_immutabili ON claims_domanda;
CREATE TRIGGER claims_domanda_dati_presentati_immutabili
    BEFORE UPDATE OF dati_presentati ON claims_domanda
    FOR EACH ROW
    WHEN (OLD.dati_presentati IS NOT NULL AND NEW.dati_presentati IS DISTINCT FROM OLD.dati_presentati)
    EXECUTE FUNCTION protocollo_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS claims_domanda_dati_presentati_immutabili ON claims_domanda;
DROP TRIGGER IF EXISTS claims_eventodomanda_no_truncate ON claims_eventodomanda;
DROP TRIGGER IF EXISTS claims_eventodomanda_append_only ON claims_eventodomanda;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0005_protocollo_app"),
        ("protocollo", "0002_append_only"),
    ]

    operations = [postgresql_only(FORWARD, BACKWARD)]
