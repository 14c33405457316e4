import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from anagrafica.models import Abilitazione
from anagrafica.selectors import aziende_for
from anagrafica.services import (
    MSG_ABILITAZIONE_GIA_REVOCATA,
    MSG_CPI_NON_COMPETENTE,
    MSG_SOLO_BACKOFFICE,
    abilitazione_grant,
    abilitazione_revoke,
)
from core.exceptions import NotAllowed, NotPermitted
from tests.anagrafica.factories import (
    AbilitazioneFactory,
    AziendaFactory,
    SedeFactory,
    UserFactory,
    comune,
    cpi,
)

OGGI = dt.date.today()


@pytest.fixture
def operatore_torino(db):
    return UserFactory(operatore_cpi=True, cpi=cpi("Torino"))


@pytest.fixture
def azienda_di_asti(db):
    azienda = AziendaFactory(comune=comune("Asti"), cap="14100")
    SedeFactory(azienda=azienda, comune=comune("Asti"), cap="14100")
    return azienda


def grant(actor, azienda, codice_fiscale, **kwargs):
    return abilitazione_grant(
        actor=actor,
        azienda=azienda,
        codice_fiscale=codice_fiscale,
        denominazione="Studio Verdi, consulenti del lavoro",
        valida_dal=kwargs.pop("valida_dal", OGGI),
        **kwargs,
    )


def test_cpi_operator_enables_an_intermediary_for_a_company_of_the_territory(operatore_torino, sede):
    consulente = UserFactory()

    abilitazione = grant(operatore_torino, sede.azienda, consulente.codice_fiscale.lower())

    assert abilitazione.cpi == operatore_torino.cpi
    assert abilitazione.concessa_da == operatore_torino
    assert abilitazione.codice_fiscale == consulente.codice_fiscale
    assert list(aziende_for(consulente)) == [sede.azienda]


def test_cpi_operator_of_torino_cannot_enable_for_a_site_in_asti(operatore_torino, azienda_di_asti):
    with pytest.raises(NotPermitted) as refused:
        grant(operatore_torino, azienda_di_asti, UserFactory().codice_fiscale)

    assert refused.value.message == str(MSG_CPI_NON_COMPETENTE)
    assert not Abilitazione.objects.exists()


def test_cpi_operator_of_torino_cannot_revoke_an_abilitazione_in_asti(operatore_torino, azienda_di_asti):
    abilitazione = AbilitazioneFactory(azienda=azienda_di_asti, cpi=cpi("Asti"))

    with pytest.raises(NotPermitted):
        abilitazione_revoke(actor=operatore_torino, abilitazione=abilitazione)

    abilitazione.refresh_from_db()
    assert abilitazione.revocata_il is None


def test_funzionario_enables_anywhere_and_the_competent_cpi_is_recorded(funzionario, azienda_di_asti):
    abilitazione = grant(funzionario, azienda_di_asti, UserFactory().codice_fiscale)

    assert abilitazione.cpi == cpi("Asti")


def test_company_users_cannot_enable_intermediaries(legale_rappresentante, azienda):
    with pytest.raises(NotPermitted) as refused:
        grant(legale_rappresentante, azienda, UserFactory().codice_fiscale)

    assert refused.value.message == str(MSG_SOLO_BACKOFFICE)


def test_grant_refuses_an_invalid_codice_fiscale_and_an_inverted_period(operatore_torino, sede):
    with pytest.raises(ValidationError) as refused:
        grant(operatore_torino, sede.azienda, "RSSMRA80A01L219X", valida_al=OGGI - dt.timedelta(days=1))

    assert set(refused.value.message_dict) == {"codice_fiscale", "valida_al"}


def test_grant_refuses_an_overlapping_period_for_the_same_intermediary(operatore_torino, sede):
    consulente = UserFactory()
    grant(operatore_torino, sede.azienda, consulente.codice_fiscale, valida_al=OGGI + dt.timedelta(days=30))

    with pytest.raises(ValidationError):
        grant(
            operatore_torino, sede.azienda, consulente.codice_fiscale, valida_dal=OGGI + dt.timedelta(days=10)
        )

    later = grant(
        operatore_torino, sede.azienda, consulente.codice_fiscale, valida_dal=OGGI + dt.timedelta(days=31)
    )
    assert later.pk


def test_revocation_takes_effect_at_once_and_only_once(operatore_torino, sede):
    consulente = UserFactory()
    abilitazione = grant(operatore_torino, sede.azienda, consulente.codice_fiscale)

    abilitazione_revoke(actor=operatore_torino, abilitazione=abilitazione)

    assert list(aziende_for(consulente)) == []
    abilitazione.refresh_from_db()
    assert abilitazione.revocata_da == operatore_torino
    with pytest.raises(NotAllowed) as refused:
        abilitazione_revoke(actor=operatore_torino, abilitazione=abilitazione)
    assert refused.value.message == str(MSG_ABILITAZIONE_GIA_REVOCATA)
