import pytest
from django.core import mail
from django.urls import reverse

from claims.constants import EsitoRichiesta, StatoDomanda, TipoRichiesta
from claims.models import Domanda, Misura, RichiestaRegione
from tests.anagrafica.factories import UserFactory
from tests.claims.factories import DomandaFactory

pytestmark = pytest.mark.django_db


def test_officer_sees_submitted_domande_but_not_drafts(officer_client):
    presentata = DomandaFactory(presentata=True)
    bozza = DomandaFactory()
    response = officer_client.get(reverse("admin:claims_domanda_changelist"))
    assert response.status_code == 200
    assert presentata.azienda.ragione_sociale in response.text
    assert bozza.azienda.ragione_sociale not in response.text
    assert officer_client.get(reverse("admin:claims_domanda_change", args=[bozza.pk])).status_code == 302


def test_officer_asks_for_a_correction_with_a_note_that_reaches_the_referente(
    officer_client, django_capture_on_commit_callbacks
):
    domanda = DomandaFactory(in_istruttoria=True)
    url = reverse("admin:claims_domanda_decidi", args=[domanda.pk])

    response = officer_client.post(url, {"a": StatoDomanda.DA_RETTIFICARE, "note": ""})
    assert response.status_code == 200
    assert "obbligatoria una nota" in response.text
    assert Domanda.objects.get(pk=domanda.pk).stato == StatoDomanda.IN_ISTRUTTORIA

    with_note = {"a": StatoDomanda.DA_RETTIFICARE, "note": "Allegare l'accordo firmato"}
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(url, with_note)
    assert response.status_code == 302
    assert Domanda.objects.get(pk=domanda.pk).stato == StatoDomanda.DA_RETTIFICARE
    assert "Allegare l'accordo firmato" in mail.outbox[-1].body


def test_decision_form_offers_only_the_moves_of_the_current_state(officer_client):
    domanda = DomandaFactory(presentata=True)
    response = officer_client.get(reverse("admin:claims_domanda_decidi", args=[domanda.pk]))
    offered = {value for value, _ in response.context["form"].fields["a"].choices}
    assert offered == {StatoDomanda.IN_ISTRUTTORIA, StatoDomanda.ANNULLATA}


def test_cpi_operator_and_company_users_cannot_decide(client):
    domanda = DomandaFactory(in_istruttoria=True)
    url = reverse("admin:claims_domanda_decidi", args=[domanda.pk])
    for user in (UserFactory(operatore_cpi=True), domanda.creata_da):
        client.force_login(user)
        response = client.post(url, {"a": StatoDomanda.AMMISSIBILE, "note": ""})
        assert response.status_code in (302, 403)
    assert Domanda.objects.get(pk=domanda.pk).stato == StatoDomanda.IN_ISTRUTTORIA


def test_officer_answers_a_cancellation_request_and_the_domanda_is_cancelled(officer_client):
    domanda = DomandaFactory(autorizzata=True)
    richiesta = RichiestaRegione.objects.create(
        domanda=domanda,
        tipo=TipoRichiesta.ANNULLAMENTO,
        motivo="Attività ripresa",
        richiedente=domanda.creata_da,
    )
    response = officer_client.post(
        reverse("admin:claims_richiestaregione_rispondi", args=[richiesta.pk]),
        {"esito": EsitoRichiesta.ACCOLTA, "risposta": "Domanda annullata", "annulla": "on"},
    )
    assert response.status_code == 302
    assert Domanda.objects.get(pk=domanda.pk).stato == StatoDomanda.ANNULLATA
    assert RichiestaRegione.objects.get(pk=richiesta.pk).esito == EsitoRichiesta.ACCOLTA


def test_officer_creates_a_measure_with_its_submission_window(officer_client):
    data = {
        "codice": "cigd-agosto",
        "nome": "CIGD agosto 2020",
        "base_giuridica": "DL 104/2020",
        "periodo_dal": "01/08/2020",
        "periodo_al": "31/08/2020",
        "max_settimane_per_sede": "9",
        "decreto_inps": "33193",
        "data_assunzione_entro": "13/07/2020",
        "finestre-TOTAL_FORMS": "1",
        "finestre-INITIAL_FORMS": "0",
        "finestre-0-nome": "Solo agosto",
        "finestre-0-presentazione_dal": "01/09/2020",
        "finestre-0-presentazione_al": "31/10/2020",
        "finestre-0-periodo_dal": "01/08/2020",
        "finestre-0-periodo_al": "31/08/2020",
    }
    response = officer_client.post(reverse("admin:claims_misura_add"), data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    finestra = Misura.objects.get(codice="cigd-agosto").finestre.get()
    assert (finestra.nome, finestra.presentazione_al.isoformat()) == ("Solo agosto", "2020-10-31")


@pytest.mark.parametrize(
    "changelist",
    [
        "admin:consuntivi_consuntivo_changelist",
        "admin:consuntivi_massimale_changelist",
        "admin:protocollo_registrazioneprotocollo_changelist",
    ],
)
def test_cpi_operator_with_model_permissions_still_sees_no_regional_data(client, changelist):
    from django.contrib.auth.models import Permission

    operatore = UserFactory(operatore_cpi=True)
    operatore.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(operatore)
    assert client.get(reverse(changelist)).status_code == 403
