"""Requests of modifica/annullamento: annullamento in every submitted state, a modifica never
cancels, an officer can send an authorised domanda back for a rettifica, and officers are told."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from claims.constants import EsitoRichiesta, StatoDomanda, TipoRichiesta
from claims.models import Domanda, RichiestaRegione
from claims.services.domande import domanda_rettifica, domanda_transition, richiesta_answer, richiesta_create
from claims.services.notifiche import richieste_digest
from core.exceptions import NotAllowed
from tests.anagrafica.factories import UserFactory
from tests.claims.factories import DomandaFactory

pytestmark = pytest.mark.django_db

INVIATE = ["presentata", "in_istruttoria", "da_rettificare", "ammissibile", "autorizzata"]


def chiedi(domanda: Domanda, tipo=TipoRichiesta.ANNULLAMENTO, motivo="Attività ripresa") -> RichiestaRegione:
    return richiesta_create(actor=domanda.creata_da, domanda=domanda, tipo=tipo, motivo=motivo)


@pytest.mark.parametrize("stato", INVIATE)
def test_annullamento_can_be_asked_and_granted_in_every_submitted_state(funzionario, stato):
    domanda = DomandaFactory(**{stato: True})
    richiesta = chiedi(domanda)
    richiesta_answer(
        actor=funzionario, richiesta=richiesta, esito=EsitoRichiesta.ACCOLTA, risposta="Annullata."
    )
    domanda.refresh_from_db()
    assert domanda.stato == StatoDomanda.ANNULLATA
    assert domanda.eventi.last().note == "Annullata."


@pytest.mark.parametrize("stato", ["annullata", "non_ammissibile"])
def test_annullamento_refused_when_the_domanda_is_no_longer_live(stato):
    with pytest.raises(NotAllowed, match="la domanda non è più attiva"):
        chiedi(DomandaFactory(**{stato: True}))


def test_modifica_of_a_rettificabile_domanda_points_to_rettifica():
    with pytest.raises(NotAllowed, match="usa la funzione Rettifica"):
        chiedi(DomandaFactory(da_rettificare=True), tipo=TipoRichiesta.MODIFICA)


def test_accepting_a_modifica_never_cancels_the_domanda(funzionario):
    domanda = DomandaFactory(autorizzata=True)
    richiesta = chiedi(domanda, tipo=TipoRichiesta.MODIFICA, motivo="Un lavoratore in più")
    richiesta_answer(
        actor=funzionario, richiesta=richiesta, esito=EsitoRichiesta.ACCOLTA, risposta="Va bene."
    )
    domanda.refresh_from_db()
    assert domanda.stato == StatoDomanda.AUTORIZZATA


@pytest.mark.parametrize("stato", ["ammissibile", "autorizzata"])
def test_accepted_modifica_sends_the_domanda_back_for_a_rettifica(funzionario, stato):
    domanda = DomandaFactory(**{stato: True})
    richiesta = chiedi(domanda, tipo=TipoRichiesta.MODIFICA, motivo="Ore sbagliate")
    richiesta_answer(
        actor=funzionario,
        richiesta=richiesta,
        esito=EsitoRichiesta.ACCOLTA,
        risposta="Correggi le ore con una rettifica.",
        rimanda_in_rettifica=True,
    )
    domanda.refresh_from_db()
    assert domanda.stato == StatoDomanda.DA_RETTIFICARE
    assert domanda.eventi.last().note == "Correggi le ore con una rettifica."
    nuova = domanda_rettifica(actor=domanda.creata_da, domanda=domanda, referente_nome="Altro Referente")
    assert nuova.stato == StatoDomanda.PRESENTATA


def test_an_annullamento_cannot_be_turned_into_a_rettifica(funzionario):
    richiesta = chiedi(DomandaFactory(autorizzata=True))
    with pytest.raises(ValidationError, match="Si rimanda in rettifica solo"):
        richiesta_answer(
            actor=funzionario,
            richiesta=richiesta,
            esito=EsitoRichiesta.ACCOLTA,
            risposta="x",
            rimanda_in_rettifica=True,
        )
    assert Domanda.objects.get(pk=richiesta.domanda_id).stato == StatoDomanda.AUTORIZZATA


def test_officer_sends_an_authorised_domanda_back_with_a_note(funzionario):
    domanda = DomandaFactory(autorizzata=True)
    with pytest.raises(ValidationError, match="obbligatoria una nota"):
        domanda_transition(actor=funzionario, domanda=domanda, to=StatoDomanda.DA_RETTIFICARE)
    domanda_transition(
        actor=funzionario, domanda=domanda, to=StatoDomanda.DA_RETTIFICARE, note="Manca l'IBAN"
    )
    assert Domanda.objects.get(pk=domanda.pk).stato == StatoDomanda.DA_RETTIFICARE


def test_officers_get_one_digest_of_new_requests(funzionario):
    funzionario.email = "funzionario@regione.example.it"
    funzionario.save()
    UserFactory(funzionario=True, username="altro", email="altro@regione.example.it")
    prima, seconda = chiedi(DomandaFactory(presentata=True)), chiedi(DomandaFactory(autorizzata=True))

    assert richieste_digest() == 2
    assert richieste_digest() == 0  # each request is listed once

    (messaggio,) = mail.outbox
    assert sorted(messaggio.to) == ["altro@regione.example.it", "funzionario@regione.example.it"]
    assert "2 nuove richieste" in messaggio.subject
    assert f"n. {prima.domanda_id} di {prima.domanda.azienda.ragione_sociale}" in messaggio.body
    assert f"n. {seconda.domanda_id}" in messaggio.body
    assert "In attesa di risposta in tutto: 2." in messaggio.body


def test_backoffice_counter_shows_requests_waiting_for_an_answer(client, funzionario):
    client.force_login(funzionario)
    assert "richieste-in-attesa" not in client.get(reverse("admin:index")).content.decode()
    chiedi(DomandaFactory(presentata=True))
    chiedi(DomandaFactory(in_istruttoria=True), tipo=TipoRichiesta.MODIFICA)
    html = client.get(reverse("admin:index")).content.decode()
    assert "2 richieste in attesa di risposta" in html


def test_officer_answers_a_modifica_in_the_backoffice_and_sends_it_back(client, funzionario):
    domanda = DomandaFactory(ammissibile=True)
    richiesta = chiedi(domanda, tipo=TipoRichiesta.MODIFICA, motivo="Periodo sbagliato")
    client.force_login(funzionario)
    url = reverse("admin:claims_richiestaregione_rispondi", args=[richiesta.pk])
    response = client.post(
        url,
        {"esito": EsitoRichiesta.ACCOLTA, "risposta": "Rettifica il periodo.", "rimanda_in_rettifica": "on"},
    )
    assert response.status_code == 302
    assert Domanda.objects.get(pk=domanda.pk).stato == StatoDomanda.DA_RETTIFICARE
