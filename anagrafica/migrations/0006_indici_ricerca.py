# The officers' search (issue 19): a P.IVA on its index, part of a company's name by trigrams
# (pg_trgm). Built with CREATE INDEX CONCURRENTLY, the table stays writable meanwhile.
import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from core.db import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("anagrafica", "0005_accesso_negato")]

    operations = [
        TrigramExtension(),  # nothing on SQLite
        AddIndexConcurrently(
            model_name="azienda",
            index=models.Index(fields=["partita_iva"], name="azienda_partita_iva"),
        ),
        AddIndexConcurrently(
            model_name="azienda",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("ragione_sociale"), name="gin_trgm_ops"
                ),
                name="azienda_ragione_sociale_trgm",
            ),
        ),
    ]
