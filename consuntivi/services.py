"""Every write of the consuntivi app: sending a consuntivo and the upload of its lines.

There is deliberately no service to change or cancel a consuntivo: once sent it is final, for
everyone ("non sono più ammesse richieste di cancellazione dei consuntivi", the Region's AMINDER page).
"""

import datetime as dt
import logging
import re
import time
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from psycopg import sql

from anagrafica.models import User
from anagrafica.selectors import check_can_act_for
from claims.models import Domanda, Lavoratore
from core import spreadsheets
from core.db import quoted_tables
from protocollo.services import protocollo_request

from . import imports
from .constants import CARICAMENTO_IN_VERIFICA, StatoCaricamento
from .models import CaricamentoConsuntivo, Consuntivo, RigaCaricamento, RigaConsuntivo
from .rules import (
    CAMPO_CF,
    MSG_LAVORATORE_ESTRANEO,
    MSG_NESSUNA_RIGA,
    UN_DECIMALE,
    ConsuntivoNonValido,
    ConsuntivoRules,
    Errore,
    RigaValida,
    primo_del_mese,
)

logger = logging.getLogger(__name__)

# Progress is written at most this often (seconds), checked every PROGRESSO_OGNI lines: the page
# polls each second, and an UPDATE per 500 lines was a tenth of the time of a large file.
PROGRESSO_OGNI = 500
PROGRESSO_SECONDI = 0.5
# The check of an upload stops at this many errors (an 11 MB file of bad lines once kept 5.7 million
# of them in memory): these are kept and shown, with a last one saying the check stopped.
MAX_ERRORI_SALVATI = 1000


def _snapshot(
    domanda: Domanda, mese: dt.date, actor: User, quando: dt.datetime, ore_totali: Decimal
) -> dict[str, Any]:
    """The data as transmitted, without the lines: those are the consuntivo's `RigaConsuntivo`, and
    `selectors.consuntivo_dati_trasmessi` puts them back, in line order, for the fingerprint and
    the register. Consuntivi sent before consuntivi/0008 hold their lines here too, under "righe",
    and keep them."""
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
        "ore_totali": str(ore_totali.quantize(UN_DECIMALE)),
    }


def _domanda_per_consuntivo(pk: int) -> Domanda:
    """The domanda locked for a consuntivo, with what the rules and the snapshot read, and without its
    JSON snapshot (35 MB for a large upload's domanda)."""
    return (
        Domanda.objects.select_for_update(of=("self",))
        .defer("dati_presentati")
        .select_related("azienda", "registrazione")
        .get(pk=pk)
    )


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
    domanda = _domanda_per_consuntivo(domanda.pk)
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
    ore_totali = sum((r.ore for r in valide), start=Decimal(0))
    # Not prepared for the register (`protocollo_prepare`): the fingerprint covers the lines, which are
    # rows of their own written below, so the registration takes it over them.
    consuntivo = Consuntivo.objects.create(
        domanda=domanda,
        mese=mese,
        inviato_il=quando,
        inviato_da=actor,
        dati_inviati=_snapshot(domanda, mese, actor, quando, ore_totali),
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

MSG_UNO_IN_VERIFICA = N_(
    "Un altro file di questa domanda è in verifica: attenderne l'esito prima di caricarne un altro."
)
MSG_NON_DA_CONFERMARE = N_("Questo caricamento non è in attesa di conferma: nulla è stato inviato.")
MSG_VERIFICA_INTERROTTA = N_(
    "Verifica interrotta dopo {n} errori: correggere quelli indicati e caricare di nuovo il file."
)
MSG_TROPPE_RIGHE = N_(
    "Il file ha più di {massimo} righe (contando anche quelle vuote): nulla è stato salvato."
)
# A verified upload not confirmed within this time is set aside by the sweep (ANNULLATO).
NON_CONFERMATO_DOPO = dt.timedelta(days=7)
# Valid lines are written to the database this many at a time while the file is checked.
BLOCCO_RIGHE = 5000
# What a codice fiscale of a worker can look like once stripped and upper-cased; anything else is
# reported as not a worker of the domanda without being staged.
CF_POSSIBILE = re.compile(r"[A-Z0-9]{1,16}")
# Hours a staged line cannot hold (`RigaCaricamento.ore` is numeric(6, 1)): more than any month allows,
# so such a line is reported on its own rather than staged (COPY would fail the whole upload).
ORE_FUORI_SCALA = Decimal(100_000)
NULL_COPY = "\\N"


@transaction.atomic
def caricamento_create(
    *, actor: User, domanda: Domanda, mese: dt.date, file: UploadedFile
) -> CaricamentoConsuntivo:
    """Store an uploaded CSV/XLSX of consuntivo lines and queue its check.

    What can be told at once is refused at once (who may act, the domanda's state, the month, the file
    type, size and unzipped size, another file of the domanda still in the queue); the lines are
    checked in the background by `caricamento_process`. Nothing is sent until the user confirms
    (`caricamento_conferma`); a verified upload not yet confirmed is set aside by a new one."""
    domanda = Domanda.objects.select_for_update(of=("self",)).defer("dati_presentati").get(pk=domanda.pk)
    check_can_act_for(actor, domanda.azienda_id)
    mese = primo_del_mese(mese)
    errori = ConsuntivoRules(domanda, mese, oggi=timezone.localdate()).check_testata()
    if errori:
        raise ConsuntivoNonValido(errori)
    formato = imports.formato_di(file)  # raises ValidationError({"file": ...})
    # The domanda's row lock makes this check and the constraint agree: no IntegrityError here.
    if CaricamentoConsuntivo.objects.filter(domanda=domanda, stato__in=CARICAMENTO_IN_VERIFICA).exists():
        raise ValidationError({"file": [_(MSG_UNO_IN_VERIFICA)]})
    for superato in CaricamentoConsuntivo.objects.filter(domanda=domanda, stato=StatoCaricamento.VERIFICATO):
        _scarta(superato)
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
    """Check every line of an uploaded file once; if all are valid the upload is VERIFICATO, its
    lines staged (`RigaCaricamento`) for the preview, waiting for the user's confirmation.

    Not one transaction: the progress is committed as it goes so the user's page can show it. The
    file is read as a stream and the valid lines are written in blocks of `BLOCCO_RIGHE`, so memory
    does not grow with the file. The check stops at `MAX_ERRORI_SALVATI` errors and at
    `imports.MAX_RIGHE_FILE` rows (blank ones included). Safe to run twice: a finished upload is
    left as it is; an id that does not exist (a stale message) is ignored."""
    claimed = CaricamentoConsuntivo.objects.filter(
        pk=caricamento_id, stato__in=CARICAMENTO_IN_VERIFICA
    ).update(stato=StatoCaricamento.IN_CORSO, iniziato_il=timezone.now(), updated_at=timezone.now())
    caricamento = (
        CaricamentoConsuntivo.objects.select_related("domanda", "caricato_da")
        # The domanda's snapshot holds every worker: tens of MB of JSON not needed here.
        .defer("domanda__dati_presentati")
        .filter(pk=caricamento_id)
        .first()
    )
    if caricamento is None:
        logger.warning("Caricamento %s inesistente: messaggio ignorato", caricamento_id)
        return None
    if not claimed:
        return caricamento
    try:
        # A run that died mid-way may have left lines behind.
        RigaCaricamento.objects.filter(caricamento=caricamento).delete()
        validate, errori = _validate_file(caricamento)
        if errori:
            RigaCaricamento.objects.filter(caricamento=caricamento).delete()
            return _finish(caricamento, StatoCaricamento.RIFIUTATO, errori, validate=validate)
        return _finish(caricamento, StatoCaricamento.VERIFICATO, [], validate=validate)
    except Exception:
        logger.exception("Caricamento %s: elaborazione non riuscita", caricamento_id)
        RigaCaricamento.objects.filter(caricamento=caricamento).delete()
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


def _validate_file(caricamento: CaricamentoConsuntivo) -> tuple[int, list[Errore]]:
    """Check an uploaded file: each line on its own while it is read (`ConsuntivoRules.check_valori`),
    the well-formed lines staged in blocks, then all of them against the domanda's workers and the
    hour limits in SQL (`check_righe_caricate`). Returns the number of lines read and the errors, in
    line order, at most MAX_ERRORI_SALVATI, then a last one saying the check stopped."""
    rules = ConsuntivoRules(caricamento.domanda, caricamento.mese, oggi=timezone.localdate())
    testata = rules.check_testata()
    # (sort key, error): per line, an unknown worker first, then the line's own errors, then the
    # hour limits, as `check_riga` reports them; errors of the whole file last.
    errori: list[tuple[tuple[float, int], Errore]] = []
    senza_ore: list[tuple[int | None, str]] = []
    fuori_scala: list[tuple[int | None, str, Decimal]] = []
    blocco: list[tuple[int, str, Decimal, Decimal | None]] = []
    validate = 0
    interrotta = False
    ultimo = time.monotonic()
    with caricamento.file.open("rb") as stream:
        lettore = imports.lettore(stream, caricamento.formato)
        totali = lettore.righe_totali()
        CaricamentoConsuntivo.objects.filter(pk=caricamento.pk).update(righe_totali=totali)
        try:
            for numero, valori, errori_lettura in lettore.righe():
                validate += 1
                if errori_lettura:
                    errori.extend((_chiave(e.riga, 1), e) for e in errori_lettura)
                elif valori is not None:
                    cf, ore, retribuzione, errori_riga = rules.check_valori(numero, *valori)
                    if cf is not None and not CF_POSSIBILE.fullmatch(cf):
                        # Not letters and digits, or too long: no worker has it.
                        errori_riga.insert(
                            0, Errore(numero, CAMPO_CF, _(MSG_LAVORATORE_ESTRANEO).format(cf=cf))
                        )
                    elif cf is not None and ore is None:
                        senza_ore.append((numero, cf))
                    elif cf is not None and ore is not None and ore >= ORE_FUORI_SCALA:
                        fuori_scala.append((numero, cf, ore))
                    elif cf is not None and ore is not None:
                        blocco.append((numero or 0, cf, ore, retribuzione))
                        if len(blocco) >= BLOCCO_RIGHE:
                            _stage(caricamento, blocco)
                            blocco.clear()
                    if errori_riga:
                        chiave = _chiave(numero, 1)
                        errori.extend((chiave, e) for e in errori_riga)
                if len(errori) >= MAX_ERRORI_SALVATI:
                    interrotta = True
                    break
                if validate % PROGRESSO_OGNI == 0 and time.monotonic() - ultimo >= PROGRESSO_SECONDI:
                    _progress(caricamento, validate, totali)
                    ultimo = time.monotonic()
        except spreadsheets.TroppeRighe as exc:
            errori.append(
                (_chiave(None, 1), Errore(None, "file", _(MSG_TROPPE_RIGHE).format(massimo=exc.massimo)))
            )
        _progress(caricamento, validate, totali)
    _stage(caricamento, blocco)
    errori.extend(
        (_chiave(errore.riga, 0 if errore.campo == CAMPO_CF else 2), errore)
        for errore in (
            *rules.check_righe_caricate(caricamento.pk, senza_ore),
            *rules.check_righe_fuori_scala(fuori_scala),
        )
    )
    errori.sort(key=lambda chiave_errore: chiave_errore[0])
    risultato = testata + [errore for _chiave_errore, errore in errori]
    if len(risultato) > MAX_ERRORI_SALVATI:
        del risultato[MAX_ERRORI_SALVATI:]
        interrotta = True
    if interrotta:
        risultato.append(Errore(None, "file", _(MSG_VERIFICA_INTERROTTA).format(n=MAX_ERRORI_SALVATI)))
    if not risultato and not RigaCaricamento.objects.filter(caricamento=caricamento).exists():
        messaggio = imports.MSG_FILE_VUOTO if validate == 0 else MSG_NESSUNA_RIGA
        risultato.append(Errore(None, "file", _(messaggio)))
    return validate, risultato


def _chiave(riga: int | None, ordine: int) -> tuple[float, int]:
    return (riga if riga is not None else float("inf"), ordine)


def _stage(
    caricamento: CaricamentoConsuntivo, blocco: list[tuple[int, str, Decimal, Decimal | None]]
) -> None:
    """Write a block of well-formed lines: COPY on PostgreSQL (a tenth of the cost of INSERTs), plain
    INSERTs on the embedded SQLite."""
    if not blocco:
        return
    if connection.vendor != "postgresql":
        RigaCaricamento.objects.bulk_create(
            RigaCaricamento(
                caricamento=caricamento, riga=riga, codice_fiscale=cf, ore=ore, retribuzione_mensile=r
            )
            for riga, cf, ore, r in blocco
        )
        return
    copia = sql.SQL(
        "COPY {} (caricamento_id, riga, codice_fiscale, ore, retribuzione_mensile) FROM STDIN"
    ).format(sql.Identifier(RigaCaricamento._meta.db_table))
    # COPY's text format written directly: codici fiscali are letters and digits (CF_POSSIBILE), and
    # numbers print without tabs or backslashes, so nothing needs escaping.
    pk = caricamento.pk
    testo = "".join(
        f"{pk}\t{riga}\t{cf}\t{ore}\t{NULL_COPY if retribuzione is None else retribuzione}\n"
        for riga, cf, ore, retribuzione in blocco
    )
    with connection.cursor() as cursor, cursor.cursor.copy(copia) as copy:
        copy.write(testo)


def _progress(caricamento: CaricamentoConsuntivo, validate: int, totali: int | None) -> None:
    progresso = min(99, validate * 100 // totali) if totali else 0
    CaricamentoConsuntivo.objects.filter(pk=caricamento.pk).update(
        righe_validate=validate, progresso=progresso, updated_at=timezone.now()
    )


def _finish(
    caricamento: CaricamentoConsuntivo, stato: str, errori: list[Errore], *, validate: int | None = None
) -> CaricamentoConsuntivo:
    with transaction.atomic():
        locked = CaricamentoConsuntivo.objects.select_for_update().get(pk=caricamento.pk)
        # Finished, except a verified upload refused at its confirmation.
        if locked.finito and locked.stato != StatoCaricamento.VERIFICATO:
            return locked
        locked.stato = stato
        locked.errori = [e.as_dict() for e in errori[: MAX_ERRORI_SALVATI + 1]]
        locked.errori_totali = len(errori)
        locked.progresso = 100
        locked.completato_il = timezone.now()
        fields = ["stato", "errori", "errori_totali", "progresso", "completato_il", "updated_at"]
        if validate is not None:
            locked.righe_validate = validate
            fields.append("righe_validate")
        locked.save(update_fields=fields)
        return locked


def _scarta(caricamento: CaricamentoConsuntivo) -> None:
    RigaCaricamento.objects.filter(caricamento=caricamento).delete()
    CaricamentoConsuntivo.objects.filter(pk=caricamento.pk).update(
        stato=StatoCaricamento.ANNULLATO, updated_at=timezone.now()
    )


@transaction.atomic
def caricamento_annulla(*, actor: User, caricamento: CaricamentoConsuntivo) -> CaricamentoConsuntivo:
    """Discard a verified upload the user does not want to send: nothing is sent."""
    locked = (
        CaricamentoConsuntivo.objects.select_for_update(of=("self",))
        .select_related("domanda")
        .defer("domanda__dati_presentati")
        .get(pk=caricamento.pk)
    )
    check_can_act_for(actor, locked.domanda.azienda_id)
    if locked.stato != StatoCaricamento.VERIFICATO:
        raise ValidationError(_(MSG_NON_DA_CONFERMARE))
    _scarta(locked)
    locked.refresh_from_db()
    return locked


def caricamento_conferma(*, actor: User, caricamento: CaricamentoConsuntivo) -> Consuntivo:
    """Send the consuntivo of a verified upload, on the user's confirmation: final from now on.

    Under the domanda's lock the whole consuntivo is checked again (state, month, one per month), and
    the lines against the workers and the totals only if a consuntivo of the domanda was sent since
    the check; the staged lines become the consuntivo's lines in one INSERT … SELECT. If something no longer holds the upload is refused
    with the reasons (ConsuntivoNonValido) and nothing is sent."""
    try:
        with transaction.atomic():
            return _conferma(actor, caricamento)
    except ConsuntivoNonValido as exc:
        _finish(caricamento, StatoCaricamento.RIFIUTATO, exc.errori)
        RigaCaricamento.objects.filter(caricamento=caricamento).delete()
        raise


def _conferma(actor: User, caricamento: CaricamentoConsuntivo) -> Consuntivo:
    domanda = _domanda_per_consuntivo(caricamento.domanda_id)
    check_can_act_for(actor, domanda.azienda_id)
    locked = CaricamentoConsuntivo.objects.select_for_update().get(pk=caricamento.pk)
    if locked.stato != StatoCaricamento.VERIFICATO:
        raise ValidationError(_(MSG_NON_DA_CONFERMARE))
    mese = locked.mese
    rules = ConsuntivoRules(domanda, mese, oggi=timezone.localdate())
    errori = rules.check_testata()
    staged = RigaCaricamento.objects.filter(caricamento=locked)
    # The lines were checked against the workers and the totals when the file was; the lock keeps
    # other consuntivi of the domanda out, so only one sent since the check can change the totals.
    if Consuntivo.objects.filter(domanda=domanda, inviato_il__gte=locked.iniziato_il).exists():
        errori.extend(rules.check_righe_caricate(locked.pk, []))
    if errori:
        raise ConsuntivoNonValido(errori)

    quando = timezone.now()
    totali = staged.aggregate(righe=Count("riga"), ore=Sum("ore"))
    snapshot = _snapshot(domanda, mese, actor, quando, totali["ore"] or Decimal(0))
    consuntivo = Consuntivo.objects.create(
        domanda=domanda, mese=mese, inviato_il=quando, inviato_da=actor, dati_inviati=snapshot
    )
    tabelle = quoted_tables(staging=RigaCaricamento, righe=RigaConsuntivo, lavoratori=Lavoratore)
    parametri = {"consuntivo": consuntivo.pk, "caricamento": locked.pk, "domanda": domanda.pk}
    with connection.cursor() as cursor:
        # The lines straight from the staged lines, joined to the workers, in line order (the order
        # of their ids, which `consuntivo_dati_trasmessi` follows): nothing of the file passes
        # through Python again.
        cursor.execute(
            "INSERT INTO {righe} (consuntivo_id, lavoratore_id, ore, retribuzione_mensile) "  # noqa: S608 - table names of models, quoted  # nosec B608
            "SELECT %(consuntivo)s, l.id, s.ore, s.retribuzione_mensile FROM {staging} s "
            "JOIN {lavoratori} l ON l.domanda_id = %(domanda)s AND l.codice_fiscale = s.codice_fiscale "
            "WHERE s.caricamento_id = %(caricamento)s ORDER BY s.riga".format(**tabelle),
            parametri,
        )
        if cursor.rowcount != totali["righe"]:
            # A worker the check found is no longer there: said line by line, nothing is sent.
            raise ConsuntivoNonValido(rules.check_righe_caricate(locked.pk, []))
    # The staged lines are left to `caricamenti_sweep`: deleting 50,000 of them was a tenth of the
    # confirmation, and nothing reads the lines of a sent upload.
    locked.consuntivo = consuntivo
    locked.stato = StatoCaricamento.INVIATO
    locked.progresso = 100
    locked.completato_il = timezone.now()
    locked.save(update_fields=["consuntivo", "stato", "progresso", "completato_il", "updated_at"])
    protocollo_request(consuntivo)
    return consuntivo


def caricamenti_sweep(*, older_than: dt.timedelta = dt.timedelta(minutes=2)) -> int:
    """Publish again the uploads still waiting (the broker was down when they were stored) and those
    whose worker died mid-way (IN_CORSO with no progress for longer than a task may run); delete
    the staged lines of the uploads sent since the last run."""
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
    # Verified files never confirmed are set aside, so their staged lines do not pile up.
    for caricamento in CaricamentoConsuntivo.objects.filter(
        stato=StatoCaricamento.VERIFICATO, updated_at__lt=now - NON_CONFERMATO_DOPO
    ):
        _scarta(caricamento)
    inviati = CaricamentoConsuntivo.objects.filter(stato=StatoCaricamento.INVIATO).values("pk")
    RigaCaricamento.objects.filter(caricamento_id__in=inviati).delete()
    return len(ids)
