"""Six indexes of claims_domanda that others already cover (each column leads a composite index of
Meta), dropped without locking the table: every index is one more write on each change of a domanda,
and the registration's link of a domanda to its number paid for all twenty (issue 19). Measured on
1,000,000 domande, every list and search page of `bench/liste.py` answered as fast without them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from core.db import drop_indexes_concurrently


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("anagrafica", "0006_indici_ricerca"),
        ("claims", "0016_documento_oggetto_impronta"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(
                    model_name="domanda",
                    name="claims_doma_sede_id_076db4_idx",
                ),
                migrations.AlterField(
                    model_name="domanda",
                    name="assegnata_a",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="domande_in_carico",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="in carico a",
                    ),
                ),
                migrations.AlterField(
                    model_name="domanda",
                    name="azienda",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="domande",
                        to="anagrafica.azienda",
                    ),
                ),
                migrations.AlterField(
                    model_name="domanda",
                    name="sede",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="domande",
                        to="anagrafica.sede",
                    ),
                ),
                migrations.AlterField(
                    model_name="domanda",
                    name="stato",
                    field=models.CharField(
                        choices=[
                            ("BOZZA", "BOZZA"),
                            ("PRESENTATA", "PRESENTATA"),
                            ("IN_ISTRUTTORIA", "IN ISTRUTTORIA"),
                            ("DA_RETTIFICARE", "VERIFICATA - DA RETTIFICARE"),
                            ("AMMISSIBILE", "VERIFICATA - AMMISSIBILE"),
                            ("AUTORIZZATA", "AUTORIZZATA"),
                            ("TRASMESSA_INPS", "TRASMESSA INPS"),
                            ("ACCOLTA_INPS", "ACCOLTA INPS"),
                            ("ANOMALIA_INPS", "ANOMALIA INPS"),
                            ("NON_AMMISSIBILE", "NON AMMISSIBILE"),
                            ("ANNULLATA", "ANNULLATA"),
                            ("RETTIFICATA", "RETTIFICATA"),
                            ("ELIMINATA", "BOZZA ELIMINATA"),
                        ],
                        default="BOZZA",
                        max_length=20,
                        verbose_name="stato",
                    ),
                ),
            ],
            database_operations=[
                drop_indexes_concurrently(
                    "claims_doma_sede_id_076db4_idx",  # (sede, stato): domanda_sede_misura serves it
                    "claims_domanda_assegnata_a_id_1fdf05a7",  # domanda_in_carico starts with it
                    "claims_domanda_azienda_id_092bbc48",  # domanda_azienda_recenti and _stato
                    "claims_domanda_sede_id_daa5c70b",  # domanda_sede_misura
                    "claims_domanda_stato_7532a83b",  # domanda_coda
                    "claims_domanda_stato_7532a83b_like",  # PostgreSQL's LIKE twin of the one above
                ),
            ],
        ),
    ]
