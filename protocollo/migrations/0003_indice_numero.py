# A protocol number searched without its year (issue 19), indexed without locking the register.
from django.db import migrations, models

from core.db import AddIndexConcurrently


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("protocollo", "0002_append_only")]

    operations = [
        AddIndexConcurrently(
            model_name="registrazioneprotocollo",
            index=models.Index(fields=["numero"], name="protocollo_numero"),
        ),
    ]
