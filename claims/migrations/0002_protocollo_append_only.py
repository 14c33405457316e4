"""The protocol register is append-only in the database too (DPR 445/2000 art. 57: a number is never
changed nor reused), so that a bug, an admin action or a hand-written UPDATE cannot rewrite history:

- a registration can be inserted, never updated or deleted;
- a domanda's protocol number, once set, is never changed (nor cleared), and a registered domanda
  is never deleted (consuntivi/0004 does the same for consuntivi).

Plus the indexes the outbox sweep and the daily register read. PostgreSQL only: the embedded default
(SQLite) is for development and has neither.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION claims_protocollo_immutabile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'Il registro di protocollo non si modifica né si cancella (DPR 445/2000 art. 57): % rifiutato',
        TG_OP
        USING HINT = 'Una registrazione errata si annulla con una nuova registrazione, non modificandola.';
END;
$$;

CREATE TRIGGER claims_registrazioneprotocollo_immutabile
    BEFORE UPDATE OR DELETE ON claims_registrazioneprotocollo
    FOR EACH ROW EXECUTE FUNCTION claims_protocollo_immutabile();

CREATE OR REPLACE FUNCTION claims_documento_protocollato_immutabile() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'Il documento %.% è protocollato: il suo numero di protocollo non si cambia e il documento non si cancella (%)',
        TG_TABLE_NAME, OLD.id, TG_OP;
END;
$$;

CREATE TRIGGER claims_domanda_registrazione_immutabile
    BEFORE UPDATE OF registrazione_id ON claims_domanda
    FOR EACH ROW
    WHEN (OLD.registrazione_id IS NOT NULL AND NEW.registrazione_id IS DISTINCT FROM OLD.registrazione_id)
    EXECUTE FUNCTION claims_documento_protocollato_immutabile();

CREATE TRIGGER claims_domanda_protocollata_non_si_cancella
    BEFORE DELETE ON claims_domanda
    FOR EACH ROW WHEN (OLD.registrazione_id IS NOT NULL)
    EXECUTE FUNCTION claims_documento_protocollato_immutabile();

-- The outbox: submitted documents still waiting for their number (a handful among millions).
CREATE INDEX IF NOT EXISTS claims_domanda_in_attesa_di_protocollo
    ON claims_domanda (presentata_il) WHERE registrazione_id IS NULL AND presentata_il IS NOT NULL;
-- The daily register and the sweep of missing receipts read registrations by time.
CREATE INDEX IF NOT EXISTS claims_registrazioneprotocollo_registrata_il
    ON claims_registrazioneprotocollo (registrata_il);
"""

BACKWARD = """
DROP INDEX IF EXISTS claims_registrazioneprotocollo_registrata_il;
DROP INDEX IF EXISTS claims_domanda_in_attesa_di_protocollo;
DROP TRIGGER IF EXISTS claims_domanda_protocollata_non_si_cancella ON claims_domanda;
DROP TRIGGER IF EXISTS claims_domanda_registrazione_immutabile ON claims_domanda;
DROP FUNCTION IF EXISTS claims_documento_protocollato_immutabile();
DROP TRIGGER IF EXISTS claims_registrazioneprotocollo_immutabile ON claims_registrazioneprotocollo;
DROP FUNCTION IF EXISTS claims_protocollo_immutabile();
"""


def _postgresql_only(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # No parameters: the PL/pgSQL bodies contain "%" placeholders of RAISE.
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_initial"),
    ]

    operations = [migrations.RunPython(_postgresql_only(FORWARD), _postgresql_only(BACKWARD))]
