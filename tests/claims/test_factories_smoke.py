from claims.constants import StatoDomanda
from tests.claims.factories import DomandaFactory


def test_presentata_trait_builds_a_submitted_domanda_with_workers(db):
    domanda = DomandaFactory(presentata=True)
    assert domanda.stato == StatoDomanda.PRESENTATA
    assert domanda.lavoratori.count() == 2
    assert domanda.creata_da.codice_fiscale == domanda.azienda.lr_codice_fiscale
