import datetime as dt
import hashlib
from decimal import Decimal

import factory
from django.core.files.base import ContentFile

from claims.constants import Qualifica, StatoDomanda, TipoContratto
from claims.models import Domanda, FinestraPresentazione, Lavoratore, Misura
from protocollo.models import RegistrazioneProtocollo
from tests.anagrafica.factories import SedeFactory, UserFactory, make_codice_fiscale

# A real one-page PDF: the agreement upload parses the file (core/pdf.py).
from tests.core.pdfs import MINIMAL_PDF


class MisuraFactory(factory.django.DjangoModelFactory):
    """A measure open around today: periods from 60 days ago to 90 days ahead, 9 weeks per site."""

    class Meta:
        model = Misura
        skip_postgeneration_save = True
        django_get_or_create = ("codice",)

    codice = factory.Sequence(lambda n: f"cigd-{n}")
    nome = "CIGD COVID-19, DL 18/2020"
    base_giuridica = "DL 18/2020 art. 22"
    periodo_dal = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=60))
    periodo_al = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=90))
    max_settimane_per_sede = 9
    data_assunzione_entro = factory.LazyAttribute(lambda m: m.periodo_dal)
    finestra = factory.RelatedFactory("tests.claims.factories.FinestraFactory", factory_related_name="misura")


class FinestraFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinestraPresentazione
        skip_postgeneration_save = True

    misura = factory.SubFactory(MisuraFactory, finestra=None)
    nome = "Finestra aperta"
    presentazione_dal = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=30))
    presentazione_al = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=30))
    periodo_dal = factory.LazyAttribute(lambda f: f.misura.periodo_dal)
    periodo_al = factory.LazyAttribute(lambda f: f.misura.periodo_al)


def _decisione(stato: str):
    def passo(domanda: Domanda, funzionario) -> None:
        from claims.services.domande import domanda_transition

        domanda_transition(actor=funzionario, domanda=domanda, to=stato, note="Decisione di prova")

    return passo


def _autorizza(domanda: Domanda, funzionario) -> None:
    from claims.services.domande import domanda_autorizza

    domanda_autorizza(actor=funzionario, domanda=domanda, ore={}, note="Determinazione di prova")


def _trasmetti(domanda: Domanda, funzionario) -> None:
    from claims.services.domande import domanda_trasmetti_inps

    domanda_trasmetti_inps(actor=funzionario, domanda=domanda, note="Flusso B di prova")


def _esito(**esito):
    def passo(domanda: Domanda, funzionario) -> None:
        from claims.services.domande import domanda_esito_inps

        domanda_esito_inps(actor=funzionario, domanda=domanda, note="Esito INPS di prova", **esito)

    return passo


S = StatoDomanda
_ISTRUTTORIA, _AMMISSIBILE = _decisione(S.IN_ISTRUTTORIA), _decisione(S.AMMISSIBILE)
# How a domanda reaches each state through the services, after its submission.
PERCORSI = {
    S.PRESENTATA: [],
    S.IN_ISTRUTTORIA: [_ISTRUTTORIA],
    S.DA_RETTIFICARE: [_ISTRUTTORIA, _decisione(S.DA_RETTIFICARE)],
    S.AMMISSIBILE: [_ISTRUTTORIA, _AMMISSIBILE],
    S.AUTORIZZATA: [_ISTRUTTORIA, _AMMISSIBILE, _autorizza],
    S.TRASMESSA_INPS: [_ISTRUTTORIA, _AMMISSIBILE, _autorizza, _trasmetti],
    S.ACCOLTA_INPS: [_ISTRUTTORIA, _AMMISSIBILE, _autorizza, _trasmetti, _esito(codice="CIGD-PROVA-0001")],
    S.ANOMALIA_INPS: [
        _ISTRUTTORIA,
        _AMMISSIBILE,
        _autorizza,
        _trasmetti,
        _esito(anomalia="Matricola errata"),
    ],
    S.NON_AMMISSIBILE: [_ISTRUTTORIA, _decisione(S.NON_AMMISSIBILE)],
    S.ANNULLATA: [_decisione(S.ANNULLATA)],
}


def avanza(domanda: Domanda, stato: str, *, presentata_il: dt.datetime | None = None) -> Domanda:
    """Take a complete draft to `stato` as the app would: submitted by its author (rules, snapshot,
    history), then the officer's decisions. `presentata_il` back-dates the submission for tests of time."""
    from claims.services.domande import domanda_submit

    domanda_submit(actor=domanda.creata_da, domanda=domanda)
    # No e-mail: the officer of the test decisions is nobody's recipient (digests, notifications).
    funzionario = UserFactory(funzionario=True, email="") if PERCORSI[stato] else None
    for passo in PERCORSI[stato]:
        passo(domanda, funzionario)
    if presentata_il is not None:
        Domanda.objects.filter(pk=domanda.pk).update(presentata_il=presentata_il)
    domanda.refresh_from_db()
    return domanda


def misura_dell_anno(anno: int, **campi) -> Misura:
    """A measure whose periods cover the whole of `anno` (window open today), for domande of a past
    year; the first domanda of a site may take its 9 weeks at once."""
    inizio = dt.date(anno, 1, 1)
    return MisuraFactory(
        periodo_dal=inizio,
        periodo_al=dt.date(anno, 12, 31),
        data_assunzione_entro=inizio,
        max_settimane_prima_domanda=9,
        **campi,
    )


def domanda_con_lavoratori(
    stato: str = StatoDomanda.PRESENTATA, *, lavoratori: int = 2, lavoratore: dict | None = None, **campi
) -> Domanda:
    """A domanda with `lavoratori` workers made as `lavoratore` says, then taken to `stato` through the
    services (`avanza`)."""
    domanda = DomandaFactory(lavoratori=[], **campi)
    LavoratoreFactory.create_batch(lavoratori, domanda=domanda, **(lavoratore or {}))
    return domanda if stato == StatoDomanda.BOZZA else avanza(domanda, stato)


class DomandaFactory(factory.django.DjangoModelFactory):
    """A complete draft that passes every submission rule; traits give the later states, reached through
    the services (`avanza`), so that no row exists that the app itself would never write."""

    class Meta:
        model = Domanda
        skip_postgeneration_save = True

    sede = factory.SubFactory(SedeFactory)
    azienda = factory.LazyAttribute(lambda d: d.sede.azienda)
    misura = factory.SubFactory(MisuraFactory)
    data_inizio = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=14))
    data_fine = factory.LazyAttribute(lambda d: d.data_inizio + dt.timedelta(days=13))
    referente_nome = "Paola Neri"
    referente_email = "paola.neri@example.it"
    referente_telefono = "011 5550000"
    accordo_data = factory.LazyAttribute(lambda d: d.data_inizio - dt.timedelta(days=3))
    accordo_file = factory.LazyFunction(lambda: ContentFile(MINIMAL_PDF, name="accordo.pdf"))
    accordo_sha256 = hashlib.sha256(MINIMAL_PDF).hexdigest()
    dichiara_assenza_altri_ammortizzatori = True
    dichiara_veridicita = True
    creata_da = factory.LazyAttribute(
        lambda d: UserFactory(
            codice_fiscale=d.sede.azienda.lr_codice_fiscale, username=d.sede.azienda.lr_codice_fiscale
        )
    )
    lavoratori = factory.RelatedFactoryList(
        "tests.claims.factories.LavoratoreFactory", factory_related_name="domanda", size=2
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        stato = kwargs.pop("stato", StatoDomanda.BOZZA)
        presentata_il = kwargs.pop("presentata_il", None)
        domanda = super()._create(model_class, *args, **kwargs)
        domanda._stato_richiesto = (stato, presentata_il)
        return domanda

    @factory.post_generation
    def percorso(obj, create, extracted, **kwargs):
        """After the workers exist (declared before): submit and decide up to the state asked."""
        stato, presentata_il = getattr(obj, "_stato_richiesto", (StatoDomanda.BOZZA, None))
        if create and stato != StatoDomanda.BOZZA:
            avanza(obj, stato, presentata_il=presentata_il)

    class Params:
        presentata = factory.Trait(stato=StatoDomanda.PRESENTATA)
        in_istruttoria = factory.Trait(presentata=True, stato=StatoDomanda.IN_ISTRUTTORIA)
        da_rettificare = factory.Trait(presentata=True, stato=StatoDomanda.DA_RETTIFICARE)
        ammissibile = factory.Trait(presentata=True, stato=StatoDomanda.AMMISSIBILE)
        autorizzata = factory.Trait(presentata=True, stato=StatoDomanda.AUTORIZZATA)
        trasmessa_inps = factory.Trait(presentata=True, stato=StatoDomanda.TRASMESSA_INPS)
        accolta_inps = factory.Trait(presentata=True, stato=StatoDomanda.ACCOLTA_INPS)
        anomalia_inps = factory.Trait(presentata=True, stato=StatoDomanda.ANOMALIA_INPS)
        non_ammissibile = factory.Trait(presentata=True, stato=StatoDomanda.NON_AMMISSIBILE)
        annullata = factory.Trait(presentata=True, stato=StatoDomanda.ANNULLATA)


def bozza_dal_passo_1(**campi) -> Domanda:
    """A draft as step 1 leaves it: its period only, no workers, referente, agreement or declarations."""
    vuoti = {
        "lavoratori": [],
        "referente_nome": "",
        "referente_email": "",
        "referente_telefono": "",
        "accordo_data": None,
        "accordo_file": "",
        "accordo_sha256": "",
        "dichiara_assenza_altri_ammortizzatori": False,
        "dichiara_veridicita": False,
    }
    return DomandaFactory(**{**vuoti, **campi})


class LavoratoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lavoratore
        skip_postgeneration_save = True

    domanda = factory.SubFactory(DomandaFactory, lavoratori=[])
    codice_fiscale = factory.Sequence(lambda n: make_codice_fiscale(n + 20000))
    cognome = factory.Sequence(lambda n: f"Bianco{n}")
    nome = "Luca"
    qualifica = Qualifica.OPERAIO
    tipo_contratto = TipoContratto.INDETERMINATO
    ore_settimanali = Decimal("40.0")
    ore_richieste = Decimal("40.0")
    data_assunzione = dt.date(2015, 3, 1)


def registra_con_numero(domanda: Domanda, numero: int, anno: int = 2026) -> RegistrazioneProtocollo:
    """A register row with a chosen number, linked to `domanda` (what searches by protocol look up),
    without the worker or the counter."""
    registrazione = RegistrazioneProtocollo.objects.create(
        anno=anno,
        numero=numero,
        registrata_il=domanda.presentata_il,
        tipo_documento="domanda",
        oggetto=str(domanda),
        impronta="0" * 64,
        codice_verifica=f"V{anno}{numero}",
    )
    Domanda.objects.filter(pk=domanda.pk).update(registrazione=registrazione)
    return registrazione
