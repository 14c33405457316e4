import pytest

from tests.anagrafica.factories import UserFactory


@pytest.fixture
def operatore_cpi(db):
    return UserFactory(username="cpi.torino", operatore_cpi=True)


@pytest.fixture
def misura(db):
    from tests.claims.factories import MisuraFactory

    return MisuraFactory()


@pytest.fixture
def ammissibile(misura):
    """Make VERIFICATA - AMMISSIBILE domande of one misura (an act covers one misura)."""
    from tests.claims.factories import DomandaFactory

    def crea(n: int | None = None, **kwargs):
        if n is None:
            return DomandaFactory(ammissibile=True, misura=misura, **kwargs)
        return DomandaFactory.create_batch(n, ammissibile=True, misura=misura, **kwargs)

    return crea
