"""The backoffice home and what hangs off it (issue 14): counters, the daily protocol register, the
budget dashboard with its chart and table, readable names, years and e-mails."""

import datetime as dt

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from claims.constants import EsitoRichiesta, StatoDomanda, TipoRichiesta
from claims.models import Domanda, RichiestaRegione
from claims.services.domande import domanda_transition, richiesta_answer
from protocollo.models import RegistrazioneProtocollo
from tests.anagrafica.factories import UserFactory
from tests.claims.factories import DomandaFactory

pytestmark = pytest.mark.django_db

REGISTRO = reverse("admin:protocollo_registro_giornaliero")


def _registrata(numero: int, quando: dt.datetime) -> Domanda:
    domanda = DomandaFactory(presentata=True, presentata_il=quando)
    registrazione = RegistrazioneProtocollo.objects.create(
        anno=quando.year,
        numero=numero,
        registrata_il=quando,
        tipo_documento="domanda",
        oggetto=f"Domanda CIGD – {domanda.azienda}",
        impronta="a" * 64,
        codice_verifica=f"CV{numero}",
    )
    Domanda.objects.filter(pk=domanda.pk).update(registrazione=registrazione)
    return Domanda.objects.get(pk=domanda.pk)


def test_home_links_the_queue_the_register_and_the_budget_dashboard(officer_client):
    page = officer_client.get(reverse("admin:index")).text
    assert reverse("admin:claims_domanda_changelist") + "?in_carico=mie" in page
    assert REGISTRO in page
    assert reverse("consuntivi:cruscotto") in page
    assert page.index("Istruttoria delle domande") < page.index("Registro giornaliero di protocollo")


def test_cpi_operator_home_has_no_officer_sections(client):
    client.force_login(UserFactory(operatore_cpi=True))
    page = client.get(reverse("admin:index")).text
    assert "Istruttoria delle domande" not in page and REGISTRO not in page


def test_officer_downloads_the_daily_register_as_pdf_and_csv(officer_client):
    ieri = timezone.localtime() - dt.timedelta(days=1)
    domanda = _registrata(41, ieri)
    _registrata(42, ieri - dt.timedelta(days=3))

    giorno = ieri.strftime("%d/%m/%Y")
    csv_risposta = officer_client.get(REGISTRO, {"giorno": giorno, "formato": "csv"})
    assert csv_risposta.status_code == 200
    assert csv_risposta["Content-Disposition"].endswith(f'registro-protocollo-{ieri:%Y-%m-%d}.csv"')
    testo = csv_risposta.content.decode("utf-8-sig")
    assert domanda.registrazione.segnatura in testo and f"{ieri.year}/0000042" not in testo

    pdf = officer_client.get(REGISTRO, {"giorno": giorno, "formato": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    import io

    assert domanda.registrazione.segnatura in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()


def test_daily_register_refuses_a_bad_date_in_italian_and_a_cpi_operator(officer_client, client):
    domani = (timezone.localdate() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    assert "non esiste ancora" in officer_client.get(REGISTRO, {"giorno": domani, "formato": "pdf"}).text
    assert "Inserisci una data valida" in officer_client.get(REGISTRO, {"giorno": "32/13/2026"}).text
    client.force_login(UserFactory(operatore_cpi=True))
    assert client.get(REGISTRO, {"giorno": "01/01/2026", "formato": "csv"}).status_code == 403


def test_register_shows_years_without_thousands_separator(officer_client):
    _registrata(7, timezone.localtime())
    page = officer_client.get(reverse("admin:protocollo_registrazioneprotocollo_changelist")).text
    anno = str(timezone.localdate().year)
    assert f"?anno={anno}" in page
    assert f"{anno[0]}.{anno[1:]}" not in page


def test_budget_dashboard_has_a_chart_with_the_figures_of_its_table(officer_client):
    from consuntivi.models import RisorseRegionali

    RisorseRegionali.objects.create(anno=2020, importo="82506160.00", descrizione="Prima assegnazione")
    page = officer_client.get(reverse("consuntivi:cruscotto")).text
    assert '<canvas id="grafico-cruscotto"' in page
    assert "vendor/chart.js/chart.umd.min.js" in page
    assert '"anni": ["2020"]' in page and '"risorse": [82506160.0]' in page
    assert "82.506.160,00" in page  # the same figure in the table


def test_decision_email_names_the_region_and_the_protocol_not_the_id(funzionario, settings):
    settings.AMINDER_REGIONE = "Regione Piemonte"
    domanda = _registrata(5, timezone.localtime())
    Domanda.objects.filter(pk=domanda.pk).update(stato=StatoDomanda.IN_ISTRUTTORIA)
    with TestCase.captureOnCommitCallbacks(execute=True):
        domanda_transition(
            actor=funzionario, domanda=domanda, to=StatoDomanda.NON_AMMISSIBILE, note="Fuori misura"
        )
    [messaggio] = mail.outbox
    segnatura = domanda.registrazione.segnatura
    assert messaggio.subject == f"Regione Piemonte – CIGD, domanda protocollo {segnatura}: NON AMMISSIBILE"
    assert (
        f"la Regione Piemonte le comunica che la domanda di cassa integrazione in deroga protocollo {segnatura}"
        in messaggio.body
    )
    assert f"n. {domanda.pk}" not in messaggio.body


def test_answer_email_names_the_region_and_the_protocol(funzionario, settings):
    settings.AMINDER_REGIONE = "Regione Piemonte"
    domanda = _registrata(6, timezone.localtime())
    Domanda.objects.filter(pk=domanda.pk).update(stato=StatoDomanda.AUTORIZZATA)
    richiesta = RichiestaRegione.objects.create(
        domanda=domanda, tipo=TipoRichiesta.MODIFICA, motivo="Ore errate", richiedente=domanda.creata_da
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        richiesta_answer(actor=funzionario, richiesta=richiesta, esito=EsitoRichiesta.RESPINTA, risposta="No")
    [messaggio] = mail.outbox
    assert messaggio.subject.startswith(
        "Regione Piemonte – risposta alla richiesta di modifica, domanda protocollo"
    )
    assert (
        domanda.registrazione.segnatura in messaggio.body
        and "la Regione Piemonte ha risposto" in messaggio.body
    )


def test_budget_years_are_shown_without_thousands_separator(officer_client):
    from consuntivi.models import RisorseRegionali

    RisorseRegionali.objects.create(anno=2020, importo="5085987.00", descrizione="Residui")
    page = officer_client.get(reverse("admin:consuntivi_risorseregionali_changelist")).text
    assert ">2020<" in page.replace("\n", "").replace(" ", "") or "2020</a>" in page
    assert "2.020" not in page
