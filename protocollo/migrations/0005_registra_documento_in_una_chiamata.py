"""`protocollo_registra_documento()`: a whole registration as one autocommit statement (issue 19).

0004 made the counter, the registration and the link one call, but Python still opened a transaction,
locked and read the document through the ORM, computed the subject and re-hashed the snapshot: four
round trips and most of the time. The subject and the fingerprint are now computed when the document
is submitted (`protocollo.services.protocollo_prepare`, columns `oggetto_protocollo` and
`impronta_dati` of every document table), so this function does the rest alone:

1. links the document to a new registration id (from the register's id sequence) if it is not
   registered yet and carries a subject and a fingerprint, or was given them (`oggetto_calcolato`,
   `impronta_calcolata`). The UPDATE locks the row: a second worker with the same task waits, then
   finds nothing to link. It is also the heaviest write (every index of the document table), done
   before the counter is taken. The document's foreign key is checked at commit (Django's are
   DEFERRABLE INITIALLY DEFERRED), when the registration exists;
2. if nothing was linked, returns the existing registration ('esistente'), or 'da_preparare' for a
   document with neither subject nor fingerprint (submitted before these columns existed, or a
   draft: Python checks it, computes both and calls again in its own transaction), or 'assente';
3. takes the year's counter (django-sequences' row `protocollo-<anno>`, the upsert of
   `get_next_value()`, as 0004), held until the statement commits;
4. refuses (SQLSTATE AM001) if the caller's year ended while it waited: `adesso` is the caller's
   clock, read before the call, moved on by the time this statement has taken so far. The error rolls
   everything back, number and link, and Python retries with its clock read again;
5. inserts the registration, at `adesso` or at the time of the previous number of the year if that
   is later (a higher number never carries an earlier time) ('nuova').

Ids skipped by the sequence (a document already registered, a refused attempt) are of no concern:
the register's numbers are the counter's.
It returns the registration's columns, so Python builds the instance without reading it back.
0004's `protocollo_registra()` stays for workers still running the previous release during a
deployment; nothing else calls it.
"""

from django.db import migrations

from core.db import postgresql_only

FORWARD = """
CREATE OR REPLACE FUNCTION protocollo_registra_documento(
    documento_tabella regclass, documento_id bigint, anno_registro integer, adesso timestamptz,
    tipo text, codice text, oggetto_calcolato text DEFAULT NULL, impronta_calcolata text DEFAULT NULL,
    OUT esito text, OUT r_id bigint, OUT r_anno integer, OUT r_numero integer,
    OUT r_registrata_il timestamptz, OUT r_tipo_documento text, OUT r_oggetto text,
    OUT r_impronta text, OUT r_codice_verifica text
) LANGUAGE plpgsql AS $$
DECLARE
    righe integer;
    registrato bigint;
BEGIN
    -- Steps 1-5 of the migration's docstring.
    r_id := nextval('claims_registrazioneprotocollo_id_seq');
    EXECUTE format(
        'UPDATE %s SET registrazione_id = $1 WHERE id = $2 AND registrazione_id IS NULL'
        ' AND (impronta_dati IS NOT NULL OR $3 IS NOT NULL)'
        ' RETURNING coalesce(oggetto_protocollo, $4), coalesce(impronta_dati, $3)',
        documento_tabella
    ) INTO r_oggetto, r_impronta USING r_id, documento_id, impronta_calcolata, oggetto_calcolato;
    GET DIAGNOSTICS righe = ROW_COUNT;
    IF righe = 0 THEN  -- no such document, registered already, or neither prepared nor given
        EXECUTE format('SELECT registrazione_id FROM %s WHERE id = $1', documento_tabella)
           INTO registrato USING documento_id;
        GET DIAGNOSTICS righe = ROW_COUNT;
        r_id := registrato;
        IF righe = 0 THEN
            esito := 'assente';
        ELSIF registrato IS NULL THEN
            esito := 'da_preparare';
        ELSE
            SELECT r.anno, r.numero, r.registrata_il, r.tipo_documento, r.oggetto, r.impronta, r.codice_verifica
              INTO r_anno, r_numero, r_registrata_il, r_tipo_documento, r_oggetto, r_impronta, r_codice_verifica
              FROM claims_registrazioneprotocollo r
             WHERE r.id = registrato;
            esito := 'esistente';
        END IF;
        RETURN;
    END IF;

    INSERT INTO sequences_sequence AS s (name, last) VALUES ('protocollo-' || anno_registro, 1)
        ON CONFLICT (name) DO UPDATE SET last = s.last + 1
        RETURNING s.last INTO r_numero;

    IF extract(year FROM (adesso + (clock_timestamp() - statement_timestamp())) AT TIME ZONE 'Europe/Rome')
       <> anno_registro THEN
        RAISE EXCEPTION 'Il registro del % si è chiuso mentre la registrazione attendeva il contatore',
            anno_registro USING ERRCODE = 'AM001';
    END IF;

    SELECT greatest(adesso, max(r.registrata_il)) INTO r_registrata_il
      FROM claims_registrazioneprotocollo r
     WHERE r.anno = anno_registro AND r.numero = r_numero - 1;

    INSERT INTO claims_registrazioneprotocollo
           (id, anno, numero, registrata_il, tipo_documento, oggetto, impronta, codice_verifica)
    VALUES (r_id, anno_registro, r_numero, r_registrata_il, tipo, r_oggetto, r_impronta, codice);
    r_anno := anno_registro;
    r_tipo_documento := tipo;
    r_codice_verifica := codice;
    esito := 'nuova';
END;
$$;
"""

BACKWARD = """
DROP FUNCTION IF EXISTS protocollo_registra_documento(regclass, bigint, integer, timestamptz, text, text, text, text);
"""


class Migration(migrations.Migration):
    dependencies = [("protocollo", "0004_registra_in_una_chiamata")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
