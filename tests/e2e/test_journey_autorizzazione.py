"""The officer's way from examined to INPS in the browser: select admissible domande, adopt the act,
download its Flusso B, mark it sent, import INPS's outcome; the company then sees its code."""

import datetime as dt
from decimal import Decimal

import pytest
from lxml import etree
from playwright.sync_api import expect

from anagrafica.models import User
from autorizzazioni import flusso_b
from tests.anagrafica.factories import UserFactory
from tests.autorizzazioni.factories import massimali_e_risorse
from tests.claims.factories import DomandaFactory, MisuraFactory

pytestmark = pytest.mark.e2e


def test_officer_authorises_a_tranche_and_hands_it_to_inps(page, login_as, axe_check, screenshot, tmp_path):
    massimali_e_risorse((dt.date.today() - dt.timedelta(days=14)).year, Decimal("82506160"))
    funzionario = UserFactory(username="funzionario", funzionario=True, first_name="Anna", last_name="Ferri")
    misura = MisuraFactory()
    prima = DomandaFactory(
        ammissibile=True, misura=misura, sede__azienda__ragione_sociale="Alfa Meccanica S.r.l."
    )
    seconda = DomandaFactory(
        ammissibile=True, misura=misura, sede__azienda__ragione_sociale="Beta Servizi S.n.c."
    )
    login_as(page, User.objects.get(pk=funzionario.pk))

    # 1. Select the admissible domande of the tranche and adopt the act.
    page.goto("/admin/autorizzazioni/determinazione/add/")
    page.get_by_label("Numero della determinazione").fill("176")
    page.get_by_label("Data").fill(dt.date.today().isoformat())
    page.get_by_label("Tranche").fill("Tranche 176-2020")
    page.get_by_label("Dirigente firmatario").fill("Dott.ssa Anna Ferri")
    page.get_by_label("Seleziona tutte").check()
    axe_check(page)
    screenshot(page, "funzionario-01-nuova-determinazione")
    page.get_by_role("button", name="Adotta la determinazione").click()
    expect(page.locator(".messagelist")).to_contain_text("le sue domande sono AUTORIZZATA")
    axe_check(page)
    screenshot(page, "funzionario-02-determinazione")

    # 2. Download its Flusso B: valid against the XSD.
    with page.expect_download() as download:
        page.get_by_role("link", name="Scarica il Flusso B (XML)").click()
    percorso = tmp_path / "flusso-b.xml"
    download.value.save_as(percorso)
    contenuto = percorso.read_bytes()
    flusso_b.valida(contenuto)
    ids = etree.fromstring(contenuto).xpath("//b:Domanda/@id", namespaces={"b": flusso_b.NS})
    assert sorted(int(i) for i in ids) == sorted([prima.pk, seconda.pk])

    # 3. Mark it sent to INPS.
    page.get_by_role("button", name="Segna il Flusso B come inviato a INPS").click()
    expect(page.locator(".messagelist")).to_contain_text("TRASMESSA INPS")

    # 4. Import the outcome INPS returned: one accepted, one anomaly.
    esito = tmp_path / "esito-inps.csv"
    esito.write_text(
        "id_domanda;codice_fiscale_azienda;esito;codice_autorizzazione;motivo_anomalia\n"
        f"{prima.pk};{prima.azienda.codice_fiscale};ACCOLTA;A20DG00176;\n"
        f"{seconda.pk};{seconda.azienda.codice_fiscale};ANOMALIA;;Matricola INPS non attiva\n",
        encoding="utf-8",
    )
    page.get_by_role("link", name="Importa l'esito INPS").click()
    page.get_by_label("File di esito INPS (CSV)").set_input_files(str(esito))
    axe_check(page)
    page.get_by_role("button", name="Importa l'esito").click()
    expect(page.locator(".messagelist")).to_contain_text("1 accolte, 1 con anomalia")
    screenshot(page, "funzionario-03-esito-inps")

    # 5. The company sees its authorisation code, for the SR41.
    page.context.clear_cookies()
    login_as(page, User.objects.get(pk=prima.creata_da.pk))
    page.goto(f"/domande/{prima.pk}/")
    expect(page.locator(".codice-inps")).to_have_text("A20DG00176")
    axe_check(page)

    # 6. The public list.
    page.context.clear_cookies()
    page.goto("/autorizzate/")
    expect(page.get_by_role("table")).to_contain_text("Alfa Meccanica S.r.l.")
    axe_check(page)
    screenshot(page, "pubblico-autorizzate")
