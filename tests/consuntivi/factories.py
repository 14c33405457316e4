"""Factories of the consuntivi tests. Domande are built with tests/claims/factories.py; consuntivi
are normally made through `consuntivo_send`, these factories only set up data around them."""

import datetime as dt
import hashlib
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from claims.constants import StatoDomanda
from claims.models import Domanda, Lavoratore
from consuntivi.models import CaricamentoConsuntivo, Consuntivo, Massimale, RisorseRegionali
from protocollo.models import RegistrazioneProtocollo, Ricevuta
from tests.anagrafica.factories import make_codice_fiscale
from tests.claims.factories import MINIMAL_PDF, domanda_con_lavoratori, misura_dell_anno

# A past period across three months: March 16 (Monday) to May 15 (Friday) 2026. With 40 weekly
# hours a worker can lose at most 96 hours in March (12 weekdays), 176 in April (22), 88 in May (11).
INIZIO = dt.date(2026, 3, 16)
FINE = dt.date(2026, 5, 15)
MARZO, APRILE, MAGGIO = dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 5, 1)
ORE_SETTIMANALI = Decimal("40.0")
ORE_RICHIESTE = Decimal("300.0")


def domanda_consuntivabile(*, lavoratori: int = 2, bozza: bool = False, **traits) -> Domanda:
    """A submitted domanda (PRESENTATA unless another state trait is given) over INIZIO–FINE whose
    workers have 40 weekly hours and 300 requested hours, under a measure covering 2026."""
    chiesti = [stato for trait, stato in TRAIT_STATI.items() if traits.pop(trait, False)]
    traits.pop("presentata", None)
    stato = StatoDomanda.BOZZA if bozza else chiesti[0] if chiesti else StatoDomanda.PRESENTATA
    traits.setdefault("misura", misura_dell_anno(2026))
    return domanda_con_lavoratori(
        stato,
        lavoratori=lavoratori,
        lavoratore={"ore_settimanali": ORE_SETTIMANALI, "ore_richieste": ORE_RICHIESTE},
        data_inizio=INIZIO,
        data_fine=FINE,
        **traits,
    )


TRAIT_STATI = {
    "in_istruttoria": StatoDomanda.IN_ISTRUTTORIA,
    "da_rettificare": StatoDomanda.DA_RETTIFICARE,
    "ammissibile": StatoDomanda.AMMISSIBILE,
    "autorizzata": StatoDomanda.AUTORIZZATA,
    "trasmessa_inps": StatoDomanda.TRASMESSA_INPS,
    "accolta_inps": StatoDomanda.ACCOLTA_INPS,
    "anomalia_inps": StatoDomanda.ANOMALIA_INPS,
    "non_ammissibile": StatoDomanda.NON_AMMISSIBILE,
    "annullata": StatoDomanda.ANNULLATA,
}


def lavoratori_in_blocco(domanda, n: int, *, offset: int = 40000) -> list[Lavoratore]:
    """Many workers at once (bulk_create), with distinct valid codici fiscali."""
    return Lavoratore.objects.bulk_create(
        [
            Lavoratore(
                domanda=domanda,
                codice_fiscale=make_codice_fiscale(offset + i),
                cognome=f"Cognome{i}",
                nome="Nome",
                qualifica="OPERAIO",
                tipo_contratto="INDETERMINATO",
                ore_settimanali=ORE_SETTIMANALI,
                ore_richieste=ORE_RICHIESTE,
                data_assunzione=dt.date(2015, 1, 1),
            )
            for i in range(n)
        ],
        batch_size=2000,
    )


def righe(domanda, ore="10", retribuzione=None) -> list[dict]:
    return [
        {"codice_fiscale": cf, "ore": ore, "retribuzione_mensile": retribuzione}
        for cf in domanda.lavoratori.order_by("pk").values_list("codice_fiscale", flat=True)
    ]


class MassimaleFactory(factory.django.DjangoModelFactory):
    """The 2016 caps of the FIS seed (net of 5.84%): 914.96 up to 2,102.24 euro, 1,099.70 above."""

    class Meta:
        model = Massimale
        django_get_or_create = ("anno",)

    anno = 2016
    soglia_retribuzione = Decimal("2102.24")
    importo_sotto = Decimal("914.96")
    importo_sopra = Decimal("1099.70")
    riduzione_percentuale = Decimal("5.84")
    fonte = "circolare INPS n. 48/2016"


class RisorseRegionaliFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RisorseRegionali

    anno = 2026
    descrizione = "Prima assegnazione"
    importo = Decimal("82506160.00")


def caricamento_in_coda(domanda, lines: list[str], *, mese=APRILE) -> CaricamentoConsuntivo:
    """An uploaded CSV that no worker has taken yet (what `caricamento_create` stores)."""
    caricamento = CaricamentoConsuntivo(
        domanda=domanda, mese=mese, nome_file="consuntivo.csv", formato="csv", caricato_da=domanda.creata_da
    )
    caricamento.file.save("consuntivo.csv", ContentFile("\n".join(lines).encode()), save=False)
    caricamento.save()
    return caricamento


_numeri = iter(range(1, 10_000_000))


def registra(consuntivo: Consuntivo, *, con_ricevuta: bool = True) -> RegistrazioneProtocollo:
    """Stand in for the protocol worker: a registration and, optionally, its PDF receipt."""
    registrazione = RegistrazioneProtocollo.objects.create(
        anno=2026,
        numero=900_000 + next(_numeri) + Consuntivo.objects.count(),
        registrata_il=timezone.now(),
        tipo_documento="CONSUNTIVO",
        oggetto=f"Consuntivo {consuntivo.pk}",
        impronta="0" * 64,
        codice_verifica=f"T{consuntivo.pk:09d}",
    )
    Consuntivo.objects.filter(pk=consuntivo.pk).update(registrazione=registrazione)
    if con_ricevuta:
        Ricevuta.objects.create(
            registrazione=registrazione,
            pdf=ContentFile(MINIMAL_PDF, name=f"ricevuta-{consuntivo.pk}.pdf"),
            sha256=hashlib.sha256(MINIMAL_PDF).hexdigest(),
        )
    consuntivo.refresh_from_db()
    return registrazione
