"""The protocol register (DPR 445/2000 art. 57): every submitted document gets a progressive number
per solar year, from 1, never repeated, never skipped, never changed, with the date and time of its
registration.

How nothing is lost: the submission transaction only sets `presentata_il` (`inviato_il` for a
consuntivo). A submitted document without a `registrazione` *is* the outbox row, so the submission is
durable the moment it commits. `protocollo_request` then asks a worker, after the commit, to
number it; if the broker is down the request is not slowed down nor failed, and the beat task
`claims.tasks.sweep_outbox` (or `manage.py protocollo_sweep`) finds the document later.

How numbers stay gap-free: `protocollo_register` takes the next value of the year's counter row
(django-sequences: an upsert that keeps the row locked until commit) in the same transaction that
writes the registration. A rollback undoes the increment; a concurrent registration waits for the
lock, so two documents never share a number and none is skipped.
"""

import hashlib
import json
import logging
import secrets
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from sequences import get_next_value

from consuntivi.models import Consuntivo
from core.exceptions import NotAllowed

from ..constants import StatoDomanda, TipoDocumento
from ..models import Domanda, RegistrazioneProtocollo

if TYPE_CHECKING:
    import datetime as dt

    from celery import Task
    from django.db.models import QuerySet

logger = logging.getLogger(__name__)

ROMA = ZoneInfo("Europe/Rome")
# No 0/O, 1/I/L: the code is read off paper and typed in by hand.
ALFABETO_CODICE = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LUNGHEZZA_CODICE = 10

MSG_NON_PRESENTATO = N_("Il documento {documento} non è stato presentato: non può essere protocollato.")

Documento = Domanda | Consuntivo


class _AnnoCambiato(Exception):
    """The year turned (Rome time) while this registration waited for the counter lock."""


# --- after the submission ----------------------------------------------------------------------


def protocollo_request(documento: Documento) -> None:
    """Ask a worker to register `documento` once the submission transaction commits.

    Called by `domanda_submit`, `domanda_rettifica` and `consuntivo_send` inside their transaction.
    Publishing can neither fail nor stall the submission: errors are logged and the document stays
    in the outbox for the sweep. Without a broker (embedded default) the task runs at once.
    """
    task = _task_for(documento)
    pk = documento.pk
    transaction.on_commit(lambda: publish(task, pk))


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


def _task_for(documento: Documento) -> "Task":
    if isinstance(documento, Domanda):
        from ..tasks import registra_domanda

        return registra_domanda
    if isinstance(documento, Consuntivo):
        from consuntivi.tasks import registra_consuntivo

        return registra_consuntivo
    raise TypeError(f"Non è un documento da protocollare: {documento!r}")


# --- the registration --------------------------------------------------------------------------


def protocollo_register(*, documento: Documento) -> RegistrazioneProtocollo:
    """Give `documento` the next number of the register of the current year (Europe/Rome).

    DPR 445/2000 art. 57: numbering is progressive, of at least seven digits, and starts again
    from 1 every 1 January; the number is assigned once and never changed. Idempotent: a document
    already registered returns its registration, so a task that runs twice numbers once.
    """
    for _tentativo in range(3):
        try:
            return _register(documento)
        except _AnnoCambiato:
            continue
    raise RuntimeError("Cambio d'anno durante tre tentativi di registrazione consecutivi")  # pragma: no cover


@transaction.atomic
def _register(documento: Documento) -> RegistrazioneProtocollo:
    documento = _lock(documento)
    if documento.registrazione_id is not None:
        return RegistrazioneProtocollo.objects.get(pk=documento.registrazione_id)
    if not in_attesa_di_protocollo(documento):
        raise NotAllowed(_(MSG_NON_PRESENTATO).format(documento=documento.pk))

    # Everything slow happens before the number is taken: the counter row stays locked from
    # get_next_value() to the commit, and every other registration of the year waits for it.
    campi = {
        "tipo_documento": tipo_documento(documento),
        "oggetto": oggetto(documento)[:300],
        "impronta": impronta(dati_trasmessi(documento)),
        "codice_verifica": _codice_verifica(),
    }
    anno = anno_di(timezone.now())
    numero = get_next_value(f"protocollo-{anno}", initial_value=1)
    # Taken after the lock so that a higher number never carries an earlier time.
    registrata_il = timezone.now()
    if anno_di(registrata_il) != anno:
        raise _AnnoCambiato  # rolls back the increment: the new year's counter is tried instead
    registrazione = RegistrazioneProtocollo.objects.create(
        anno=anno, numero=numero, registrata_il=registrata_il, **campi
    )
    documento.registrazione = registrazione
    documento.save(update_fields=["registrazione"])
    return registrazione


def _lock(documento: Documento) -> Documento:
    # The document's row lock serialises two workers that got the same task: the second one
    # waits here, then sees the first one's registration and returns it. What the object of the
    # registration needs comes in the same query; only the document's row is locked.
    if isinstance(documento, Domanda):
        domande = Domanda.objects.select_related("azienda", "sede__comune")
        return domande.select_for_update(of=("self",)).get(pk=documento.pk)
    consuntivi = Consuntivo.objects.select_related(
        "domanda__azienda", "domanda__sede__comune", "domanda__registrazione"
    )
    return consuntivi.select_for_update(of=("self",)).get(pk=documento.pk)


def in_attesa_di_protocollo(documento: Documento) -> bool:
    """Submitted and not yet numbered: the outbox condition the sweep also uses."""
    if documento.registrazione_id is not None:
        return False
    if isinstance(documento, Domanda):
        return documento.presentata_il is not None and documento.stato != StatoDomanda.BOZZA
    return documento.inviato_il is not None


def domande_in_attesa(prima_di: "dt.datetime") -> "QuerySet[Domanda]":
    """Domande submitted before `prima_di` still without a number, oldest first."""
    return (
        Domanda.objects.filter(registrazione__isnull=True, presentata_il__lte=prima_di)
        .exclude(stato=StatoDomanda.BOZZA)
        .order_by("presentata_il", "pk")
    )


def consuntivi_in_attesa(prima_di: "dt.datetime") -> "QuerySet[Consuntivo]":
    return Consuntivo.objects.filter(registrazione__isnull=True, inviato_il__lte=prima_di).order_by(
        "inviato_il", "pk"
    )


def registrazioni_senza_ricevuta_inviata(
    prima_di: "dt.datetime", dopo_il: "dt.datetime | None" = None
) -> "QuerySet[RegistrazioneProtocollo]":
    """Registrations whose receipt is missing or was never e-mailed (the mail server refused it on every
    retry): `genera_ricevuta` completes both and skips what is already done."""
    queryset = RegistrazioneProtocollo.objects.filter(
        Q(ricevuta__isnull=True) | Q(ricevuta__inviata_il__isnull=True), registrata_il__lte=prima_di
    )
    if dopo_il is not None:
        queryset = queryset.filter(registrata_il__gte=dopo_il)
    return queryset.order_by("registrata_il", "pk")


def anno_di(momento: "dt.datetime") -> int:
    return momento.astimezone(ROMA).year


def tipo_documento(documento: Documento) -> str:
    return TipoDocumento.DOMANDA if isinstance(documento, Domanda) else TipoDocumento.CONSUNTIVO


def dati_trasmessi(documento: Documento) -> Any:
    return documento.dati_presentati if isinstance(documento, Domanda) else documento.dati_inviati


def impronta(dati: Any) -> str:
    """SHA-256 of the canonical JSON of the transmitted data: anyone holding the same data can
    recompute it (keys sorted, no spaces, UTF-8)."""
    canonico = json.dumps(dati, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonico.encode("utf-8")).hexdigest()


def oggetto(documento: Documento) -> str:
    if isinstance(documento, Domanda):
        domanda = documento
        prefisso = "Rettifica domanda CIGD" if domanda.sostituisce_id else "Domanda CIGD"
        return f"{prefisso} – {domanda.azienda.ragione_sociale} – sede {_sede(domanda)}"
    domanda = documento.domanda
    return (
        f"Consuntivo CIGD {documento.mese:%m/%Y} – {domanda.azienda.ragione_sociale} – sede {_sede(domanda)}"
        f" – domanda {domanda.protocollo or domanda.pk}"
    )


def _sede(domanda: Domanda) -> str:
    sede = domanda.sede
    return f"{sede.denominazione}, {sede.comune.nome}"


def _codice_verifica() -> str:
    while True:
        codice = "".join(secrets.choice(ALFABETO_CODICE) for _i in range(LUNGHEZZA_CODICE))
        if not RegistrazioneProtocollo.objects.filter(codice_verifica=codice).exists():
            return codice
