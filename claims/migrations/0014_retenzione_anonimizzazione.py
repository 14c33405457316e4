"""Retention (GDPR art. 5(1)(e), storage limitation): the history and the submission snapshot stay
append-only, with one narrow exception for the retention service (`claims/services/retenzione.py`).

Inside a transaction that said `SELECT set_config('aminder.anonimizzazione_consentita', 'on', true)`
(local to that transaction, so it cannot leak through a pooled connection):

- an `EventoDomanda` row may have its `note` and `dati` rewritten; who, when, from and to never
  change;
- an `EventoDomanda` row of a draft never submitted nor registered may be deleted (with its draft);
- a domanda's `dati_presentati` may be rewritten (its personal data replaced).

Everything else is refused as before, with or without the setting: the register and the receipts
(protocollo/0002) are not touched by this migration, a registered domanda is never deleted.
"""

from django.db import migrations, models

from core.db import postgresql_only

FORWARD = """
CREATE OR REPLACE FUNCTION claims_eventodomanda_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('aminder.anonimizzazione_consentita', true) = 'on' THEN
        IF TG_OP = 'UPDATE'
           AND NEW.id = OLD.id AND NEW.domanda_id = OLD.domanda_id
           AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
           AND NEW.da = OLD.da AND NEW.a = OLD.a AND NEW.created_at = OLD.created_at THEN
            RETURN NEW;
        END IF;
        IF TG_OP = 'DELETE' AND EXISTS (
            SELECT 1 FROM claims_domanda d
            WHERE d.id = OLD.domanda_id AND d.stato IN ('BOZZA', 'ELIMINATA')
              AND d.registrazione_id IS NULL AND d.presentata_il IS NULL) THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'La tabella % è in sola aggiunta: % rifiutato', TG_TABLE_NAME, TG_OP
        USING HINT = 'Il registro di protocollo, le ricevute e lo storico non si modificano né si cancellano.';
END;
$$;

DROP TRIGGER IF EXISTS claims_eventodomanda_append_only ON claims_eventodomanda;
CREATE TRIGGER claims_eventodomanda_append_only
    BEFORE UPDATE OR DELETE ON claims_eventodomanda
    FOR EACH ROW EXECUTE FUNCTION claims_eventodomanda_append_only();

CREATE OR REPLACE FUNCTION claims_dati_presentati_immutabili() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('aminder.anonimizzazione_consentita', true) = 'on' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'La tabella % è in sola aggiunta: % rifiutato', TG_TABLE_NAME, TG_OP
        USING HINT = 'Il registro di protocollo, le ricevute e lo storico non si modificano né si cancellano.';
END;
$$;

DROP TRIGGER IF EXISTS claims_domanda_dati_presentati_immutabili ON claims_domanda;
CREATE TRIGGER claims_domanda_dati_presentati_immutabili
    BEFORE UPDATE OF dati_presentati ON claims_domanda
    FOR EACH ROW
    WHEN (OLD.dati_presentati IS NOT NULL AND NEW.dati_presentati IS DISTINCT FROM OLD.dati_presentati)
    EXECUTE FUNCTION claims_dati_presentati_immutabili();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS claims_domanda_dati_presentati_immutabili ON claims_domanda;
CREATE TRIGGER claims_domanda_dati_presentati_immutabili
    BEFORE UPDATE OF dati_presentati ON claims_domanda
    FOR EACH ROW
    WHEN (OLD.dati_presentati IS NOT NULL AND NEW.dati_presentati IS DISTINCT FROM OLD.dati_presentati)
    EXECUTE FUNCTION protocollo_append_only();
DROP FUNCTION IF EXISTS claims_dati_presentati_immutabili();

DROP TRIGGER IF EXISTS claims_eventodomanda_append_only ON claims_eventodomanda;
CREATE TRIGGER claims_eventodomanda_append_only
    BEFORE UPDATE OR DELETE ON claims_eventodomanda
    FOR EACH ROW EXECUTE FUNCTION protocollo_append_only();
DROP FUNCTION IF EXISTS claims_eventodomanda_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0013_domanda_bozza_eliminata"),
    ]

    operations = [
        migrations.AddField(
            model_name="domanda",
            name="anonimizzata_il",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="Decorsi i termini di conservazione (claims/services/retenzione.py).",
                null=True,
                verbose_name="dati personali rimossi il",
            ),
        ),
        postgresql_only(FORWARD, BACKWARD),
    ]
