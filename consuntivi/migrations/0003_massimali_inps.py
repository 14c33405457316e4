from decimal import Decimal

from django.db import migrations

# Caps NET of the 5.84% employee contribution, as published (see consuntivi.models.Massimale).
MASSIMALI = [
    # FIS seed / circolare INPS 14 marzo 2016 n. 48
    (2016, Decimal("2102.24"), Decimal("914.96"), Decimal("1099.70"), "circolare INPS n. 48/2016"),
    # circolare INPS n. 20/2020 (gross 998,18 and 1.199,72 euro)
    (2020, Decimal("2159.48"), Decimal("939.89"), Decimal("1129.66"), "circolare INPS n. 20/2020"),
]


def seed(apps, schema_editor):
    Massimale = apps.get_model("consuntivi", "Massimale")
    for anno, soglia, sotto, sopra, fonte in MASSIMALI:
        Massimale.objects.get_or_create(
            anno=anno,
            defaults={
                "soglia_retribuzione": soglia,
                "importo_sotto": sotto,
                "importo_sopra": sopra,
                "riduzione_percentuale": Decimal("5.84"),
                "fonte": fonte,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("consuntivi", "0002_caricamenti_massimali_risorse")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
