"""The register moved to the `protocollo` app: the consuntivo's foreign key now names it (state only,
no table change). And the triggers that keep a registered consuntivo's number, which `claims/0002`
used to put on this app's table, now belong here (idempotent: same triggers, the generic function of
protocollo/0002).

`run_before`: this app must stop pointing at `claims.RegistrazioneProtocollo` before claims' state
forgets it; said here, so that `claims` never names this app.
"""

import django.db.models.deletion
from django.db import migrations, models

from core.db import postgresql_only

FORWARD = """
DROP TRIGGER IF EXISTS consuntivi_consuntivo_registrazione_immutabile ON consuntivi_consuntivo;
DROP TRIGGER IF EXISTS consuntivi_consuntivo_protocollato_non_si_cancella ON consuntivi_consuntivo;
CREATE TRIGGER consuntivi_consuntivo_registrazione_immutabile
    BEFORE UPDATE OF registrazione_id ON consuntivi_consuntivo
    FOR EACH ROW
    WHEN (OLD.registrazione_id IS NOT NULL AND NEW.registrazione_id IS DISTINCT FROM OLD.registrazione_id)
    EXECUTE FUNCTION protocollo_documento_immutabile();
CREATE TRIGGER consuntivi_consuntivo_protocollato_non_si_cancella
    BEFORE DELETE ON consuntivi_consuntivo
    FOR EACH ROW WHEN (OLD.registrazione_id IS NOT NULL)
    EXECUTE FUNCTION protocollo_documento_immutabile();
CREATE INDEX IF NOT EXISTS consuntivi_consuntivo_in_attesa_di_protocollo
    ON consuntivi_consuntivo (inviato_il) WHERE registrazione_id IS NULL;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS consuntivi_consuntivo_registrazione_immutabile ON consuntivi_consuntivo;
DROP TRIGGER IF EXISTS consuntivi_consuntivo_protocollato_non_si_cancella ON consuntivi_consuntivo;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("consuntivi", "0003_massimali_inps"),
        ("protocollo", "0002_append_only"),
    ]
    run_before = [("claims", "0005_protocollo_app")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="consuntivo",
                    name="registrazione",
                    field=models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="%(class)s",
                        to="protocollo.registrazioneprotocollo",
                    ),
                ),
            ],
            database_operations=[postgresql_only(FORWARD, BACKWARD)],
        ),
    ]
