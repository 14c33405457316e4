"""The subject and the fingerprint a registration writes are taken when the document is submitted
(`protocollo_prepare`), and must be what the register computed from the stored document before: the
fingerprint is printed on the receipt, and anyone holding the transmitted data recomputes it."""

from decimal import Decimal

import pytest

from autorizzazioni.models import Determinazione
from claims.models import Domanda
from claims.services.domande import domanda_rettifica, domanda_submit
from consuntivi.models import Consuntivo
from consuntivi.selectors import consuntivo_dati_trasmessi
from consuntivi.services import consuntivo_send
from protocollo import registry
from protocollo.services import impronta, protocollo_register_documento
from tests.autorizzazioni.factories import atto, massimali_e_risorse
from tests.claims.factories import DomandaFactory
from tests.conftest import broker_giu
from tests.consuntivi.factories import APRILE, domanda_consuntivabile, righe

pytestmark = pytest.mark.django_db


def check_prepared_as_the_register_would(documento, dati_trasmessi) -> None:
    """Read back from the database: the stored fingerprint is that of the stored snapshot, the
    subject is the adapter's, and the registration writes both."""
    documento = type(documento).objects.get(pk=documento.pk)
    adapter = registry.adapter_for(documento)
    assert documento.impronta_dati == impronta(dati_trasmessi(documento))
    assert documento.oggetto_protocollo == adapter.oggetto(documento)

    registrazione = protocollo_register_documento(documento)

    assert (registrazione.impronta, registrazione.oggetto) == (
        documento.impronta_dati,
        documento.oggetto_protocollo,
    )


def test_a_submitted_domanda_carries_the_fingerprint_of_its_snapshot():
    domanda = DomandaFactory()
    assert (domanda.oggetto_protocollo, domanda.impronta_dati) == (None, None)  # a draft: nothing yet
    with broker_giu():
        domanda_submit(actor=domanda.creata_da, domanda=domanda)

    check_prepared_as_the_register_would(domanda, lambda d: d.dati_presentati)
    assert Domanda.objects.get(pk=domanda.pk).oggetto_protocollo.startswith("Domanda CIGD – ")


def test_a_rettifica_carries_its_own_subject_and_fingerprint():
    vecchia = DomandaFactory(presentata=True)
    with broker_giu():
        nuova = domanda_rettifica(actor=vecchia.creata_da, domanda=vecchia, referente_nome="Nuovo Referente")

    check_prepared_as_the_register_would(nuova, lambda d: d.dati_presentati)
    nuova.refresh_from_db()
    assert nuova.oggetto_protocollo.startswith("Rettifica domanda CIGD – ")
    assert nuova.impronta_dati != Domanda.objects.get(pk=vecchia.pk).impronta_dati


def test_a_sent_consuntivo_is_fingerprinted_at_its_registration_over_its_lines():
    """A consuntivo's lines are rows of their own (consuntivi/0008), written after the consuntivo: it is
    not prepared at sending, and its registration takes the fingerprint over the lines as sent."""
    domanda = domanda_consuntivabile()
    protocollo_register_documento(domanda)
    with broker_giu():
        consuntivo = consuntivo_send(
            actor=domanda.creata_da, domanda=domanda, mese=APRILE, righe=righe(domanda, ore="12,5")
        )
    assert (consuntivo.oggetto_protocollo, consuntivo.impronta_dati) == (None, None)

    registrazione = protocollo_register_documento(consuntivo)

    consuntivo = Consuntivo.objects.get(pk=consuntivo.pk)
    dati = consuntivo_dati_trasmessi(consuntivo)
    assert [riga["ore"] for riga in dati["righe"]] == ["12.5"] * len(dati["righe"])
    assert registrazione.impronta == impronta(dati)
    assert registrazione.oggetto.endswith(f"domanda {Domanda.objects.get(pk=domanda.pk).protocollo}")


def test_an_adopted_determinazione_carries_the_fingerprint_of_its_data(funzionario):
    domanda = DomandaFactory(ammissibile=True)
    massimali_e_risorse(domanda.data_inizio.year, Decimal("100000"))
    with broker_giu():
        determinazione = atto(funzionario, [domanda])

    check_prepared_as_the_register_would(determinazione, lambda d: d.dati)
    assert Determinazione.objects.get(pk=determinazione.pk).oggetto_protocollo.startswith(
        "Determinazione dirigenziale n. 176/"
    )
