"""The record of accesses to personal data is append-only in the database, like the protocol register:
a row is never changed nor deleted, and TRUNCATE passes only where the session says
`SET aminder.svuotamento_consentito = 'on'` (the test suite; nothing in the app does)."""

from django.db import migrations

from core.db import postgresql_only

FORWARD = """
CREATE OR REPLACE FUNCTION core_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('aminder.svuotamento_consentito', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'La tabella % è in sola aggiunta: % rifiutato', TG_TABLE_NAME, TG_OP
        USING HINT = 'Il registro degli accessi ai dati personali non si modifica né si cancella.';
END;
$$;

DROP TRIGGER IF EXISTS core_accessodatipersonali_append_only ON core_accessodatipersonali;
CREATE TRIGGER core_accessodatipersonali_append_only
    BEFORE UPDATE OR DELETE ON core_accessodatipersonali
    FOR EACH ROW EXECUTE FUNCTION core_append_only();

DROP TRIGGER IF EXISTS core_accessodatipersonali_no_truncate ON core_accessodatipersonali;
CREATE TRIGGER core_accessodatipersonali_no_truncate
    BEFORE TRUNCATE ON core_accessodatipersonali
    FOR EACH STATEMENT EXECUTE FUNCTION core_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS core_accessodatipersonali_no_truncate ON core_accessodatipersonali;
DROP TRIGGER IF EXISTS core_accessodatipersonali_append_only ON core_accessodatipersonali;
DROP FUNCTION IF EXISTS core_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("core", "0002_accesso_dati_personali")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
