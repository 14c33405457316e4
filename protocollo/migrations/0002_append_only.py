"""The register and the receipts are append-only in the database (DPR 445/2000 art. 57: a number is
never changed nor reused; a receipt is what its recipient received):

- the register refuses TRUNCATE too (UPDATE and DELETE are refused since claims/0002);
- a receipt's PDF, hash and registration never change, a receipt is never deleted nor truncated;
- `protocollo_documento_immutabile()`: the function each document app's triggers call to keep a
  registered document's number and the document itself.

TRUNCATE is let through only where the session says `SET aminder.svuotamento_consentito = 'on'`: the
test suite empties its tables that way between transactional tests; nothing in the app does.
"""

from django.db import migrations

from core.db import postgresql_only

FORWARD = """
CREATE OR REPLACE FUNCTION protocollo_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('aminder.svuotamento_consentito', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'La tabella % è in sola aggiunta: % rifiutato', TG_TABLE_NAME, TG_OP
        USING HINT = 'Il registro di protocollo, le ricevute e lo storico non si modificano né si cancellano.';
END;
$$;

CREATE OR REPLACE FUNCTION protocollo_documento_immutabile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'Il documento %.% è protocollato: il suo numero di protocollo non si cambia e il documento non si cancella (%)',
        TG_TABLE_NAME, OLD.id, TG_OP;
END;
$$;

DROP TRIGGER IF EXISTS claims_registrazioneprotocollo_no_truncate ON claims_registrazioneprotocollo;
CREATE TRIGGER claims_registrazioneprotocollo_no_truncate
    BEFORE TRUNCATE ON claims_registrazioneprotocollo
    FOR EACH STATEMENT EXECUTE FUNCTION protocollo_append_only();

DROP TRIGGER IF EXISTS claims_ricevuta_immutabile ON claims_ricevuta;
CREATE TRIGGER claims_ricevuta_immutabile
    BEFORE UPDATE ON claims_ricevuta
    FOR EACH ROW
    WHEN (OLD.pdf IS DISTINCT FROM NEW.pdf OR OLD.sha256 IS DISTINCT FROM NEW.sha256
          OR OLD.registrazione_id IS DISTINCT FROM NEW.registrazione_id)
    EXECUTE FUNCTION protocollo_append_only();

DROP TRIGGER IF EXISTS claims_ricevuta_non_si_cancella ON claims_ricevuta;
CREATE TRIGGER claims_ricevuta_non_si_cancella
    BEFORE DELETE ON claims_ricevuta
    FOR EACH ROW EXECUTE FUNCTION protocollo_append_only();

DROP TRIGGER IF EXISTS claims_ricevuta_no_truncate ON claims_ricevuta;
CREATE TRIGGER claims_ricevuta_no_truncate
    BEFORE TRUNCATE ON claims_ricevuta
    FOR EACH STATEMENT EXECUTE FUNCTION protocollo_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS claims_ricevuta_no_truncate ON claims_ricevuta;
DROP TRIGGER IF EXISTS claims_ricevuta_non_si_cancella ON claims_ricevuta;
DROP TRIGGER IF EXISTS claims_ricevuta_immutabile ON claims_ricevuta;
DROP TRIGGER IF EXISTS claims_registrazioneprotocollo_no_truncate ON claims_registrazioneprotocollo;
"""


class Migration(migrations.Migration):
    dependencies = [("protocollo", "0001_initial")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
