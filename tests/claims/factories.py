import datetime as dt
import hashlib
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from claims.constants import Qualifica, StatoDomanda, TipoContratto
from claims.models import Domanda, FinestraPresentazione, Lavoratore, Misura
from tests.anagrafica.factories import SedeFactory, UserFactory, make_codice_fiscale

MINIMAL_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


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


class DomandaFactory(factory.django.DjangoModelFactory):
    """A complete draft that passes every submission rule; traits give the later states."""

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

    class Params:
        presentata = factory.Trait(
            stato=StatoDomanda.PRESENTATA,
            presentata_il=factory.LazyFunction(timezone.now),
            presentata_da=factory.SelfAttribute("creata_da"),
        )
        in_istruttoria = factory.Trait(presentata=True, stato=StatoDomanda.IN_ISTRUTTORIA)
        da_rettificare = factory.Trait(presentata=True, stato=StatoDomanda.DA_RETTIFICARE)
        ammissibile = factory.Trait(presentata=True, stato=StatoDomanda.AMMISSIBILE)
        autorizzata = factory.Trait(presentata=True, stato=StatoDomanda.AUTORIZZATA)
        trasmessa_inps = factory.Trait(presentata=True, stato=StatoDomanda.TRASMESSA_INPS)
        accolta_inps = factory.Trait(presentata=True, stato=StatoDomanda.ACCOLTA_INPS)
        anomalia_inps = factory.Trait(presentata=True, stato=StatoDomanda.ANOMALIA_INPS)
        non_ammissibile = factory.Trait(presentata=True, stato=StatoDomanda.NON_AMMISSIBILE)
        annullata = factory.Trait(presentata=True, stato=StatoDomanda.ANNULLATA)


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
