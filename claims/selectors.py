"""Which domande a user may see. Every company-side view and endpoint goes through here."""

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from anagrafica.models import Azienda, CentroImpiego, User
from anagrafica.selectors import aziende_for

from .constants import NON_PRESENTATE, STATI_SULLA_SCRIVANIA, VIVE, EsitoRichiesta, StatoDomanda
from .models import Domanda, FinestraPresentazione, Lavoratore, Misura, RichiestaRegione
from .rules import lavoratori_sovrapposti


def domande_for(user: User) -> QuerySet[Domanda]:
    """Company side: every domanda (drafts included, discarded drafts not) of the companies the user
    may act for. Regional officers: every domanda except drafts, which stay invisible to the Region."""
    if user.is_authenticated and user.is_funzionario:
        return Domanda.objects.exclude(stato__in=NON_PRESENTATE)
    # The companies first (aziende_for: a UNION of two index lookups, estimated as the few rows they
    # are), then their domande on the index of `azienda_id` (issue 19).
    return Domanda.objects.filter(azienda_id__in=aziende_for(user).order_by().values("pk")).exclude(
        stato=StatoDomanda.ELIMINATA
    )


def domanda_get_for(user: User, pk: int) -> Domanda:
    return get_object_or_404(
        domande_for(user).select_related(
            "azienda", "sede__comune", "misura", "presentata_da", "registrazione__ricevuta"
        ),
        pk=pk,
    )


def con_totali_lavoratori(domande: QuerySet[Domanda]) -> QuerySet[Domanda]:
    """`num_lavoratori` and `ore_totali` of each domanda as correlated subqueries (no GROUP BY over the
    joined rows): for one page of a list, after the page has been taken."""
    lavoratori = Lavoratore.objects.filter(domanda=OuterRef("pk")).order_by().values("domanda")
    return domande.annotate(
        num_lavoratori=Coalesce(Subquery(lavoratori.annotate(n=Count("pk")).values("n")), 0),
        ore_totali=Coalesce(
            Subquery(lavoratori.annotate(ore=Sum("ore_richieste")).values("ore")),
            Value(Decimal(0)),
            output_field=DecimalField(max_digits=10, decimal_places=1),
        ),
    )


def pagina_di_domande(pks: Sequence[int], *relazioni: str) -> list[Domanda]:
    """The rows of one page of a list, in the page's order: the page is taken first on the bare,
    indexed ordering (ids only), then only its rows are joined and summed. The JSON snapshot of what
    was submitted (`dati_presentati`, the largest column) is left in the database."""
    righe = (
        con_totali_lavoratori(Domanda.objects.filter(pk__in=list(pks)))
        .select_related(*relazioni)
        .defer("dati_presentati")
        .in_bulk()
    )
    return [righe[pk] for pk in pks if pk in righe]


def finestre_aperte(day: dt.date) -> QuerySet[FinestraPresentazione]:
    return FinestraPresentazione.objects.filter(
        presentazione_dal__lte=day, presentazione_al__gte=day
    ).select_related("misura")


def misure_aperte(day: dt.date) -> QuerySet[Misura]:
    return Misura.objects.filter(
        finestre__presentazione_dal__lte=day, finestre__presentazione_al__gte=day
    ).distinct()


def lavoratori_in_altre_aziende(domanda: Domanda) -> QuerySet[Lavoratore]:
    """The domanda's workers who are also in a live domanda of another company for overlapping days.
    Allowed (a worker may have two part-time employers), but the officer is shown them to check the
    hours together."""
    codici = domanda.lavoratori.values_list("codice_fiscale", flat=True)
    return lavoratori_sovrapposti(domanda, codici).exclude(domanda__azienda=domanda.azienda_id)


def richieste_in_attesa(user: User) -> int:
    """The backoffice counter: requests of modifica/annullamento waiting for an officer's answer.
    Zero for everyone who does not answer them."""
    if not (user.is_authenticated and user.is_funzionario):
        return 0
    return RichiestaRegione.objects.filter(esito=EsitoRichiesta.IN_ATTESA).count()


# --- the officers' queue -----------------------------------------------------------------------


def richiesta_pendente() -> Exists:
    return Exists(RichiestaRegione.objects.filter(domanda=OuterRef("pk"), esito=EsitoRichiesta.IN_ATTESA))


def lavoratore_altrove() -> Exists:
    """A worker of the domanda is also in another company's live domanda with overlapping days."""
    return Exists(
        Lavoratore.objects.filter(domanda=OuterRef("pk")).filter(
            Exists(
                Lavoratore.objects.filter(
                    codice_fiscale=OuterRef("codice_fiscale"),
                    domanda__stato__in=VIVE,
                    domanda__data_inizio__lte=OuterRef("domanda__data_fine"),
                    domanda__data_fine__gte=OuterRef("domanda__data_inizio"),
                ).exclude(domanda__azienda=OuterRef("domanda__azienda"))
            )
        )
    )


def prima_domanda() -> Combinable:
    """No live domanda of the same site under the same measure was submitted before this one."""
    return ~Exists(
        Domanda.objects.filter(
            sede=OuterRef("sede"),
            misura=OuterRef("misura"),
            stato__in=VIVE,
            presentata_il__lt=OuterRef("presentata_il"),
        )
    )


def coda_istruttoria() -> QuerySet[Domanda]:
    """Every submitted domanda, oldest first (claims are examined in the order they arrived). What the
    queue shows of each is added by `con_dettagli` to one page only: computed for every row skipped by
    an offset, it would make page 400 of a month's queue take seconds."""
    return (
        Domanda.objects.exclude(stato__in=NON_PRESENTATE)
        .select_related("azienda", "sede__comune", "misura", "registrazione", "assegnata_a")
        .order_by("presentata_il", "pk")
    )


def con_dettagli(domande: QuerySet[Domanda]) -> QuerySet[Domanda]:
    """Workers, hours, CPI and flags of each domanda, each a correlated subquery: a page of the queue
    or an export costs the same number of queries whatever its length."""
    return con_totali_lavoratori(domande).annotate(
        cpi_nome=Subquery(
            CentroImpiego.objects.filter(comuni=OuterRef("sede__comune")).order_by("nome").values("nome")[:1]
        ),
        richiesta_pendente=richiesta_pendente(),
        lavoratore_altrove=lavoratore_altrove(),
        prima_domanda=prima_domanda(),
    )


def pagina_con_dettagli(pagina: Iterable[Domanda]) -> list[Domanda]:
    """One page of the queue, in its order, with `con_dettagli` and the weeks each site has used."""
    pks = [domanda.pk for domanda in pagina]
    dettagli = con_dettagli(coda_istruttoria().filter(pk__in=pks)).in_bulk()
    domande = [dettagli[pk] for pk in pks if pk in dettagli]
    giorni = giorni_usati_per_sede(domande)
    for domanda in domande:
        domanda.giorni_usati_sede = giorni.get((domanda.sede_id, domanda.misura_id), 0)  # type: ignore[attr-defined]
    return domande


def giorni_usati_per_sede(domande: Iterable[Domanda]) -> dict[tuple[int, int], int]:
    """Days of each (sede, misura) of `domande` covered by its live domande, each day once (the union
    of their periods, DOMAIN.md "a site's weeks under a measure"). One query for a page of the queue."""
    coppie = {(d.sede_id, d.misura_id) for d in domande}
    if not coppie:
        return {}
    condizione = Q()
    for sede, misura in coppie:
        condizione |= Q(sede=sede, misura=misura)
    periodi = (
        Domanda.objects.filter(condizione, stato__in=VIVE)
        .order_by("sede_id", "misura_id", "data_inizio")
        .values_list("sede_id", "misura_id", "data_inizio", "data_fine")
    )
    # The union of the periods, merged in order: a site with thousands of domande costs one pass over
    # them, not a set of every day each covers.
    giorni: dict[tuple[int, int], int] = dict.fromkeys(coppie, 0)
    aperto: dict[tuple[int, int], tuple[dt.date, dt.date]] = {}
    for sede, misura, inizio, fine in periodi:
        coppia = (sede, misura)
        corrente = aperto.get(coppia)
        if corrente is not None and inizio <= corrente[1] + dt.timedelta(days=1):
            aperto[coppia] = (corrente[0], max(corrente[1], fine))
            continue
        if corrente is not None:
            giorni[coppia] += (corrente[1] - corrente[0]).days + 1
        aperto[coppia] = (inizio, fine)
    for coppia, (inizio, fine) in aperto.items():
        giorni[coppia] += (fine - inizio).days + 1
    return giorni


def contatori_backoffice(user: User) -> dict[str, int]:
    """The figures on the backoffice home: what waits, what is on the officer's desk, what is pending."""
    domande = Domanda.objects.exclude(stato__in=NON_PRESENTATE)
    return {
        "da_prendere": domande.filter(stato=StatoDomanda.PRESENTATA, assegnata_a__isnull=True).count(),
        "mie": domande.filter(assegnata_a=user, stato__in=STATI_SULLA_SCRIVANIA).count(),
        "in_istruttoria": domande.filter(stato=StatoDomanda.IN_ISTRUTTORIA).count(),
        "ammissibili": domande.filter(stato=StatoDomanda.AMMISSIBILE).count(),
        "richieste": RichiestaRegione.objects.filter(esito=EsitoRichiesta.IN_ATTESA).count(),
    }


_SEGNATURA = re.compile(r"^(\d{4})\s*/\s*(\d{1,9})$")


def _cifre(testo: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts "²", which int() refuses."""
    return testo.isascii() and testo.isdigit()


def ricerca_domande(testo: str) -> Q:
    """What an officer types in the queue's search box, as they type it: the protocol as printed
    (`2026/0000005`), a P.IVA (with or without `IT`), the codice fiscale of the company, of its legal
    representative or of a worker, or part of the company's name."""
    testo = re.sub(r"\s+", " ", testo).strip().upper()
    if segnatura := _SEGNATURA.match(testo):
        return Q(registrazione__anno=int(segnatura[1]), registrazione__numero=int(segnatura[2]))
    compatto = testo.replace(" ", "")
    if compatto.startswith("IT") and _cifre(compatto[2:]):
        compatto = compatto[2:]
    if _cifre(compatto) and len(compatto) == 11:
        return Q(azienda__partita_iva=compatto) | Q(azienda__codice_fiscale=compatto)
    if len(compatto) == 16 and compatto.isalnum():
        # Both sides resolved first through their indexes (company, legal representative, worker): as
        # subqueries ORed together the planner reads every domanda (issue 19).
        aziende = Azienda.objects.filter(Q(codice_fiscale=compatto) | Q(lr_codice_fiscale=compatto))
        lavoratori = Lavoratore.objects.filter(codice_fiscale=compatto)
        return Q(azienda_id__in=list(aziende.order_by().values_list("pk", flat=True))) | Q(
            pk__in=list(lavoratori.order_by().values_list("domanda_id", flat=True))
        )
    if _cifre(compatto) and len(compatto) <= 9:
        # A protocol number without its year, as on a phone call: "the 5".
        return Q(registrazione__numero=int(compatto))
    return Q(azienda__ragione_sociale__icontains=testo)
