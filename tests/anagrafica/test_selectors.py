import datetime as dt

from django.utils import timezone

from anagrafica.selectors import aziende_for
from tests.anagrafica.factories import AbilitazioneFactory, AziendaFactory, UserFactory


def test_legale_rappresentante_sees_only_own_companies(legale_rappresentante, azienda):
    AziendaFactory()
    assert list(aziende_for(legale_rappresentante)) == [azienda]


def test_intermediary_sees_company_only_while_abilitazione_is_valid(db):
    consulente = UserFactory()
    abilitazione = AbilitazioneFactory(codice_fiscale=consulente.codice_fiscale)
    assert list(aziende_for(consulente)) == [abilitazione.azienda]

    abilitazione.revocata_il = timezone.now()
    abilitazione.save()
    assert list(aziende_for(consulente)) == []


def test_expired_abilitazione_gives_no_access(db):
    consulente = UserFactory()
    AbilitazioneFactory(
        codice_fiscale=consulente.codice_fiscale,
        valida_dal=dt.date.today() - dt.timedelta(days=60),
        valida_al=dt.date.today() - dt.timedelta(days=1),
    )
    assert list(aziende_for(consulente)) == []
