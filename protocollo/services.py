"""The protocol register (DPR 445/2000 art. 57): every submitted document gets a progressive number
per solar year, from 1, never repeated, never skipped, never changed, with the date and time of its
registration; then its receipt, and each day the daily register (art. 53 c. 2).

It works on any document type registered in `protocollo.registry`, knowing nothing else of it.

How nothing is lost: the submission transaction only marks the document submitted. A submitted
document without a `registrazione` *is* the outbox row, so the submission is durable the moment it
commits. `protocollo_request` then asks a worker, after the commit, to number it; if the broker is
down the request is neither slowed down nor failed, and the beat task `protocollo.tasks.sweep_outbox`
(or `manage.py protocollo_sweep`) finds the document later.

How numbers stay gap-free: `protocollo_register` takes the next value of the year's counter row
(django-sequences' row, with the upsert `get_next_value` runs, which keeps it locked until commit) in
the same transaction that writes the registration. A rollback undoes the increment; a concurrent
registration waits for the lock, so two documents never share a number and none is skipped.

How a registration stays one statement: the submitting service calls `protocollo_prepare`, which
stores on the document the subject and the fingerprint the register will write (the service holds
the data already, and saves them in its own write). On PostgreSQL a registration is then one
autocommit call of `protocollo_registra_documento()` (migration 0005): it links the document (its row
lock serialises two workers with the same task; the second finds the registration made), takes the
counter, writes the registration and returns it, with no Python in between. After each `migrate` the
function is rewritten with a static link statement per registered document table (`protocollo.sql`).
A document its submission did not prepare (submitted before migration 0005, a consuntivo, whose
fingerprint covers its lines, rows written after it) is locked, checked and prepared here in a
transaction, then numbered by the same call.

The time of a registration is the caller's clock, read before the call (tests move it); the function
adds the time it waited, and if that crosses into a new year (Europe/Rome) it refuses, the number is
given back, and the registration is tried again on the new year's counter. A later number never
carries an earlier time: if the previous number of the year has a later one, it takes that.
"""

import contextlib
import datetime as dt
import hashlib
import json
import logging
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import DatabaseError, IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from sequences import get_next_value

from core.exceptions import DomainError, NotAllowed
from core.spreadsheets import csv_testo

from . import registry
from .models import DocumentoProtocollato, RegistrazioneProtocollo, Ricevuta

if TYPE_CHECKING:
    from celery import Task

logger = logging.getLogger(__name__)

ROMA = ZoneInfo("Europe/Rome")
# No 0/O, 1/I/L: the code is read off paper and typed in by hand.
ALFABETO_CODICE = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LUNGHEZZA_CODICE = 10

MSG_NON_PRESENTATO = N_("Il documento {documento} non è stato presentato: non può essere protocollato.")
MSG_OGGETTO_EMAIL = N_("Ricevuta di presentazione – protocollo {segnatura}")
MSG_PDF_ALTERATO = N_(
    "Il PDF della ricevuta {segnatura} non corrisponde all'impronta registrata: non viene inviato."
)
MSG_DOCUMENTO_ASSENTE = N_("La registrazione {segnatura} non è collegata ad alcun documento.")
CSV_INTESTAZIONE = ("Protocollo", "Anno", "Numero", "Data e ora", "Tipo", "Oggetto", "Impronta SHA-256")


class _AnnoCambiato(Exception):
    """The year turned (Rome time) while this registration waited for the counter lock."""


# Raised by protocollo_registra_documento() (migration 0005) when the caller's year ended while it
# waited for the counter.
SQLSTATE_ANNO_CHIUSO = "AM001"
# What `protocollo_prepare` sets on a document.
CAMPI_PREPARATI = ("oggetto_protocollo", "impronta_dati")
# The registration's columns, in the order protocollo_registra_documento() returns them.
CAMPI_REGISTRAZIONE = (
    "id", "anno", "numero", "registrata_il", "tipo_documento", "oggetto", "impronta", "codice_verifica",
)  # fmt: skip


# --- after the submission ----------------------------------------------------------------------


def protocollo_request(documento: DocumentoProtocollato) -> None:
    """Ask a worker to register `documento` once the submission transaction commits.

    Called by the submitting services inside their transaction. Publishing can neither fail nor
    stall the submission: errors are logged and the document stays in the outbox for the sweep.
    Without a broker (embedded default) the task runs at once.
    """
    from .tasks import registra_documento

    tipo = registry.adapter_for(documento).tipo
    pk = documento.pk
    transaction.on_commit(lambda: publish(registra_documento, tipo, pk))


def publish(task: "Task", *args: Any) -> bool:
    """Send `task` to the broker without retrying: the outbox sweep is the retry.

    With the short broker timeouts of the settings this returns in well under a second when Redis
    refuses connections, and after `socket_timeout` at worst when it accepts them and never answers
    (celery issues 4296, 4556, 6046 are about the defaults, which retry for a long time).
    """
    try:
        task.apply_async(args, retry=False)
    except Exception:  # a broker outage, or a failing eager task: never the request's business
        logger.warning(
            "%s%r non accodato: lo riprenderà la scansione periodica", task.name, args, exc_info=True
        )
        return False
    return True


# --- the registration --------------------------------------------------------------------------


def protocollo_prepare(documento: DocumentoProtocollato) -> None:
    """Set on `documento` the subject and the fingerprint its registration will write, from the data
    it is being submitted with; the submitting service saves them (`CAMPI_PREPARATI`) in the same
    write as the submission, and the registration then needs nothing of the document but its row.

    What is fingerprinted is what the document stores (`dati_trasmessi`, JSON): the value must stay
    `impronta()` of the stored snapshot, as printed on the receipt for anyone to recompute."""
    adapter = registry.adapter_for(documento)
    documento.oggetto_protocollo, documento.impronta_dati = _oggetto_e_impronta(adapter, documento)


def _oggetto_e_impronta(adapter: registry.Protocollabile, documento: Any) -> tuple[str, str]:
    return adapter.oggetto(documento)[:300], impronta(adapter.dati_trasmessi(documento))


def protocollo_register(*, tipo: str, pk: int) -> RegistrazioneProtocollo:
    """Give document `pk` of type `tipo` the next number of the register of the current year
    (Europe/Rome).

    DPR 445/2000 art. 57: numbering is progressive, of at least seven digits, and starts again
    from 1 every 1 January; the number is assigned once and never changed. Idempotent: a document
    already registered returns its registration, so a task that runs twice numbers once.
    """
    return protocollo_register_nuova(tipo=tipo, pk=pk)[0]


def protocollo_register_nuova(*, tipo: str, pk: int) -> tuple[RegistrazioneProtocollo, bool]:
    """`protocollo_register`, and whether this call made the registration (False: it already had
    one), so the caller knows without asking the database whether a receipt may exist already."""
    adapter = registry.adapter(tipo)
    for _tentativo in range(3):
        try:
            return _register(adapter, pk)
        except (_AnnoCambiato, _CodiceDuplicato):
            continue
    raise RuntimeError("Cambio d'anno o codice ripetuto in tre tentativi consecutivi")  # pragma: no cover


class _CodiceDuplicato(Exception):
    """The random verification code was already taken (about one in 10^14): try again."""


def _register(adapter: registry.Protocollabile, pk: int) -> tuple[RegistrazioneProtocollo, bool]:
    """On PostgreSQL one statement for a document prepared at its submission; the others are
    prepared here first. The verification code is not looked up first: the unique index refuses a
    repeat, which rolls the whole registration back (number included, so no gap) and is tried
    again."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return _register_orm(adapter, pk)
    return _numera_in_sql(connection, adapter, pk) or _prepara_e_numera(connection, adapter, pk)


@transaction.atomic
def _prepara_e_numera(
    connection: Any, adapter: registry.Protocollabile, pk: int
) -> tuple[RegistrazioneProtocollo, bool]:
    """A document its submission did not prepare (submitted before migration 0005, a consuntivo, a
    type whose app does not call `protocollo_prepare`): locked, checked and prepared here, in the
    transaction that numbers it."""
    documento = adapter.blocca(pk)
    if documento.registrazione_id is not None:
        return RegistrazioneProtocollo.objects.get(pk=documento.registrazione_id), False
    if not adapter.presentato(documento):
        raise NotAllowed(_(MSG_NON_PRESENTATO).format(documento=pk))
    # Everything slow happens before the number is taken: the counter row stays locked from the
    # upsert to the commit, and every other registration of the year waits for it.
    numerata = _numera_in_sql(connection, adapter, pk, *_oggetto_e_impronta(adapter, documento))
    if numerata is None:  # pragma: no cover - given a subject and a fingerprint, the function numbers
        raise RuntimeError(f"{adapter.tipo} {pk}: preparato ma non numerato")
    return numerata


def _numera_in_sql(
    connection: Any,
    adapter: registry.Protocollabile,
    pk: int,
    oggetto: str | None = None,
    impronta_dati: str | None = None,
) -> tuple[RegistrazioneProtocollo, bool] | None:
    """One call of `protocollo_registra_documento()` (migration 0005), autocommit outside a
    transaction; None if the document is not prepared and no subject and fingerprint were given."""
    adesso = timezone.now()  # before waiting for the locks: the function adds the time it waited
    parametri = [
        adapter.model._meta.db_table, pk, anno_di(adesso), adesso, adapter.tipo, _codice_verifica(),
        oggetto, impronta_dati,
    ]  # fmt: skip
    # Inside a caller's transaction a savepoint, so that a refused attempt can be tried again.
    ripetibile = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with ripetibile, connection.cursor() as cursor:
            cursor.execute(
                "SELECT * FROM protocollo_registra_documento(%s::regclass, %s, %s, %s, %s, %s, %s, %s)",
                parametri,
            )
            esito, *riga = cursor.fetchone()
    except IntegrityError as errore:
        if "codice_verifica" in str(errore):
            raise _CodiceDuplicato from errore
        raise
    except DatabaseError as errore:
        if getattr(errore.__cause__, "sqlstate", None) == SQLSTATE_ANNO_CHIUSO:
            raise _AnnoCambiato from errore
        raise
    if esito == "assente":
        raise ObjectDoesNotExist(f"{adapter.tipo} {pk}: documento inesistente")
    if esito == "da_preparare":
        return None
    registrazione = RegistrazioneProtocollo.from_db(connection.alias, CAMPI_REGISTRAZIONE, riga)
    return registrazione, esito == "nuova"


@transaction.atomic
def _register_orm(adapter: registry.Protocollabile, pk: int) -> tuple[RegistrazioneProtocollo, bool]:
    """The same registration through the ORM, for the embedded SQLite of development (it has no
    PL/pgSQL; a SQLite write locks the whole database, so nobody waits on the counter there)."""
    documento = adapter.blocca(pk)
    if documento.registrazione_id is not None:
        return RegistrazioneProtocollo.objects.get(pk=documento.registrazione_id), False
    if not adapter.presentato(documento):
        raise NotAllowed(_(MSG_NON_PRESENTATO).format(documento=pk))
    if documento.impronta_dati is None:
        protocollo_prepare(documento)
    adesso = timezone.now()
    anno = anno_di(adesso)
    registrazione = RegistrazioneProtocollo(
        anno=anno,
        numero=get_next_value(f"protocollo-{anno}", initial_value=1),
        registrata_il=timezone.now(),
        tipo_documento=adapter.tipo,
        oggetto=documento.oggetto_protocollo,
        impronta=documento.impronta_dati,
        codice_verifica=_codice_verifica(),
    )
    try:
        registrazione.save(force_insert=True)
    except IntegrityError as errore:
        if "codice_verifica" in str(errore):
            raise _CodiceDuplicato from errore
        raise
    documento.registrazione = registrazione
    documento.save(update_fields=["registrazione"])
    # Read after the counter was taken: if the year turned meanwhile, the number goes back
    # (rollback) and the new year's counter is tried instead.
    if anno_di(timezone.now()) != anno:
        raise _AnnoCambiato
    return registrazione, True


def anno_di(momento: dt.datetime) -> int:
    return momento.astimezone(ROMA).year


def impronta(dati: Any) -> str:
    """SHA-256 of the canonical JSON of the transmitted data: anyone holding the same data can
    recompute it (keys sorted, no spaces, UTF-8)."""
    canonico = json.dumps(dati, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonico.encode("utf-8")).hexdigest()


def _codice_verifica() -> str:
    return "".join(secrets.choice(ALFABETO_CODICE) for _i in range(LUNGHEZZA_CODICE))


# --- the receipt -------------------------------------------------------------------------------


def ricevuta_create(*, registrazione: RegistrazioneProtocollo) -> Ricevuta:
    """Render and store the receipt of a registered document, with the SHA-256 of the PDF.

    Idempotent: a receipt, once made, is never made again nor changed (it is what the referente
    received; the database refuses changes). The registrazione row lock serialises two workers that
    got the same task, so the second one finds the first one's receipt instead of failing.
    """
    with transaction.atomic():
        registrazione = RegistrazioneProtocollo.objects.select_for_update().get(pk=registrazione.pk)
        esistente = Ricevuta.objects.filter(registrazione=registrazione).first()
        if esistente is not None:
            return esistente
        adapter, documento = documento_di(registrazione)
        with translation.override("it"), timezone.override(ROMA):
            dati_documento = adapter.ricevuta(documento)
        from . import pdf  # WeasyPrint loads in the processes that render, not in every one

        contenuto = pdf.render_ricevuta(_contesto_ricevuta(registrazione, dati_documento))
        ricevuta = Ricevuta(registrazione=registrazione, sha256=hashlib.sha256(contenuto).hexdigest())
        ricevuta.pdf.save(_nome_file(registrazione), ContentFile(contenuto), save=False)
        try:
            ricevuta.save()
        except Exception:
            ricevuta.pdf.delete(save=False)
            raise
        return ricevuta


def ricevuta_send(*, ricevuta: Ricevuta) -> None:
    """E-mail the receipt to the document's recipient (for domande and consuntivi: the referente).

    Idempotent: `inviata_il` is set in the same transaction as the sending, under the row lock, so a
    retried task sends nothing more. (If the mail server accepts the message and the commit then
    fails, the next try sends it again: at least once, never silently lost.) The stored PDF is
    checked against its SHA-256 before it leaves.
    """
    with transaction.atomic():
        ricevuta = (
            Ricevuta.objects.select_for_update(of=("self",))
            .select_related("registrazione")
            .get(pk=ricevuta.pk)
        )
        if ricevuta.inviata_il is not None:
            return
        registrazione = ricevuta.registrazione
        adapter, documento = documento_di(registrazione)
        with translation.override("it"), timezone.override(ROMA):
            destinatario = adapter.destinatario(documento)
        if destinatario is None or not destinatario.email:
            logger.warning("Ricevuta %s: il documento non ha un indirizzo a cui inviarla", registrazione)
            return
        with ricevuta.pdf.open("rb") as file:
            contenuto = file.read()
        if hashlib.sha256(contenuto).hexdigest() != ricevuta.sha256:
            raise DomainError(_(MSG_PDF_ALTERATO).format(segnatura=registrazione.segnatura))
        with translation.override("it"), timezone.override(ROMA):
            corpo = render_to_string(
                "protocollo/email/ricevuta.txt",
                {
                    "registrazione": registrazione,
                    "destinatario": destinatario,
                    "regione": settings.AMINDER_REGIONE,
                    "url_verifica": url_verifica(registrazione),
                },
            )
            oggetto = _(MSG_OGGETTO_EMAIL).format(segnatura=registrazione.segnatura)
        messaggio = EmailMessage(subject=oggetto, body=corpo, to=[destinatario.email])
        messaggio.attach(_nome_file(registrazione), contenuto, "application/pdf")
        messaggio.send()
        ricevuta.inviata_il = timezone.now()
        ricevuta.save(update_fields=["inviata_il"])


def documento_di(registrazione: RegistrazioneProtocollo) -> tuple[registry.Protocollabile, Any]:
    """The adapter and the document a registration belongs to."""
    adapter = registry.adapter(registrazione.tipo_documento)
    documento = adapter.model._default_manager.filter(registrazione=registrazione).first()
    if documento is None:
        raise DomainError(_(MSG_DOCUMENTO_ASSENTE).format(segnatura=registrazione.segnatura))
    return adapter, documento


def url_verifica(registrazione: RegistrazioneProtocollo) -> str:
    """The public verification URL printed in the receipt's QR code."""
    query = urlencode(
        {"protocollo": registrazione.segnatura, "codice": registrazione.codice_verifica}, safe="/"
    )
    return f"{_url_pagina_verifica()}?{query}"


def _url_pagina_verifica() -> str:
    return str(settings.AMINDER_PUBLIC_URL).rstrip("/") + reverse("protocollo:verifica")


def _nome_file(registrazione: RegistrazioneProtocollo) -> str:
    return f"ricevuta-{registrazione.anno}-{registrazione.numero:07d}.pdf"


def _contesto_ricevuta(
    registrazione: RegistrazioneProtocollo, contenuto: registry.ContenutoRicevuta
) -> dict[str, Any]:
    return {
        "segnatura": registrazione.segnatura,
        "registrata_il": registrazione.registrata_il,
        "tipo_documento": registrazione.tipo_documento_etichetta,
        "documento": contenuto,
        "impronta": registrazione.impronta,
        "codice_verifica": registrazione.codice_verifica,
        "url_verifica": url_verifica(registrazione),
        "url_verifica_pagina": _url_pagina_verifica(),
    }


# --- the daily register ------------------------------------------------------------------------


def registro_giornaliero(*, giorno: dt.date) -> tuple[bytes, str]:
    """The daily protocol register (DPR 445/2000 art. 53 c. 2): every registration of that day in
    Europe/Rome time, in number order, as PDF for the archive and CSV (";"-separated, as Italian
    spreadsheets expect) for the officers."""
    inizio = dt.datetime.combine(giorno, dt.time.min, tzinfo=ROMA)
    fine = dt.datetime.combine(giorno + dt.timedelta(days=1), dt.time.min, tzinfo=ROMA)
    registrazioni = RegistrazioneProtocollo.objects.filter(
        registrata_il__gte=inizio, registrata_il__lt=fine
    ).order_by("anno", "numero")
    righe = [
        {
            "segnatura": r.segnatura,
            "anno": r.anno,
            "numero": r.numero,
            "registrata_il": r.registrata_il.astimezone(ROMA),
            "tipo": r.tipo_documento_etichetta,
            "oggetto": r.oggetto,
            "impronta": r.impronta,
        }
        for r in registrazioni
    ]
    from . import pdf

    contenuto = pdf.render_registro(
        {
            "giorno": giorno,
            "generato_il": timezone.now(),
            "registrazioni": righe,
            "ultima": righe[-1] if righe else None,
        }
    )
    return contenuto, _registro_csv(righe)


def _registro_csv(righe: list[dict[str, Any]]) -> str:
    return csv_testo(
        [
            CSV_INTESTAZIONE,
            *(
                [
                    r["segnatura"],
                    r["anno"],
                    r["numero"],
                    r["registrata_il"].strftime("%d/%m/%Y %H:%M:%S"),
                    r["tipo"],
                    r["oggetto"],
                    r["impronta"],
                ]
                for r in righe
            ),
        ],
        bom=False,  # added when the file is written (utf-8-sig)
    )


def protocollo_register_documento(documento: DocumentoProtocollato) -> RegistrazioneProtocollo:
    """`protocollo_register` for a document instance (management commands, tests, benchmarks)."""
    return protocollo_register(tipo=registry.adapter_for(documento).tipo, pk=documento.pk)
