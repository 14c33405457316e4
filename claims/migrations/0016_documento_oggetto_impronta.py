"""The subject and the fingerprint the register will write, set when the document is submitted
(`protocollo.services.protocollo_prepare`): the registration then reads neither the document nor its
snapshot in Python (issue 19). Nullable, added without rewriting the table; documents submitted before
keep them empty and are prepared by the register itself."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0015_indici_elenchi"),
    ]

    operations = [
        migrations.AddField(
            model_name="domanda",
            name="impronta_dati",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=64,
                null=True,
                verbose_name="impronta SHA-256 dei dati trasmessi",
            ),
        ),
        migrations.AddField(
            model_name="domanda",
            name="oggetto_protocollo",
            field=models.CharField(
                blank=True, editable=False, max_length=300, null=True, verbose_name="oggetto di protocollo"
            ),
        ),
    ]
