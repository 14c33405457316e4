"""Every write of the consuntivi app: sending a consuntivo and the upload of its lines.

There is deliberately no service to change or cancel a consuntivo: once sent it is final, for
everyone ("non sono più ammesse richieste di cancellazione dei consuntivi", the Region's AMINDER page).
"""

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anagrafica.models import User
from anagrafica.selectors import check_can_act_for
from claims.models import Domanda
from core.exceptions import NotPermitted
from protocollo.services import protocollo_request

from . import imports
from .constants import StatoCaricamento
from .models import CaricamentoConsuntivo, Consuntivo, RigaConsuntivo
from .rules import (
    MSG_NESSUNA_RIGA,
    ConsuntivoNonValido,
    ConsuntivoRules,
    Errore,
    RigaValida,
    primo_del_mese,
)

logger = logging.getLogger(__name__)

# Progress is written every this many lines: often enough for a bar polled each second, rarely
# enough not to slow the validation down.
PROGRESSO_OGNI = 500
# At most this many errors are kept on an upload; the count of the others is kept too.
MAX_ERRORI_SALVATI = 10_000


def _snapshot(
    domanda: Domanda, mese: dt.date, righe: list[RigaValida], actor: User, quando: dt.datetime
) -> dict[str, Any]:
    """The data as transmitted: what the receipt's fingerprint is made of and SR41 is read from."""
    return {
        "domanda": domanda.pk,
        "protocollo_domanda": domanda.protocollo,
        "azienda": {
            "codice_fiscale": domanda.azienda.codice_fiscale,
            "ragione_sociale": domanda.azienda.ragione_sociale,
            "matricola_inps": domanda.azienda.matricola_inps,
        },
        "mese": f"{mese:%Y-%m}",
        "inviato_il": quando.isoformat(),
        "inviato_da": actor.codice_fiscale,
        "righe": [
            {
                "codice_fiscale": r.lavoratore.codice_fiscale,
                "cognome": r.lavoratore.cognome,
                "nome": r.lavoratore.nome,
                "ore": str(r.ore),
                "retribuzione_mensile": str(r.retribuzione_mensile)
                if r.retribuzione_mensile is not None
                else None,
            }
            for r in righe
        ],
        "ore_totali": str(sum((r.ore for r in righe), start=Decimal(0))),
    }


@transaction.atomic
def consuntivo_send(
    *, actor: User, domanda: Domanda, mese: dt.date, righe: Iterable[Mapping[str, Any]]
) -> Consuntivo:
    """Send the consuntivo of `mese` for `domanda`: the hours of integration each worker really used.

    Rules (DOMAIN.md "Consuntivo", `consuntivi.rules`): the actor acts for the domanda's company; the
    domanda is PRESENTATA or later and not RETTIFICATA, ANNULLATA or NON AMMISSIBILE; the month is
    inside its period and not in the future; one consuntivo per domanda per month; only its workers,
    each once; hours not negative, at most one decimal, not above the hours the worker could have
    worked in the month and, added to the other months, not above the hours requested for the worker.
    Every failure is collected and raised together as `ConsuntivoNonValido`; nothing is saved.

    `righe` are mappings {codice_fiscale, ore, retribuzione_mensile?}; an optional "riga" key gives
    the line number used in the messages (the row of an uploaded file), otherwise their position.
    Once sent the consuntivo is final; it is registered in the protocol register after commit
    (DPR 445/2000 art. 57), which also produces its receipt."""
    domanda = (
        Domanda.objects.select_for_update(of=("self",))
        .select_related("azienda", "registrazione")
        .get(pk=domanda.pk)
    )
    # The row lock serialises the consuntivi of a domanda: the one-per-month and the total-hours rules
    # are checked against everything committed before us.
    check_can_act_for(actor, domanda.azienda_id)
    mese = primo_del_mese(mese)
    rules = ConsuntivoRules(domanda, mese, oggi=timezone.localdate())
    errori = rules.check_testata()
    valide: list[RigaValida] = []
    for posizione, riga in enumerate(righe, start=1):
        valida, errori_riga = rules.check_riga(riga.get("riga", posizione), riga)
        errori.extend(errori_riga)
        if valida is not None:
            valide.append(valida)
    if not valide and not errori:
        errori.append(Errore(None, "righe", _(MSG_NESSUNA_RIGA)))
    if errori:
        raise ConsuntivoNonValido(errori)

    quando = timezone.now()
    consuntivo = Consuntivo.objects.create(
        domanda=domanda,
        mese=mese,
        inviato_il=quando,
        inviato_da=actor,
        dati_inviati=_snapshot(domanda, mese, valide, actor, quando),
    )
    RigaConsuntivo.objects.bulk_create(
        (
            RigaConsuntivo(
                consuntivo=consuntivo,
                lavoratore_id=r.lavoratore.pk,
                ore=r.ore,
                retribuzione_mensile=r.retribuzione_mensile,
            )
            for r in valide
        ),
        batch_size=2000,
    )
    protocollo_request(consuntivo)
    return consuntivo


# --- uploads -------------------------------------------------------------------------------------


@transaction.atomic
def caricamento_create(
    *, actor: User, domanda: Domanda, mese: dt.date, file: UploadedFile
) -> CaricamentoConsuntivo:
    """Store an uploaded CSV/XLSX of consuntivo lines and queue its validation.

    What can be told at once is refused at once (who may act, the domanda's state, the month, the file
    type and size); the lines are checked in the background by `caricamento_process`, and nothing is
    saved unless every line is valid."""
    check_can_act_for(actor, domanda.azienda_id)
    mese = primo_del_mese(mese)
    errori = ConsuntivoRules(domanda, mese, oggi=timezone.localdate()).check_testata()
    if errori:
        raise ConsuntivoNonValido(errori)
    formato = imports.formato_di(file)  # raises ValidationError({"file": ...})
    caricamento = CaricamentoConsuntivo(
        domanda=domanda, mese=mese, nome_file=(file.name or "")[-255:], formato=formato, caricato_da=actor
    )
    caricamento.file.save(f"consuntivo-{domanda.pk}-{mese:%Y-%m}.{formato}", file, save=False)
    caricamento.save()
    transaction.on_commit(lambda: _publish(caricamento.pk))
    return caricamento


def _publish(caricamento_id: int) -> None:
    """Queue the processing; if the broker is down the upload stays IN_ATTESA for the sweep."""
    from .tasks import caricamento_process_task

    try:
        caricamento_process_task.delay(caricamento_id)
    except Exception:  # the broker being down must not fail the request that stored the file
        logger.warning(
            "Caricamento %s non accodato: lo riprenderà caricamenti_sweep", caricamento_id, exc_info=True
        )


def caricamento_process(*, caricamento_id: int) -> CaricamentoConsuntivo | None:
    """Validate every line of an uploaded file, then send the consuntivo if and only if all are valid.

    Not one transaction: the progress is committed as it goes so the user's page can show it. The
    file is read as a stream, line by line; what is kept is one small record per valid line. The
    final `consuntivo_send` checks the lines again under the domanda's lock, so a consuntivo sent
    meanwhile by someone else is reported, not duplicated. Safe to run twice: a finished upload is
    left as it is; an id that does not exist (a stale message) is ignored."""
    claimed = CaricamentoConsuntivo.objects.filter(
        pk=caricamento_id, stato__in=[StatoCaricamento.IN_ATTESA, StatoCaricamento.IN_CORSO]
    ).update(stato=StatoCaricamento.IN_CORSO, iniziato_il=timezone.now(), updated_at=timezone.now())
    caricamento = (
        CaricamentoConsuntivo.objects.select_related("domanda", "caricato_da")
        .filter(pk=caricamento_id)
        .first()
    )
    if caricamento is None:
        logger.warning("Caricamento %s inesistente: messaggio ignorato", caricamento_id)
        return None
    if not claimed:
        return caricamento
    try:
        righe, errori = _validate_file(caricamento)
        if not errori:
            return _send_validated(caricamento, righe)
        return _finish(caricamento, StatoCaricamento.RIFIUTATO, errori)
    except Exception:
        logger.exception("Caricamento %s: elaborazione non riuscita", caricamento_id)
        return _finish(
            caricamento,
            StatoCaricamento.FALLITO,
            [
                Errore(
                    None,
                    "file",
                    _("Errore imprevisto durante l'elaborazione: riprovare o contattare l'assistenza."),
                )
            ],
        )


def _validate_file(caricamento: CaricamentoConsuntivo) -> tuple[list[dict[str, Any]], list[Errore]]:
    rules = ConsuntivoRules(caricamento.domanda, caricamento.mese, oggi=timezone.localdate())
    errori = rules.check_testata()
    righe: list[dict[str, Any]] = []
    with caricamento.file.open("rb") as stream:
        lettore = imports.lettore(stream, caricamento.formato)
        totali = lettore.righe_totali()
        CaricamentoConsuntivo.objects.filter(pk=caricamento.pk).update(righe_totali=totali)
        validate = 0
        for numero, valori, errori_lettura in lettore.righe():
            validate += 1
            if errori_lettura:
                errori.extend(errori_lettura)
            else:
                valida, errori_riga = rules.check_riga(numero, valori)
                errori.extend(errori_riga)
                if valida is not None and not errori:
                    # Once any line is wrong nothing will be sent: stop collecting lines.
                    righe.append({**valori, "riga": numero})
            if validate % PROGRESSO_OGNI == 0:
                _progress(caricamento, validate, totali)
        _progress(caricamento, validate, totali)
    if validate == 0 and not errori:
        errori.append(Errore(None, "file", _(imports.MSG_FILE_VUOTO)))
    return righe, errori


def _progress(caricamento: CaricamentoConsuntivo, validate: int, totali: int | None) -> None:
    # Validation is the first 95%; the send takes the rest.
    progresso = min(95, validate * 95 // totali) if totali else 0
    CaricamentoConsuntivo.objects.filter(pk=caricamento.pk).update(
        righe_validate=validate, progresso=progresso, updated_at=timezone.now()
    )


def _send_validated(caricamento: CaricamentoConsuntivo, righe: list[dict[str, Any]]) -> CaricamentoConsuntivo:
    try:
        with transaction.atomic():
            locked = CaricamentoConsuntivo.objects.select_for_update().get(pk=caricamento.pk)
            if locked.stato != StatoCaricamento.IN_CORSO:
                return locked  # another run of the task finished it
            consuntivo = consuntivo_send(
                actor=caricamento.caricato_da, domanda=caricamento.domanda, mese=caricamento.mese, righe=righe
            )
            locked.consuntivo = consuntivo
            locked.stato = StatoCaricamento.INVIATO
            locked.progresso = 100
            locked.completato_il = timezone.now()
            locked.save(update_fields=["consuntivo", "stato", "progresso", "completato_il", "updated_at"])
            return locked
    except ConsuntivoNonValido as exc:
        return _finish(caricamento, StatoCaricamento.RIFIUTATO, exc.errori)
    except NotPermitted as exc:
        return _finish(caricamento, StatoCaricamento.RIFIUTATO, [Errore(None, "file", exc.message)])
    except ValidationError as exc:
        return _finish(
            caricamento, StatoCaricamento.RIFIUTATO, [Errore(None, "file", m) for m in exc.messages]
        )


def _finish(caricamento: CaricamentoConsuntivo, stato: str, errori: list[Errore]) -> CaricamentoConsuntivo:
    with transaction.atomic():
        locked = CaricamentoConsuntivo.objects.select_for_update().get(pk=caricamento.pk)
        if locked.finito:
            return locked
        locked.stato = stato
        locked.errori = [e.as_dict() for e in errori[:MAX_ERRORI_SALVATI]]
        locked.errori_totali = len(errori)
        locked.progresso = 100
        locked.completato_il = timezone.now()
        locked.save(
            update_fields=["stato", "errori", "errori_totali", "progresso", "completato_il", "updated_at"]
        )
        return locked


def caricamenti_sweep(*, older_than: dt.timedelta = dt.timedelta(minutes=2)) -> int:
    """Publish again the uploads still waiting (the broker was down when they were stored) and those
    whose worker died mid-way (IN_CORSO with no progress for longer than a task may run)."""
    now = timezone.now()
    waiting = CaricamentoConsuntivo.objects.filter(
        stato=StatoCaricamento.IN_ATTESA, updated_at__lt=now - older_than
    )
    stuck = CaricamentoConsuntivo.objects.filter(
        stato=StatoCaricamento.IN_CORSO, updated_at__lt=now - dt.timedelta(minutes=10)
    )
    ids = list(waiting.values_list("pk", flat=True)) + list(stuck.values_list("pk", flat=True))
    for pk in ids:
        _publish(pk)
    return len(ids)
