"""The officer's act through the backoffice URLs: a tranche from a selection, the budget, reductions
and correction acts; and refused to CPI operators and company users."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from autorizzazioni.models import Determinazione, RigaDeterminazione
from claims.constants import StatoDomanda
from claims.models import Domanda, EventoDomanda, Lavoratore
from claims.services.domande import MSG_SOLO_CON_ATTO, domanda_transition
from core.exceptions import NotAllowed
from tests.claims.factories import DomandaFactory

from .factories import COSTO_40_ORE, atto, massimali_e_risorse

pytestmark = pytest.mark.django_db

ADD = "admin:autorizzazioni_determinazione_add"


def _anno() -> int:
    return (dt.date.today() - dt.timedelta(days=14)).year  # DomandaFactory's period starts 14 days ago


def _intestazione(numero=176, **altro):
    return {
        "numero": str(numero),
        "data_atto": dt.date.today().isoformat(),
        "tranche": f"Tranche {numero}-2020",
        "firmatario": "Dott.ssa Anna Ferri",
        **altro,
    }


def _stato(domanda) -> str:
    return Domanda.objects.get(pk=domanda.pk).stato


def test_officer_authorises_a_tranche_from_a_selection_and_the_act_is_registered(
    ammissibile, officer_client, django_capture_on_commit_callbacks
):
    massimali_e_risorse(_anno(), Decimal("100000"))
    prima, seconda, fuori = ammissibile(3)

    pagina = officer_client.get(reverse(ADD))
    assert pagina.status_code == 200
    assert prima.azienda.ragione_sociale in pagina.text and fuori.azienda.ragione_sociale in pagina.text

    with django_capture_on_commit_callbacks(execute=True):
        risposta = officer_client.post(reverse(ADD), {**_intestazione(), "domande": [prima.pk, seconda.pk]})
    assert risposta.status_code == 302, risposta.context["form"].errors
    determinazione = Determinazione.objects.get()
    assert (_stato(prima), _stato(seconda), _stato(fuori)) == (
        StatoDomanda.AUTORIZZATA,
        StatoDomanda.AUTORIZZATA,
        StatoDomanda.AMMISSIBILE,
    )
    # Authorised hours default to the requested ones, per worker and per domanda.
    for lavoratore in Lavoratore.objects.filter(domanda__in=[prima, seconda]):
        assert lavoratore.ore_autorizzate == lavoratore.ore_richieste
    riga = RigaDeterminazione.objects.get(determinazione=determinazione, domanda=prima)
    assert riga.ore_autorizzate == Decimal("80.0") and riga.stima == 2 * COSTO_40_ORE
    evento = EventoDomanda.objects.filter(domanda=prima).last()
    assert (evento.da, evento.a) == (StatoDomanda.AMMISSIBILE, StatoDomanda.AUTORIZZATA)
    assert "Determinazione n. 176" in evento.note and "Tranche 176-2020" in evento.note
    # A document of the protocol register, like a domanda.
    determinazione.refresh_from_db()
    assert determinazione.registrazione is not None
    assert determinazione.registrazione.tipo_documento == "DETERMINA"


def test_act_pdf_carries_the_annex_list(ammissibile, officer_client, funzionario):
    massimali_e_risorse(_anno(), Decimal("100000"))
    domanda = ammissibile(sede__azienda__ragione_sociale="Gamma Tessile S.r.l.")
    determinazione = atto(funzionario, [domanda])
    risposta = officer_client.get(
        reverse("admin:autorizzazioni_determinazione_pdf", args=[determinazione.pk])
    )
    assert risposta.status_code == 200 and risposta["Content-Type"] == "application/pdf"
    testo = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(risposta.content)).pages)
    assert "Determinazione dirigenziale n. 176" in testo
    assert "Gamma Tessile S.r.l." in testo and "Tranche 176" in testo


def test_act_over_the_remaining_budget_is_refused_whole(ammissibile, officer_client, funzionario):
    # Room for three workers' 40 hours: one domanda of two workers is already authorised.
    massimali_e_risorse(_anno(), 3 * COSTO_40_ORE)
    atto(funzionario, [ammissibile()], numero=1)
    prima, seconda = ammissibile(2)

    risposta = officer_client.post(
        reverse(ADD), {**_intestazione(numero=2), "domande": [prima.pk, seconda.pk]}
    )

    assert risposta.status_code == 200
    errori = " ".join(
        risposta.context["form"].non_field_errors() + risposta.context["form"].errors.get("domande", [])
    )
    assert f"supera le risorse del {_anno()}" in errori
    assert "Nessuna domanda è stata autorizzata" in errori
    assert (_stato(prima), _stato(seconda)) == (StatoDomanda.AMMISSIBILE, StatoDomanda.AMMISSIBILE)
    assert not Determinazione.objects.filter(numero=2).exists()
    assert not Lavoratore.objects.filter(domanda__in=[prima, seconda], ore_autorizzate__isnull=False).exists()


def test_without_the_years_massimali_nothing_is_authorised(ammissibile, funzionario):
    domanda = ammissibile()
    from consuntivi.models import Massimale, RisorseRegionali

    Massimale.objects.filter(anno=_anno()).delete()
    RisorseRegionali.objects.create(anno=_anno(), descrizione="x", importo=Decimal("1000000"))
    with pytest.raises(ValidationError, match="Mancano i massimali"):
        atto(funzionario, [domanda])
    assert _stato(domanda) == StatoDomanda.AMMISSIBILE


def test_a_reduction_needs_its_reason_and_is_in_the_history(ammissibile, officer_client):
    massimali_e_risorse(_anno(), Decimal("100000"))
    domanda = ammissibile()
    lavoratore = domanda.lavoratori.first()
    riduzione = f"{domanda.pk};{lavoratore.codice_fiscale};24"

    senza = officer_client.post(
        reverse(ADD), {**_intestazione(), "domande": [domanda.pk], "riduzioni": riduzione}
    )
    assert senza.status_code == 200
    assert "Indicare il motivo della riduzione" in str(senza.context["form"].errors)
    assert _stato(domanda) == StatoDomanda.AMMISSIBILE

    motivo = "Ore eccedenti il periodo di sospensione documentato"
    con = officer_client.post(
        reverse(ADD), {**_intestazione(), "domande": [domanda.pk], "riduzioni": riduzione, "motivo": motivo}
    )
    assert con.status_code == 302
    lavoratore.refresh_from_db()
    assert lavoratore.ore_autorizzate == Decimal("24.0")
    evento = EventoDomanda.objects.filter(domanda=domanda, a=StatoDomanda.AUTORIZZATA).get()
    assert motivo in evento.note
    assert evento.dati["ore"][lavoratore.codice_fiscale][1] == "24.0"


def test_authorised_hours_cannot_exceed_the_requested_ones(ammissibile, officer_client):
    massimali_e_risorse(_anno(), Decimal("100000"))
    domanda = ammissibile()
    cf = domanda.lavoratori.first().codice_fiscale
    risposta = officer_client.post(
        reverse(ADD),
        {**_intestazione(), "domande": [domanda.pk], "riduzioni": f"{domanda.pk};{cf};41", "motivo": "x"},
    )
    assert "superano quelle richieste" in str(risposta.context["form"].errors)
    assert _stato(domanda) == StatoDomanda.AMMISSIBILE


def test_an_act_number_is_used_once_a_year(ammissibile, officer_client, funzionario):
    massimali_e_risorse(_anno(), Decimal("100000"))
    atto(funzionario, [ammissibile()], numero=176)
    domanda = ammissibile()
    risposta = officer_client.post(reverse(ADD), {**_intestazione(numero=176), "domande": [domanda.pk]})
    assert "già stato dato a una determinazione" in str(risposta.context["form"].errors["numero"])
    assert _stato(domanda) == StatoDomanda.AMMISSIBILE


def test_only_admissible_domande_enter_an_act(ammissibile, funzionario):
    massimali_e_risorse(_anno(), Decimal("100000"))
    buona = ammissibile()
    in_istruttoria = DomandaFactory(in_istruttoria=True, misura=buona.misura)
    with pytest.raises(ValidationError, match="si autorizzano solo domande VERIFICATA - AMMISSIBILE"):
        atto(funzionario, [buona, in_istruttoria])
    assert _stato(buona) == StatoDomanda.AMMISSIBILE


def test_authorised_is_no_longer_a_click_on_the_decision_page(ammissibile, officer_client, funzionario):
    domanda = ammissibile()
    pagina = officer_client.get(reverse("admin:claims_domanda_decidi", args=[domanda.pk]))
    offerti = {valore for valore, _l in pagina.context["form"].fields["a"].choices}
    assert StatoDomanda.AUTORIZZATA not in offerti
    with pytest.raises(NotAllowed) as exc:
        domanda_transition(actor=funzionario, domanda=domanda, to=StatoDomanda.AUTORIZZATA, note="ok")
    assert exc.value.message == MSG_SOLO_CON_ATTO.format(a="AUTORIZZATA")


def test_correction_act_changes_authorised_hours_with_history(ammissibile, officer_client, funzionario):
    massimali_e_risorse(_anno(), Decimal("100000"))
    domanda = ammissibile()  # two weeks, 40 h/week: at most 80 hours each
    atto(funzionario, [domanda], numero=10)
    cf = domanda.lavoratori.order_by("codice_fiscale").first().codice_fiscale
    url = reverse("admin:autorizzazioni_determinazione_rettifica")

    oltre = officer_client.post(
        url, {**_intestazione(numero=11), "righe": f"{domanda.pk};{cf};90", "motivo": "x"}
    )
    assert "superano il limite di 80.0 ore" in str(oltre.context["form"].errors)

    motivo = "Integrazione del monte ore per la proroga della sospensione"
    risposta = officer_client.post(
        url, {**_intestazione(numero=11), "righe": f"{domanda.pk};{cf};72", "motivo": motivo}
    )
    assert risposta.status_code == 302, risposta.context["form"].errors
    assert _stato(domanda) == StatoDomanda.AUTORIZZATA
    assert Lavoratore.objects.get(domanda=domanda, codice_fiscale=cf).ore_autorizzate == Decimal("72.0")
    rettifica = Determinazione.objects.get(numero=11)
    riga = rettifica.righe.get()
    assert (riga.ore_precedenti, riga.ore_autorizzate) == (Decimal("80.0"), Decimal("112.0"))
    evento = EventoDomanda.objects.filter(domanda=domanda).last()
    assert (evento.da, evento.a) == (StatoDomanda.AUTORIZZATA, StatoDomanda.AUTORIZZATA)
    assert evento.dati["ore"] == {cf: ["40.0", "72.0"]} and motivo in evento.note


def test_correction_act_refuses_domande_not_yet_authorised(ammissibile, officer_client):
    massimali_e_risorse(_anno(), Decimal("100000"))
    domanda = ammissibile()
    cf = domanda.lavoratori.first().codice_fiscale
    risposta = officer_client.post(
        reverse("admin:autorizzazioni_determinazione_rettifica"),
        {**_intestazione(numero=12), "righe": f"{domanda.pk};{cf};30", "motivo": "x"},
    )
    assert "si rettificano le ore solo di domande già autorizzate" in str(risposta.context["form"].errors)


@pytest.mark.parametrize("ruolo", ["cpi", "impresa"])
def test_cpi_operators_and_company_users_cannot_touch_acts(
    ammissibile, client, funzionario, operatore_cpi, ruolo
):
    massimali_e_risorse(_anno(), Decimal("100000"))
    domanda = ammissibile()
    autorizzata = ammissibile()
    determinazione = atto(funzionario, [autorizzata])
    client.force_login(operatore_cpi if ruolo == "cpi" else domanda.creata_da)
    cf = autorizzata.lavoratori.first().codice_fiscale
    tentativi = [
        ("get", reverse(ADD), {}),
        ("post", reverse(ADD), {**_intestazione(numero=99), "domande": [domanda.pk]}),
        (
            "post",
            reverse("admin:autorizzazioni_determinazione_rettifica"),
            {**_intestazione(numero=98), "righe": f"{autorizzata.pk};{cf};1", "motivo": "x"},
        ),
        ("get", reverse("admin:autorizzazioni_determinazione_pdf", args=[determinazione.pk]), {}),
        ("get", reverse("admin:autorizzazioni_determinazione_flusso_b", args=[determinazione.pk]), {}),
        ("post", reverse("admin:autorizzazioni_determinazione_inviata", args=[determinazione.pk]), {}),
        ("get", reverse("admin:autorizzazioni_determinazione_changelist"), {}),
    ]
    for metodo, url, dati in tentativi:
        risposta = getattr(client, metodo)(url, dati)
        assert risposta.status_code in (302, 403), url
        if risposta.status_code == 302:
            assert "/login/" in risposta["Location"], url
    assert _stato(domanda) == StatoDomanda.AMMISSIBILE
    assert Determinazione.objects.count() == 1
    determinazione.refresh_from_db()
    assert determinazione.flusso_b_sha256 == "" and determinazione.inviata_inps_il is None


def test_changelist_of_acts_costs_the_same_queries_for_1_or_20_acts(ammissibile, officer_client, funzionario):
    massimali_e_risorse(_anno(), Decimal("1000000"))
    atto(funzionario, [ammissibile()], numero=1)
    url = reverse("admin:autorizzazioni_determinazione_changelist")
    with CaptureQueriesContext(connection) as uno:
        assert officer_client.get(url).status_code == 200
    for numero in range(2, 21):
        atto(funzionario, [ammissibile()], numero=numero)
    with CaptureQueriesContext(connection) as venti:
        risposta = officer_client.get(url)
    assert "Tranche 20-" in risposta.text
    assert len(venti) == len(uno)


def test_an_act_is_bounded_in_size(ammissibile, funzionario, monkeypatch):
    from autorizzazioni import services

    massimali_e_risorse(_anno(), Decimal("100000"))
    monkeypatch.setattr(services, "MAX_DOMANDE_PER_ATTO", 2)
    domande = ammissibile(3)
    with pytest.raises(ValidationError, match="al più 2 domande \\(3 scelte\\)"):
        atto(funzionario, domande)
    assert {_stato(d) for d in domande} == {StatoDomanda.AMMISSIBILE}


def test_officer_authorises_from_the_queue_into_a_new_act(ammissibile, officer_client):
    """The workbench's bulk action: the selected admissible domande arrive ticked on the new act's page;
    a selected domanda in another state is left out, and the officer is told."""
    massimali_e_risorse(_anno(), Decimal("100000"))
    prima, seconda, altra = ammissibile(3)
    in_istruttoria = DomandaFactory(in_istruttoria=True)
    coda = reverse("admin:claims_domanda_changelist")

    risposta = officer_client.post(
        coda,
        {
            "action": "autorizza_in_determinazione",
            "_selected_action": [prima.pk, seconda.pk, in_istruttoria.pk],
        },
        follow=True,
    )

    pagina = risposta.content.decode()
    assert risposta.redirect_chain[-1][0].startswith(reverse(ADD))
    assert "1 domande selezionate non sono VERIFICATA - AMMISSIBILE" in pagina
    assert f'value="{prima.pk}" checked' in pagina and f'value="{seconda.pk}" checked' in pagina
    assert f'value="{altra.pk}" checked' not in pagina
    adotta = officer_client.post(reverse(ADD), {**_intestazione(), "domande": [prima.pk, seconda.pk]})
    assert adotta.status_code == 302
    assert (_stato(prima), _stato(seconda), _stato(altra)) == (
        StatoDomanda.AUTORIZZATA,
        StatoDomanda.AUTORIZZATA,
        StatoDomanda.AMMISSIBILE,
    )


def test_the_queue_action_is_not_offered_to_a_cpi_operator(client, operatore_cpi, ammissibile):
    (domanda,) = ammissibile(1)
    client.force_login(operatore_cpi)

    risposta = client.post(
        reverse("admin:claims_domanda_changelist"),
        {"action": "autorizza_in_determinazione", "_selected_action": [domanda.pk]},
    )

    assert risposta.status_code == 403
    assert _stato(domanda) == StatoDomanda.AMMISSIBILE
