"""The 2020 Piemonte measure and its submission windows, as published (DOMAIN.md, "The measure of 2020
in Piemonte"): data an officer can change in the backoffice, shipped so a fresh install knows 2020."""

import datetime as dt

from django.db import migrations

CODICE = "cigd-piemonte-2020"

FINESTRE = (
    # Accordo quadro of 26 March 2020: periods from 23 February, submission until the end of August.
    ("Prime nove settimane", dt.date(2020, 3, 27), dt.date(2020, 8, 31), dt.date(2020, 2, 23), dt.date(2020, 8, 31)),
    # "Dal 1 settembre … solamente per il periodo di utilizzo … nel mese di agosto … prorogata al 31 ottobre
    # 2020"; from 1 November no window, hence no new domande.
    ("Solo agosto", dt.date(2020, 9, 1), dt.date(2020, 10, 31), dt.date(2020, 8, 1), dt.date(2020, 8, 31)),
)


def crea(apps, schema_editor):
    Misura = apps.get_model("claims", "Misura")
    FinestraPresentazione = apps.get_model("claims", "FinestraPresentazione")
    misura, created = Misura.objects.get_or_create(
        codice=CODICE,
        defaults={
            "nome": "CIGD COVID-19 Piemonte 2020",
            "base_giuridica": "DL 18/2020 art. 22; Accordo quadro regionale del 26 marzo 2020",
            "periodo_dal": dt.date(2020, 2, 23),
            "periodo_al": dt.date(2020, 8, 31),
            "max_settimane_per_sede": 9,
            "max_settimane_prima_domanda": 5,
            "min_giorni_prima_domanda": 5,
            "data_assunzione_entro": dt.date(2020, 2, 23),
            "dipendenti_senza_accordo": 5,
        },
    )
    if not created:
        return
    for nome, presentazione_dal, presentazione_al, periodo_dal, periodo_al in FINESTRE:
        FinestraPresentazione.objects.create(
            misura=misura,
            nome=nome,
            presentazione_dal=presentazione_dal,
            presentazione_al=presentazione_al,
            periodo_dal=periodo_dal,
            periodo_al=periodo_al,
        )


def togli(apps, schema_editor):
    Misura = apps.get_model("claims", "Misura")
    misura = Misura.objects.filter(codice=CODICE, domande__isnull=True).first()
    if misura is not None:
        misura.finestre.all().delete()
        misura.delete()


class Migration(migrations.Migration):
    dependencies = [("claims", "0007_misura_prima_domanda")]

    operations = [migrations.RunPython(crea, togli)]
