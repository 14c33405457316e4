"""Retention of personal data (GDPR art. 5(1)(e), storage limitation; art. 17): what the app no
longer needs is deleted or made anonymous by a periodic task (`claims.tasks.retenzione`, beat) or
by `manage.py retenzione`.

- A draft (BOZZA) never submitted and untouched for `RETENZIONE_BOZZE_GIORNI` days, or one the company
  deleted (ELIMINATA) whatever its age, is deleted, with
  its workers, its history and its agreement file.
- A closed domanda (`STATI_CHIUSI`: accepted by INPS, not admissible, cancelled, replaced) whose last change is older than
  `RETENZIONE_DOMANDE_CHIUSE_GIORNI` days keeps its numbers, hours, states and dates, and loses its
  personal data: the workers' codici fiscali and names (replaced by a pseudonym that is unique in
  the domanda), the contact person, the agreement PDF, the free text of requests and history, and
  the same fields in the submission snapshot. Upper apps anonymise their own rows of those domande
  through `register_anonimizzatore` (consuntivi: the monthly snapshots and uploaded files).

The protocol register and the receipts are kept as they are (DPR 445/2000 art. 57 and the
archiving rules for public records): their triggers refuse any change, with or without the
retention setting (claims/0013).
"""

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from anagrafica.models import User

from ..constants import TRANSITIONS, StatoDomanda
from ..models import Domanda, EventoDomanda, Lavoratore, RichiestaRegione

logger = logging.getLogger(__name__)

# The end of a domanda's life: the states it never leaves, plus ACCOLTA_INPS, the end of the normal
# path (only a revocation leaves it, which after the default ten years, the ordinary limitation
# period of art. 2946 c.c., no longer comes).
STATI_CHIUSI = frozenset(
    {StatoDomanda.ACCOLTA_INPS} | {stato for stato in StatoDomanda if not TRANSITIONS.get(stato)}
)
ANONIMO = "ANONIMO"
TESTO_ANONIMIZZATO = "[dato personale rimosso per decorrenza dei termini di conservazione]"
# Domande read per query; each is then handled in its own transaction.
LOTTO = 500
# The nightly task starts no new domanda after this (Celery's soft time limit is 240 s).
SECONDI_TASK = 200

# Called with the domanda and its workers' pseudonyms (real codice fiscale -> pseudonym).
Anonimizzatore = Callable[[Domanda, dict[str, str]], None]
_anonimizzatori: list[Anonimizzatore] = []


def register_anonimizzatore(funzione: Anonimizzatore) -> None:
    """An upper app's rows of a domanda being anonymised (called in the same transaction)."""
    if funzione not in _anonimizzatori:
        _anonimizzatori.append(funzione)


@dataclass(frozen=True)
class EsitoRetenzione:
    bozze_cancellate: int
    domande_anonimizzate: int


@contextmanager
def anonimizzazione_consentita() -> Iterator[None]:
    """Open the triggers' narrow door (claims/0013) for the block only. `set_config(..., true)` lasts
    at most until the end of the transaction (never leaks through a pooled connection); closing it
    at the end of the block also keeps it shut for the rest of an enclosing transaction, and a block
    that fails is rolled back to its savepoint, which restores the setting as well."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('aminder.anonimizzazione_consentita', 'on', true)")
        yield
        cursor.execute("SELECT set_config('aminder.anonimizzazione_consentita', 'off', true)")


def bozze_scadute(adesso: dt.datetime) -> QuerySet[Domanda]:
    limite = adesso - dt.timedelta(days=settings.RETENZIONE_BOZZE_GIORNI)
    # A draft the company deleted goes at the next run, whatever its age.
    return Domanda.objects.filter(
        Q(stato=StatoDomanda.BOZZA, updated_at__lt=limite) | Q(stato=StatoDomanda.ELIMINATA),
        presentata_il__isnull=True,
        registrazione__isnull=True,
        richieste__isnull=True,
    )


def domande_chiuse_scadute(adesso: dt.datetime) -> QuerySet[Domanda]:
    limite = adesso - dt.timedelta(days=settings.RETENZIONE_DOMANDE_CHIUSE_GIORNI)
    return (
        Domanda.objects.filter(stato__in=STATI_CHIUSI, anonimizzata_il__isnull=True)
        .annotate(chiusa_il=Max("eventi__created_at"))
        .filter(chiusa_il__lt=limite, updated_at__lt=limite)
    )


def bozza_delete_scaduta(*, actor: User | None = None, pk: int) -> bool:
    """Delete one expired draft, if it still is one once locked (a company may have just edited it)."""
    with transaction.atomic():
        bozza = Domanda.objects.select_for_update().filter(pk=pk).first()
        if bozza is None or not bozze_scadute(timezone.now()).filter(pk=pk).exists():
            return False
        if bozza.accordo_file:
            transaction.on_commit(partial(bozza.accordo_file.storage.delete, bozza.accordo_file.name))
        with anonimizzazione_consentita():
            EventoDomanda.objects.filter(domanda=bozza).delete()
            bozza.delete()  # the workers go with it (CASCADE)
    return True


def domanda_anonymise(*, actor: User | None = None, pk: int) -> bool:
    """Anonymise one closed domanda past its retention, if it still qualifies once locked."""
    with transaction.atomic():
        domanda = Domanda.objects.select_for_update().get(pk=pk)
        if not domande_chiuse_scadute(timezone.now()).filter(pk=pk).exists():
            return False
        with anonimizzazione_consentita():
            lavoratori = list(domanda.lavoratori.order_by("pk"))
            # Unique in the domanda and never a real codice fiscale: the 7th character, "O", is neither a
            # digit nor an omocodia letter.
            pseudonimi = {
                lav.codice_fiscale: f"{ANONIMO}{n:09d}" for n, lav in enumerate(lavoratori, start=1)
            }
            for lavoratore in lavoratori:
                lavoratore.codice_fiscale = pseudonimi[lavoratore.codice_fiscale]
                lavoratore.cognome = lavoratore.nome = ANONIMO
            Lavoratore.objects.bulk_update(lavoratori, ["codice_fiscale", "cognome", "nome"])
            if domanda.accordo_file:
                transaction.on_commit(partial(domanda.accordo_file.storage.delete, domanda.accordo_file.name))
            domanda.accordo_file = ""  # type: ignore[assignment]
            domanda.referente_nome = domanda.referente_email = domanda.referente_telefono = ""
            if domanda.dati_presentati:
                domanda.dati_presentati = _snapshot_anonimo(domanda.dati_presentati, pseudonimi)
            domanda.anonimizzata_il = timezone.now()
            domanda.save(
                update_fields=[
                    "accordo_file",
                    "referente_nome",
                    "referente_email",
                    "referente_telefono",
                    "dati_presentati",
                    "anonimizzata_il",
                    "updated_at",
                ]
            )
            EventoDomanda.objects.filter(domanda=domanda).exclude(note="", dati={}).update(
                note=TESTO_ANONIMIZZATO, dati={}
            )
            RichiestaRegione.objects.filter(domanda=domanda).update(
                motivo=TESTO_ANONIMIZZATO, risposta=TESTO_ANONIMIZZATO
            )
            for anonimizzatore in _anonimizzatori:
                anonimizzatore(domanda, pseudonimi)
    return True


def retenzione_run(*, actor: User | None = None, secondi: float | None = None) -> EsitoRetenzione:
    """Apply the retention rules to every domanda due, each in its own transaction, in batches of
    `LOTTO`. With `secondi`, no new domanda is started after that many seconds (the beat task stays
    inside Celery's time limit; what is left is done the next night)."""
    scadenza = time.monotonic() + secondi if secondi is not None else None
    bozze = chiuse = 0
    for pk in _da_trattare(bozze_scadute, scadenza):
        bozze += bozza_delete_scaduta(actor=actor, pk=pk)
    for pk in _da_trattare(domande_chiuse_scadute, scadenza):
        chiuse += domanda_anonymise(actor=actor, pk=pk)
    logger.info("retenzione: %d bozze cancellate, %d domande anonimizzate", bozze, chiuse)
    return EsitoRetenzione(bozze_cancellate=bozze, domande_anonimizzate=chiuse)


def _da_trattare(
    scadute: Callable[[dt.datetime], QuerySet[Domanda]], scadenza: float | None
) -> Iterator[int]:
    """The ids due, in order, batch after batch, each once, until none is left or time is up."""
    ultimo = 0
    while True:
        lotto = list(
            scadute(timezone.now()).filter(pk__gt=ultimo).order_by("pk").values_list("pk", flat=True)[:LOTTO]
        )
        if not lotto:
            return
        for pk in lotto:
            if scadenza is not None and time.monotonic() > scadenza:
                return
            yield pk
        ultimo = lotto[-1]


def _snapshot_anonimo(dati: dict[str, Any], pseudonimi: dict[str, str]) -> dict[str, Any]:
    dati = dict(dati)
    if "referente" in dati:
        dati["referente"] = {chiave: "" for chiave in dati["referente"]}
    if "presentata_da" in dati:  # who submitted: the role stays, the person goes
        dati["presentata_da"] = {**dati["presentata_da"], "nome": "", "codice_fiscale": ""}
    dati["lavoratori"] = [
        {
            **lavoratore,
            "codice_fiscale": pseudonimi.get(lavoratore.get("codice_fiscale", ""), ANONIMO),
            "cognome": ANONIMO,
            "nome": ANONIMO,
        }
        for lavoratore in dati.get("lavoratori", [])
    ]
    return dati
