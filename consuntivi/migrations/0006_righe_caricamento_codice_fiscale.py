"""Staged upload lines keep the codice fiscale as written instead of the worker: the workers are
found by one statement over all the lines when the file is checked, and again on confirmation.
Lines already staged (uploads waiting for confirmation) get their worker's codice fiscale. The
staged lines lose the index on their upload alone, which (caricamento, riga) already serves."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0015_indici_elenchi"),
        ("consuntivi", "0005_caricamenti_conferma_e_limiti"),
    ]

    operations = [
        migrations.AddField(
            model_name="rigacaricamento",
            name="codice_fiscale",
            field=models.CharField(default="", max_length=16, verbose_name="codice fiscale"),
            preserve_default=False,
        ),
        migrations.RunSQL(
            # A correlated subquery rather than UPDATE … FROM: SQLite (the embedded `make run`) has none.
            "UPDATE consuntivi_rigacaricamento SET codice_fiscale = (SELECT l.codice_fiscale "
            "FROM claims_lavoratore l WHERE l.id = consuntivi_rigacaricamento.lavoratore_id)",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.RemoveField(model_name="rigacaricamento", name="lavoratore"),
        migrations.AlterField(
            model_name="rigacaricamento",
            name="caricamento",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="righe",
                to="consuntivi.caricamentoconsuntivo",
            ),
        ),
    ]
