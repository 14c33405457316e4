import pytest

from tests.anagrafica.factories import AziendaFactory, SedeFactory
from tests.api.conftest import client_for

pytestmark = pytest.mark.django_db


def test_aziende_lists_the_companies_of_the_legal_representative_only(api, azienda):
    AziendaFactory()  # someone else's
    response = api.get("/api/v1/aziende/")
    assert response.status_code == 200
    assert [a["id"] for a in response.data["results"]] == [azienda.pk]
    data = response.data["results"][0]
    assert data["codice_fiscale"] == azienda.codice_fiscale
    assert data["partita_iva"] == azienda.partita_iva
    assert data["ragione_sociale"] == azienda.ragione_sociale
    assert data["comune_nome"] == "Torino"


def test_intermediary_sees_the_companies_the_cpi_enabled_them_for(consulente, azienda):
    AziendaFactory()
    response = client_for(consulente).get("/api/v1/aziende/")
    assert [a["id"] for a in response.data["results"]] == [azienda.pk]


def test_azienda_detail(api, azienda):
    response = api.get(f"/api/v1/aziende/{azienda.pk}/")
    assert response.status_code == 200
    assert response.data["lr_codice_fiscale"] == azienda.lr_codice_fiscale


def test_azienda_of_someone_else_is_not_found(api):
    altrui = AziendaFactory()
    assert api.get(f"/api/v1/aziende/{altrui.pk}/").status_code == 404
    assert api.get(f"/api/v1/aziende/{altrui.pk}/sedi/").status_code == 404


def test_sedi_of_the_company(api, azienda, sede):
    SedeFactory()  # another company's site
    response = api.get(f"/api/v1/aziende/{azienda.pk}/sedi/")
    assert response.status_code == 200
    assert [s["id"] for s in response.data["results"]] == [sede.pk]
    assert response.data["results"][0]["provincia"] == "TO"


def test_regional_officer_acts_for_no_company(funzionario, azienda):
    officer = client_for(funzionario)
    assert officer.get("/api/v1/aziende/").data["count"] == 0
    assert officer.get(f"/api/v1/aziende/{azienda.pk}/").status_code == 404


@pytest.mark.parametrize("pk", ["x", "0", "18446744073709551616"])
def test_malformed_azienda_id_is_not_found(api, pk):
    assert api.get(f"/api/v1/aziende/{pk}/").status_code == 404


def test_anagrafica_is_read_only(api, azienda):
    assert api.patch(f"/api/v1/aziende/{azienda.pk}/", {"telefono": "1"}, format="json").status_code == 405
    assert api.post("/api/v1/aziende/", {}, format="json").status_code == 405
