"""Which consuntivi a user may see, and the reads built on them (SR41 data).

Visibility follows the domande: `claims.selectors.domande_for` (the companies the user acts for;
regional officers see every submitted domanda). Sending and uploading need more than seeing: the
user must act for the company (`domanda_per_invio`), so an officer or a stranger gets a 404 there.
"""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from anagrafica.models import User
from anagrafica.selectors import aziende_for
from claims.models import Domanda
from claims.selectors import domande_for

from .models import CaricamentoConsuntivo, Consuntivo, RigaConsuntivo
from .rules import periodo_nel_mese


def consuntivi_for(user: User) -> QuerySet[Consuntivo]:
    return Consuntivo.objects.filter(domanda__in=domande_for(user))


def consuntivo_get_for(user: User, pk: int) -> Consuntivo:
    return get_object_or_404(
        consuntivi_for(user).select_related(
            "domanda__azienda", "domanda__registrazione", "registrazione", "inviato_da"
        ),
        pk=pk,
    )


def domanda_per_invio(user: User, pk: int) -> Domanda:
    """A domanda the user may send consuntivi for: one of a company they act for."""
    return get_object_or_404(
        Domanda.objects.filter(azienda__in=aziende_for(user)).select_related("azienda", "registrazione"),
        pk=pk,
    )


def caricamento_get_for(user: User, domanda: Domanda, pk: int) -> CaricamentoConsuntivo:
    return get_object_or_404(
        CaricamentoConsuntivo.objects.filter(domanda=domanda, domanda__in=domande_for(user)).select_related(
            "consuntivo__registrazione"
        ),
        pk=pk,
    )


# --- SR41 -------------------------------------------------------------------------------------------

SR41_COLONNE = (
    "mese",
    "codice_fiscale_azienda",
    "ragione_sociale",
    "matricola_inps",
    "protocollo_domanda",
    "protocollo_consuntivo",
    "codice_fiscale",
    "cognome",
    "nome",
    "periodo_dal",
    "periodo_al",
    "ore_cigd",
)


def _data(value: dt.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def _ore(value: Decimal) -> str:
    return f"{value:.1f}".replace(".", ",")


def sr41_righe(consuntivi: QuerySet[Consuntivo]) -> Iterator[list[Any]]:
    """The data an employer needs for the monthly SR41 models sent to INPS (DOMAIN.md): one line per
    worker and consuntivo, with the part of the month inside the domanda's period and the hours of
    CIGD used. Streamed from the database in chunks."""
    righe = (
        RigaConsuntivo.objects.filter(consuntivo__in=consuntivi)
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
            consuntivo.protocollo or "",
            lavoratore.codice_fiscale,
            lavoratore.cognome,
            lavoratore.nome,
            _data(dal),
            _data(al),
            _ore(riga.ore),
        ]
