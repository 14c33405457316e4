"""The register and its receipts move here from `claims`, keeping their tables and rows.

The tables keep their names (`db_table`). On a database made before the move they exist already and
nothing is done; on a new one, this migration or `claims/0001`, whichever runs first, creates them
(`CreateModelIfMissing`), so that neither app's migrations depend on the other's. The documents'
foreign keys follow in `claims/0005` and `consuntivi/0004`.
"""

import django.db.models.deletion
from django.db import migrations, models

from core.db import CreateModelIfMissing


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        CreateModelIfMissing(
            also_created_by=("claims", "0001_initial"),
            name="RegistrazioneProtocollo",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("anno", models.PositiveSmallIntegerField(verbose_name="anno")),
                ("numero", models.PositiveIntegerField(verbose_name="numero")),
                ("registrata_il", models.DateTimeField(verbose_name="registrata il")),
                ("tipo_documento", models.CharField(max_length=12, verbose_name="tipo di documento")),
                ("oggetto", models.CharField(max_length=300, verbose_name="oggetto")),
                ("impronta", models.CharField(max_length=64, verbose_name="impronta SHA-256 dei dati")),
                (
                    "codice_verifica",
                    models.CharField(max_length=20, unique=True, verbose_name="codice di verifica"),
                ),
            ],
            options={
                "verbose_name": "registrazione di protocollo",
                "verbose_name_plural": "registro di protocollo",
                "db_table": "claims_registrazioneprotocollo",
                "ordering": ["-anno", "-numero"],
                "constraints": [
                    models.UniqueConstraint(fields=("anno", "numero"), name="protocollo_unico_per_anno")
                ],
            },
        ),
        CreateModelIfMissing(
            also_created_by=("claims", "0001_initial"),
            name="Ricevuta",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("pdf", models.FileField(upload_to="ricevute/%Y/", verbose_name="PDF")),
                ("sha256", models.CharField(max_length=64, verbose_name="SHA-256")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="generata il")),
                (
                    "inviata_il",
                    models.DateTimeField(blank=True, null=True, verbose_name="inviata al referente il"),
                ),
                (
                    "registrazione",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ricevuta",
                        to="protocollo.registrazioneprotocollo",
                    ),
                ),
            ],
            options={
                "verbose_name": "ricevuta",
                "verbose_name_plural": "ricevute",
                "db_table": "claims_ricevuta",
            },
        ),
    ]
