"""Accesses of the backoffice to personal data: a row per worker list opened, document downloaded or
export taken (who, when, what, why, never the values), append-only, read by the superuser only."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.db import DatabaseError, transaction
from django.urls import reverse

from claims.constants import StatoDomanda
from consuntivi.models import Consuntivo
from core.models import AccessoDatiPersonali
from core.services import accesso_dati_registra
from tests.anagrafica.factories import UserFactory
from tests.claims.factories import domanda_con_lavoratori

pytestmark = pytest.mark.django_db

Azione = AccessoDatiPersonali.Azione


@pytest.fixture
def domanda():
    return domanda_con_lavoratori(StatoDomanda.PRESENTATA, lavoratori=2)


def the_only_access() -> AccessoDatiPersonali:
    (accesso,) = AccessoDatiPersonali.objects.all()
    return accesso


def assert_no_values(accesso: AccessoDatiPersonali, domanda) -> None:
    riga = " ".join(str(v) for v in vars(accesso).values())
    for lavoratore in domanda.lavoratori.all():
        assert lavoratore.codice_fiscale not in riga
        assert lavoratore.cognome not in riga


def test_opening_a_domanda_in_the_backoffice_records_who_what_and_why(officer_client, funzionario, domanda):
    response = officer_client.get(reverse("admin:claims_domanda_change", args=[domanda.pk]))

    assert response.status_code == 200
    accesso = the_only_access()
    assert accesso.actor == funzionario
    assert accesso.azione == Azione.ELENCO
    assert (accesso.oggetto_tipo, accesso.oggetto_id) == ("claims.domanda", str(domanda.pk))
    assert accesso.descrizione == f"lavoratori della domanda {domanda.pk}"
    assert accesso.motivo == "istruttoria della domanda"
    assert accesso.created_at is not None
    assert_no_values(accesso, domanda)


def test_an_officer_downloading_the_union_agreement_is_recorded_the_company_is_not(
    client, officer_client, funzionario, domanda
):
    url = reverse("claims:domanda_accordo", args=[domanda.pk])
    company = client.__class__()
    company.force_login(domanda.creata_da)

    assert company.get(url).status_code == 200
    assert not AccessoDatiPersonali.objects.exists()

    assert officer_client.get(url).status_code == 200
    accesso = the_only_access()
    assert (accesso.actor, accesso.azione) == (funzionario, Azione.DOCUMENTO)
    assert accesso.descrizione == f"accordo sindacale della domanda {domanda.pk}"


def test_the_queue_export_records_how_many_domande_it_held(officer_client, funzionario, domanda):
    domanda_con_lavoratori(StatoDomanda.PRESENTATA, lavoratori=1)
    url = reverse("admin:claims_domanda_export")

    response = officer_client.post(
        url,
        {"format": 0, "resource": 0, "domandaresource_protocollo": True, "domandaresource_lavoratori": True},
    )

    assert response.status_code == 200
    assert len(list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))) == 2
    accesso = the_only_access()
    assert (accesso.actor, accesso.azione, accesso.quanti) == (funzionario, Azione.ESPORTAZIONE, 2)
    assert accesso.motivo == "esportazione della coda di istruttoria"


def test_the_sr41_export_of_the_region_is_recorded(officer_client, funzionario):
    response = officer_client.get(reverse("consuntivi:sr41_regione"), {"mese": "2026-03"})

    assert response.status_code == 200
    accesso = the_only_access()
    assert (accesso.azione, accesso.quanti) == (Azione.ESPORTAZIONE, Consuntivo.objects.count())
    assert accesso.descrizione == "dati SR41 di 03/2026"


def test_the_record_is_append_only_in_the_database(funzionario, domanda):
    accesso = accesso_dati_registra(
        actor=funzionario,
        azione=Azione.ELENCO,
        descrizione="lavoratori",
        motivo="istruttoria",
        oggetto=domanda,
    )

    with pytest.raises(DatabaseError, match="sola aggiunta"), transaction.atomic():
        AccessoDatiPersonali.objects.filter(pk=accesso.pk).update(motivo="nessuno")
    with pytest.raises(DatabaseError, match="sola aggiunta"), transaction.atomic():
        AccessoDatiPersonali.objects.filter(pk=accesso.pk).delete()
    assert AccessoDatiPersonali.objects.get(pk=accesso.pk).motivo == "istruttoria"


def test_only_the_superuser_reads_the_record_and_nobody_changes_it(client, funzionario, domanda):
    accesso = accesso_dati_registra(
        actor=funzionario, azione=Azione.ELENCO, descrizione="lavoratori della domanda", motivo="istruttoria"
    )
    lista = reverse("admin:core_accessodatipersonali_changelist")
    dettaglio = reverse("admin:core_accessodatipersonali_change", args=[accesso.pk])
    cancella = reverse("admin:core_accessodatipersonali_delete", args=[accesso.pk])

    client.force_login(funzionario)
    assert client.get(lista).status_code == 403
    assert client.get(dettaglio).status_code == 403

    client.force_login(UserFactory(username="dpo", is_staff=True, is_superuser=True, codice_fiscale=None))
    page = client.get(lista)
    assert page.status_code == 200
    assert "lavoratori della domanda" in page.content.decode()
    assert client.get(dettaglio).status_code == 200
    assert client.post(cancella, {"post": "yes"}).status_code == 403
    assert client.post(dettaglio, {"motivo": "cambiato"}).status_code == 403
    assert AccessoDatiPersonali.objects.get(pk=accesso.pk).motivo == "istruttoria"


def test_lists_mask_the_codici_fiscali_of_people_the_detail_shows_them(officer_client, funzionario, domanda):
    funzionario.user_permissions.add(*Permission.objects.filter(content_type__app_label="anagrafica"))
    azienda = domanda.azienda
    persona = domanda.creata_da  # signed in with SPID: username and codice fiscale are the same
    cf = azienda.lr_codice_fiscale
    masked = f"{cf[:3]}{'*' * 10}{cf[-3:]}"

    for lista in ("admin:anagrafica_azienda_changelist", "admin:anagrafica_user_changelist"):
        page = officer_client.get(reverse(lista)).content.decode()
        assert masked in page, lista
        assert cf not in page, lista
        assert azienda.codice_fiscale in page or lista.endswith("user_changelist")  # a company's is public

    dettaglio = officer_client.get(
        reverse("admin:anagrafica_user_change", args=[persona.pk])
    ).content.decode()
    assert cf in dettaglio
