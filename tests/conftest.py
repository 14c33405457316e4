import pytest

from tests.anagrafica.factories import AziendaFactory, SedeFactory, UserFactory


@pytest.fixture
def legale_rappresentante(db):
    return UserFactory(first_name="Mario", last_name="Rossi")


@pytest.fixture
def azienda(legale_rappresentante):
    return AziendaFactory(lr_codice_fiscale=legale_rappresentante.codice_fiscale)


@pytest.fixture
def sede(azienda):
    return SedeFactory(azienda=azienda)


@pytest.fixture
def funzionario(db):
    return UserFactory(username="funzionario", funzionario=True)
