from django.db import migrations


def load(apps, schema_editor):
    from anagrafica.reference import load_piemonte

    load_piemonte(
        apps.get_model("anagrafica", "Provincia"),
        apps.get_model("anagrafica", "Comune"),
        apps.get_model("anagrafica", "CentroImpiego"),
    )


class Migration(migrations.Migration):
    dependencies = [("anagrafica", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
