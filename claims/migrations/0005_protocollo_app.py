"""The register moved to the `protocollo` app (see protocollo/0001): the domanda's foreign key now
names it, and the old models leave this app's state. No table or row changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0004_autodichiarazione_piccole_imprese"),
        ("protocollo", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="domanda",
                    name="registrazione",
                    field=models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="%(class)s",
                        to="protocollo.registrazioneprotocollo",
                    ),
                ),
                migrations.DeleteModel(name="Ricevuta"),
                migrations.DeleteModel(name="RegistrazioneProtocollo"),
            ],
            database_operations=[],
        ),
    ]
