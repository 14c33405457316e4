"""Upload bombs against the consuntivi uploads (issue 15, item 1): each is refused with an Italian
message, quickly and with nothing saved, and one company cannot queue more than one file per domanda."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from consuntivi.constants import StatoCaricamento
from consuntivi.imports import MAX_RIGHE_FILE
from consuntivi.models import CaricamentoConsuntivo, Consuntivo, RigaCaricamento
from consuntivi.services import (
    MAX_ERRORI_SALVATI,
    MSG_UNO_IN_VERIFICA,
    caricamenti_sweep,
    caricamento_create,
    caricamento_process,
)
from core.spreadsheets import ESTRATTO_MAX_BYTES
from tests.bombe import estratto_mb, xlsx_con_righe_vuote

from .factories import APRILE, MARZO, domanda_consuntivabile

pytestmark = pytest.mark.django_db

HEADER = ["codice_fiscale", "cognome", "nome", "ore", "retribuzione_mensile"]


def test_an_xlsx_that_unzips_past_the_limit_is_refused_before_it_is_opened_or_stored(client):
    domanda = domanda_consuntivabile(lavoratori=1)
    bomba = xlsx_con_righe_vuote(HEADER, 20_000_000)
    assert len(bomba) < 400 * 1024 and estratto_mb(bomba) > ESTRATTO_MAX_BYTES / 2**20  # 175 KB → 114 MB
    client.force_login(domanda.creata_da)

    response = client.post(
        reverse("consuntivi:carica", args=[domanda.pk]),
        {"mese": "2026-04", "file": SimpleUploadedFile("bomba.xlsx", bomba)},
    )

    assert response.status_code == 200
    assert "Il file Excel, una volta decompresso, supera i 100 MB: non è stato salvato." in (
        response.content.decode()
    )
    assert not CaricamentoConsuntivo.objects.exists()


@pytest.mark.parametrize("formato", ["xlsx", "xlsx-salto", "csv"])
def test_blank_rows_count_toward_the_row_limit(formato):
    domanda = domanda_consuntivabile(lavoratori=1)
    cf = domanda.lavoratori.get().codice_fiscale
    vuote = MAX_RIGHE_FILE + 50_000
    if formato == "xlsx":
        content = xlsx_con_righe_vuote(HEADER, vuote, dopo=[[cf, "", "", "8", ""]])
    elif formato == "xlsx-salto":  # one row numbered 150,002: a reader fills the gap with blank rows
        content = xlsx_con_righe_vuote(HEADER, 0, salto=vuote, dopo=[[cf, "", "", "8", ""]])
        assert len(content) < 10_000
        formato = "xlsx"
    else:
        content = (";".join(HEADER) + "\n" + "\n" * vuote + f"{cf};;;8;\n").encode()
    caricamento = caricamento_create(
        actor=domanda.creata_da,
        domanda=domanda,
        mese=APRILE,
        file=SimpleUploadedFile(f"vuote.{formato}", content),
    )
    caricamento = caricamento_process(caricamento_id=caricamento.pk)

    assert caricamento.stato == StatoCaricamento.RIFIUTATO
    assert caricamento.errori[-1]["messaggio"] == (
        "Il file ha più di 100000 righe (contando anche quelle vuote): nulla è stato salvato."
    )
    assert caricamento.righe_validate <= MAX_RIGHE_FILE
    assert not RigaCaricamento.objects.exists()
    assert not Consuntivo.objects.exists()


def test_the_check_stops_after_a_bounded_number_of_errors(client):
    domanda = domanda_consuntivabile(lavoratori=1)
    righe = 30_000
    content = ("codice_fiscale;ore\n" + "NONESISTE;x\n" * righe).encode()  # two errors a line
    caricamento = caricamento_create(
        actor=domanda.creata_da, domanda=domanda, mese=APRILE, file=SimpleUploadedFile("errori.csv", content)
    )
    caricamento = caricamento_process(caricamento_id=caricamento.pk)

    assert caricamento.stato == StatoCaricamento.RIFIUTATO
    assert caricamento.errori_totali == len(caricamento.errori) == MAX_ERRORI_SALVATI + 1
    assert caricamento.errori[-1] == {
        "riga": None,
        "campo": "file",
        "messaggio": "Verifica interrotta dopo 1000 errori: correggere quelli indicati e caricare di nuovo "
        "il file.",
    }
    assert caricamento.righe_validate <= MAX_ERRORI_SALVATI  # it stopped reading
    assert not Consuntivo.objects.exists()

    client.force_login(domanda.creata_da)
    html = client.get(reverse("consuntivi:caricamento", args=[domanda.pk, caricamento.pk])).content.decode()
    assert html.count("<tr><td>") <= 500  # the page shows at most 500 of them
    assert "Verifica interrotta dopo 1000 errori" in client.get(
        reverse("consuntivi:caricamento_errori", args=[domanda.pk, caricamento.pk])
    ).getvalue().decode("utf-8-sig")


def test_one_upload_in_the_queue_per_domanda(client):
    domanda = domanda_consuntivabile(lavoratori=1)
    cf = domanda.lavoratori.get().codice_fiscale

    def file():
        return SimpleUploadedFile("c.csv", f"codice_fiscale;ore\n{cf};8\n".encode())

    caricamento_create(actor=domanda.creata_da, domanda=domanda, mese=APRILE, file=file())
    with pytest.raises(ValidationError) as exc:
        caricamento_create(actor=domanda.creata_da, domanda=domanda, mese=MARZO, file=file())
    assert exc.value.message_dict == {"file": [MSG_UNO_IN_VERIFICA]}

    client.force_login(domanda.creata_da)
    response = client.post(
        reverse("consuntivi:carica", args=[domanda.pk]), {"mese": "2026-03", "file": file()}
    )
    assert "Un altro file di questa domanda è in verifica" in response.content.decode()
    assert CaricamentoConsuntivo.objects.count() == 1

    # The database holds the rule too, whatever the code path.
    primo = CaricamentoConsuntivo.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        CaricamentoConsuntivo.objects.create(
            domanda=domanda,
            mese=MARZO,
            file=primo.file.name,
            nome_file="x.csv",
            formato="csv",
            caricato_da=domanda.creata_da,
        )

    # Once checked, the next file may come; a verified one not confirmed is set aside by it.
    caricamento_process(caricamento_id=primo.pk)
    assert CaricamentoConsuntivo.objects.get(pk=primo.pk).stato == StatoCaricamento.VERIFICATO
    secondo = caricamento_create(actor=domanda.creata_da, domanda=domanda, mese=APRILE, file=file())
    assert CaricamentoConsuntivo.objects.get(pk=primo.pk).stato == StatoCaricamento.ANNULLATO
    assert not RigaCaricamento.objects.filter(caricamento=primo).exists()
    assert secondo.stato == StatoCaricamento.IN_ATTESA


def test_a_verified_upload_never_confirmed_is_set_aside_after_a_week():
    domanda = domanda_consuntivabile(lavoratori=1)
    cf = domanda.lavoratori.get().codice_fiscale
    caricamento = caricamento_create(
        actor=domanda.creata_da,
        domanda=domanda,
        mese=APRILE,
        file=SimpleUploadedFile("c.csv", f"codice_fiscale;ore\n{cf};8\n".encode()),
    )
    caricamento_process(caricamento_id=caricamento.pk)
    assert RigaCaricamento.objects.filter(caricamento=caricamento).count() == 1

    caricamenti_sweep()
    assert CaricamentoConsuntivo.objects.get(pk=caricamento.pk).stato == StatoCaricamento.VERIFICATO

    otto_giorni_fa = timezone.now() - dt.timedelta(days=8)
    CaricamentoConsuntivo.objects.filter(pk=caricamento.pk).update(updated_at=otto_giorni_fa)
    caricamenti_sweep()
    assert CaricamentoConsuntivo.objects.get(pk=caricamento.pk).stato == StatoCaricamento.ANNULLATO
    assert not RigaCaricamento.objects.exists()
    assert not Consuntivo.objects.exists()
