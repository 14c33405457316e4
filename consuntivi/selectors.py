"""Which consuntivi a user may see, and the reads built on them (SR41 data).

Visibility follows the domande: `claims.selectors.domande_for` (the companies the user acts for;
regional officers see every submitted domanda). Sending and uploading need more than seeing: the
user must act for the company (`domanda_per_invio`), so an officer or a stranger gets a 404 there.
"""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Sum, TextField
from django.db.models.functions import Cast, Coalesce
from django.shortcuts import get_object_or_404

from anagrafica.models import User
from anagrafica.selectors import aziende_for
from claims.constants import NON_VIVE
from claims.models import Domanda, Lavoratore
from claims.selectors import domande_for

from .models import CaricamentoConsuntivo, Consuntivo, RigaCaricamento, RigaConsuntivo
from .rules import giorni_lavorativi, periodo_nel_mese


def consuntivi_for(user: User) -> QuerySet[Consuntivo]:
    return Consuntivo.objects.filter(domanda__in=domande_for(user))


def consuntivo_get_for(user: User, pk: int) -> Consuntivo:
    return get_object_or_404(
        consuntivi_for(user).select_related(
            "domanda__azienda", "domanda__registrazione", "registrazione", "inviato_da"
        ),
        pk=pk,
    )


def consuntivo_dati_trasmessi(consuntivo: Consuntivo) -> dict[str, Any]:
    """What was transmitted, as the fingerprint of the register covers it: the snapshot (header and
    total hours) with "righe", one {codice_fiscale, cognome, nome, ore, retribuzione_mensile} per line
    in the order they were sent (the order of their ids). Anyone holding the consuntivo and its lines
    can rebuild it, and so recompute the fingerprint.

    The lines are read from `RigaConsuntivo`, the only copy kept since consuntivi/0008; a snapshot
    written before then holds its own "righe" and is returned as it was stored, so its fingerprint
    does not change."""
    dati: dict[str, Any] = consuntivo.dati_inviati
    if "righe" in dati:
        return dati
    # Numbers as PostgreSQL writes them ("16.0", "1850.00"), as the snapshots that held the lines
    # had them.
    righe = (
        RigaConsuntivo.objects.filter(consuntivo=consuntivo)
        .order_by("pk")
        .values_list(
            "lavoratore__codice_fiscale",
            "lavoratore__cognome",
            "lavoratore__nome",
            Cast("ore", TextField()),
            Cast("retribuzione_mensile", TextField()),
        )
    )
    campi = ("codice_fiscale", "cognome", "nome", "ore", "retribuzione_mensile")
    return {
        **dati,
        "righe": [dict(zip(campi, riga, strict=True)) for riga in righe.iterator(chunk_size=5000)],
    }


def domanda_per_invio(user: User, pk: int) -> Domanda:
    """A domanda the user may send consuntivi for: one of a company they act for."""
    return get_object_or_404(
        Domanda.objects.filter(azienda__in=aziende_for(user))
        .select_related("azienda", "registrazione")
        .defer("dati_presentati"),
        pk=pk,
    )


def caricamento_get_for(user: User, domanda: Domanda, pk: int) -> CaricamentoConsuntivo:
    return get_object_or_404(
        CaricamentoConsuntivo.objects.filter(domanda=domanda, domanda__in=domande_for(user)).select_related(
            "consuntivo__registrazione"
        ),
        pk=pk,
    )


def anteprima_caricamento(caricamento: CaricamentoConsuntivo, limite: int) -> dict[str, Any]:
    """The preview of a verified upload: totals, and per worker (the first `limite`, in file order)
    the hours of the month, those already sent in other months and the total against the request."""
    staged = RigaCaricamento.objects.filter(caricamento=caricamento)
    totali = staged.aggregate(righe=Count("riga"), ore=Sum("ore"), retribuzioni=Count("retribuzione_mensile"))
    gia_inviate = Subquery(
        RigaConsuntivo.objects.filter(
            consuntivo__domanda_id=caricamento.domanda_id,
            lavoratore__codice_fiscale=OuterRef("codice_fiscale"),
        )
        .exclude(consuntivo__mese=caricamento.mese)
        .values("lavoratore")
        .annotate(totale=Sum("ore"))
        .values("totale")
    )
    righe = list(
        staged.annotate(gia_inviate=Coalesce(gia_inviate, Decimal(0)))
        .annotate(totale=F("gia_inviate") + F("ore"))
        .order_by("riga")[:limite]
    )
    # The staged lines keep the codice fiscale: their workers, in one query. By the domanda's id, not
    # through `caricamento.domanda`, which would load the domanda and its snapshot of every worker.
    lavoratori_domanda = Lavoratore.objects.filter(domanda_id=caricamento.domanda_id)
    per_cf = {
        lavoratore.codice_fiscale: lavoratore
        for lavoratore in lavoratori_domanda.filter(codice_fiscale__in=[r.codice_fiscale for r in righe])
    }
    for riga in righe:
        riga.lavoratore = per_cf.get(riga.codice_fiscale)
    lavoratori = lavoratori_domanda.count()
    return {
        "righe": righe,
        "righe_totali": totali["righe"],
        "righe_nascoste": max(totali["righe"] - limite, 0),
        "ore_totali": totali["ore"] or Decimal(0),
        "con_retribuzione": totali["retribuzioni"],
        "lavoratori_esclusi": max(lavoratori - totali["righe"], 0),
    }


# --- SR41 -------------------------------------------------------------------------------------------

# CIG_40 of the SR41 is week by week: a month touches at most six calendar weeks (Monday to Sunday).
SETTIMANE_SR41 = 6

SR41_COLONNE = (
    "mese",
    "codice_fiscale_azienda",
    "ragione_sociale",
    "matricola_inps",
    "protocollo_domanda",
    "codice_autorizzazione_inps",
    "protocollo_consuntivo",
    "codice_fiscale",
    "cognome",
    "nome",
    "periodo_dal",
    "periodo_al",
    "ore_cigd",
    *(f"settimana_{n}_{campo}" for n in range(1, SETTIMANE_SR41 + 1) for campo in ("dal", "al", "ore")),
)


def _data(value: dt.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _ore(value: Decimal) -> str:
    return f"{value:.1f}".replace(".", ",")


def settimane_del_periodo(dal: dt.date, al: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The calendar weeks (Monday to Sunday) from `dal` to `al`, each cut to that span."""
    settimane = []
    inizio = dal
    while inizio <= al:
        fine = min(al, inizio + dt.timedelta(days=6 - inizio.weekday()))
        settimane.append((inizio, fine))
        inizio = fine + dt.timedelta(days=1)
    return settimane


def ore_per_settimana(ore: Decimal, settimane: list[tuple[dt.date, dt.date]]) -> list[Decimal]:
    """The month's hours spread over its weeks in proportion to their working days (Monday to Friday;
    calendar days if the span has none), in tenths of an hour that add up exactly to `ore`.

    The consuntivo records hours per month; CIG_40 wants them per week. Largest remainders keep each
    week within a tenth of its exact share, so no week exceeds what the worker could lose in it."""
    pesi = [giorni_lavorativi(dal, al) for dal, al in settimane]
    if not any(pesi):
        pesi = [(al - dal).days + 1 for dal, al in settimane]
    decimi, totale = int(ore * 10), sum(pesi)
    quote = [divmod(decimi * peso, totale) for peso in pesi]
    parti = [intero for intero, _resto in quote]
    per_resto = sorted(range(len(quote)), key=lambda i: (-quote[i][1], i))
    for i in per_resto[: decimi - sum(parti)]:
        parti[i] += 1
    return [Decimal(parte) / 10 for parte in parti]


def _settimane_sr41(dal: dt.date | None, al: dt.date | None, ore: Decimal) -> list[str]:
    celle: list[str] = []
    if dal is not None and al is not None:
        settimane = settimane_del_periodo(dal, al)
        for (inizio, fine), ore_settimana in zip(settimane, ore_per_settimana(ore, settimane), strict=True):
            celle += [_data(inizio), _data(fine), _ore(ore_settimana)]
    return celle + [""] * (3 * SETTIMANE_SR41 - len(celle))


def sr41_righe(consuntivi: QuerySet[Consuntivo]) -> Iterator[list[Any]]:
    """The data an employer needs for the monthly SR41 models sent to INPS (DOMAIN.md): one line per
    worker and consuntivo, with the part of the month inside the domanda's period, the hours of CIGD
    used and their split by week (CIG_40). Streamed from the database in chunks.

    Only consuntivi of live domande: after a rettifica the old protocol's consuntivi are entered again
    on the new one, and exporting both would pay the same worker-month twice."""
    righe = (
        RigaConsuntivo.objects.filter(consuntivo__in=consuntivi)
        .exclude(consuntivo__domanda__stato__in=NON_VIVE)
        .select_related(
            "lavoratore",
            "consuntivo__registrazione",
            "consuntivo__domanda__azienda",
            "consuntivo__domanda__registrazione",
        )
        .order_by(
            "consuntivo__mese",
            "consuntivo__domanda__azienda__ragione_sociale",
            "consuntivo__domanda_id",
            "lavoratore__cognome",
            "lavoratore__nome",
        )
    )
    for riga in righe.iterator(chunk_size=2000):
        consuntivo, lavoratore = riga.consuntivo, riga.lavoratore
        domanda = consuntivo.domanda
        dal, al = periodo_nel_mese(domanda, consuntivo.mese) or (None, None)
        yield [
            f"{consuntivo.mese:%m/%Y}",
            domanda.azienda.codice_fiscale,
            domanda.azienda.ragione_sociale,
            domanda.azienda.matricola_inps,
            domanda.protocollo or "",
            domanda.codice_autorizzazione_inps,  # given by INPS after the act's Flusso B; empty until then
            consuntivo.protocollo or "",
            lavoratore.codice_fiscale,
            lavoratore.cognome,
            lavoratore.nome,
            _data(dal),
            _data(al),
            _ore(riga.ore),
            *_settimane_sr41(dal, al, riga.ore),
        ]
