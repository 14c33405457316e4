"""`protocollo_registra()`: number, write and link a registration in one call (issue 19).

The register's three writes (the year's counter, the registration, the document's link) were three
round trips from Python, each paying the trip and Django's work on both ends while the counter row,
which every other registration of the year waits for, stayed locked. As one PL/pgSQL call they are
one round trip, and the counter is held only for the time the server takes to write two rows.

What stays in Python (`protocollo.services._register`): the document's row lock and the checks on it
(already registered, submitted), the subject and the fingerprint (they depend on the document type),
and the check that the year did not turn while the call waited for the counter, made before the
commit so that the number is given back if it did.

- The counter is django-sequences' row `protocollo-<anno>` of `sequences_sequence`, updated with the
  same upsert `get_next_value()` runs: numbering taken before this migration continues.
- `registrata_il` is the caller's time, or the time of the previous number of the year if that is
  later (the caller read its clock before waiting for the counter): a higher number never carries an
  earlier time.
- The document table is a `regclass` (quoted by PostgreSQL, never spliced from text) whose rows have
  `id` and `registrazione_id` (`protocollo.models.DocumentoProtocollato`).
"""

from django.db import migrations

from core.db import postgresql_only

FORWARD = """
CREATE OR REPLACE FUNCTION protocollo_registra(
    documento_tabella regclass, documento_id bigint, anno_registro integer, adesso timestamptz,
    tipo text, oggetto_registro text, impronta_dati text, codice text,
    OUT registrazione_id bigint, OUT numero_registro integer, OUT registrata timestamptz
) LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO sequences_sequence AS s (name, last) VALUES ('protocollo-' || anno_registro, 1)
        ON CONFLICT (name) DO UPDATE SET last = s.last + 1
        RETURNING s.last INTO numero_registro;

    SELECT greatest(adesso, max(r.registrata_il)) INTO registrata
      FROM claims_registrazioneprotocollo r
     WHERE r.anno = anno_registro AND r.numero = numero_registro - 1;

    INSERT INTO claims_registrazioneprotocollo
           (anno, numero, registrata_il, tipo_documento, oggetto, impronta, codice_verifica)
    VALUES (anno_registro, numero_registro, registrata, tipo, oggetto_registro, impronta_dati, codice)
    RETURNING id INTO registrazione_id;

    EXECUTE format('UPDATE %s SET registrazione_id = $1 WHERE id = $2', documento_tabella)
      USING registrazione_id, documento_id;
END;
$$;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS protocollo_registra(regclass, bigint, integer, timestamptz, text, text, text, text);
"""


class Migration(migrations.Migration):
    dependencies = [("protocollo", "0003_indice_numero"), ("sequences", "0002_alter_sequence_last")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
