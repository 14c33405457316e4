import pytest
from django.test import Client
from django.urls import path


def boom(request):
    raise RuntimeError("guasto simulato")


urlpatterns = [path("guasto/", boom)]


@pytest.mark.django_db
def test_unknown_page_answers_404_in_italian(client):
    response = client.get("/pagina-che-non-esiste/")
    assert response.status_code == 404
    assert "Pagina non trovata" in response.text
    assert '<html lang="it">' in response.text


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_unexpected_error_shows_an_italian_page_without_traceback():
    response = Client(raise_request_exception=False).get("/guasto/")
    assert response.status_code == 500
    assert "Il servizio ha avuto un problema" in response.text
    assert "guasto simulato" not in response.text
    assert "Traceback" not in response.text
