# The indexes of the company-side and API lists and of the officers' unfiltered queue (issue 19),
# built with CREATE INDEX CONCURRENTLY: the table stays writable while they build (see the README for
# how long they take at a million domande).
from django.db import migrations, models

from core.db import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("claims", "0014_retenzione_anonimizzazione")]

    operations = [
        AddIndexConcurrently(
            model_name="domanda",
            index=models.Index(fields=["azienda", "-created_at", "-id"], name="domanda_azienda_recenti"),
        ),
        AddIndexConcurrently(
            model_name="domanda",
            index=models.Index(
                fields=["azienda", "stato", "-created_at", "-id"], name="domanda_azienda_stato"
            ),
        ),
        AddIndexConcurrently(
            model_name="domanda",
            index=models.Index(fields=["sede", "misura", "presentata_il"], name="domanda_sede_misura"),
        ),
        AddIndexConcurrently(
            model_name="domanda",
            index=models.Index(
                condition=models.Q(("stato", "BOZZA"), _negated=True),
                fields=["presentata_il", "id"],
                name="domanda_coda_presentate",
            ),
        ),
    ]
