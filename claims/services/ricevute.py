"""Receipts of the protocol register: the "ricevuta di presentazione" (PDF, stored with its SHA-256,
e-mailed to the referente), the "prospetto dei dati trasmessi" and the "registro giornaliero di
protocollo" (DPR 445/2000 art. 53 and 57).

The protocol worker calls `ricevuta_create` then `ricevuta_send` once a document has its number;
both can run twice without harm. Rendering itself is in `claims.receipts`.
"""

import csv
import datetime as dt
import hashlib
import io
import logging
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from core.exceptions import DomainError
from core.spreadsheets import cella_sicura

from .. import receipts
from ..constants import Qualifica, TipoContratto, TipoDocumento
from ..models import Domanda, RegistrazioneProtocollo, Ricevuta

if TYPE_CHECKING:
    from consuntivi.models import Consuntivo

logger = logging.getLogger(__name__)

ROMA = ZoneInfo("Europe/Rome")

MSG_OGGETTO_EMAIL = N_("Ricevuta di presentazione – protocollo {segnatura}")
MSG_PDF_ALTERATO = N_(
    "Il PDF della ricevuta {segnatura} non corrisponde all'impronta registrata: non viene inviato."
)
MSG_DOCUMENTO_ASSENTE = N_("La registrazione {segnatura} non è collegata ad alcun documento.")
CSV_INTESTAZIONE = ("Protocollo", "Anno", "Numero", "Data e ora", "Tipo", "Oggetto", "Impronta SHA-256")


# --- the receipt -------------------------------------------------------------------------------


def ricevuta_create(*, registrazione: RegistrazioneProtocollo) -> Ricevuta:
    """Render and store the receipt of a registered document, with the SHA-256 of the PDF.

    Idempotent: a receipt, once made, is never made again nor changed (it is what the referente
    received). The registrazione row lock serialises two workers that got the same task, so the
    second one finds the first one's receipt instead of failing on the OneToOne.
    """
    with transaction.atomic():
        registrazione = RegistrazioneProtocollo.objects.select_for_update().get(pk=registrazione.pk)
        esistente = Ricevuta.objects.filter(registrazione=registrazione).first()
        if esistente is not None:
            return esistente
        pdf = receipts.render_ricevuta(_contesto_ricevuta(registrazione))
        ricevuta = Ricevuta(registrazione=registrazione, sha256=hashlib.sha256(pdf).hexdigest())
        ricevuta.pdf.save(_nome_file(registrazione), ContentFile(pdf), save=False)
        try:
            ricevuta.save()
        except Exception:
            ricevuta.pdf.delete(save=False)
            raise
        return ricevuta


def ricevuta_send(*, ricevuta: Ricevuta) -> None:
    """E-mail the receipt to the referente of the domanda (for a consuntivo: of its domanda).

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
        domanda = _domanda_di(registrazione)
        if not domanda.referente_email:
            logger.warning("Ricevuta %s: la domanda non ha l'e-mail del referente", registrazione)
            return
        with ricevuta.pdf.open("rb") as file:
            pdf = file.read()
        if hashlib.sha256(pdf).hexdigest() != ricevuta.sha256:
            raise DomainError(_(MSG_PDF_ALTERATO).format(segnatura=registrazione.segnatura))
        with translation.override("it"), timezone.override(ROMA):
            corpo = render_to_string(
                "claims/email/ricevuta.txt",
                {
                    "registrazione": registrazione,
                    "domanda": domanda,
                    "consuntivo": _consuntivo_di(registrazione),
                    "regione": settings.AMINDER_REGIONE,
                    "url_verifica": url_verifica(registrazione),
                },
            )
            oggetto = _(MSG_OGGETTO_EMAIL).format(segnatura=registrazione.segnatura)
        messaggio = EmailMessage(subject=oggetto, body=corpo, to=[domanda.referente_email])
        messaggio.attach(_nome_file(registrazione), pdf, "application/pdf")
        messaggio.send()
        ricevuta.inviata_il = timezone.now()
        ricevuta.save(update_fields=["inviata_il"])


def url_verifica(registrazione: RegistrazioneProtocollo) -> str:
    """The public verification URL printed in the receipt's QR code."""
    query = urlencode(
        {"protocollo": registrazione.segnatura, "codice": registrazione.codice_verifica}, safe="/"
    )
    return f"{_url_pagina_verifica()}?{query}"


def _url_pagina_verifica() -> str:
    return settings.AMINDER_PUBLIC_URL.rstrip("/") + reverse("claims:verifica")


def _nome_file(registrazione: RegistrazioneProtocollo) -> str:
    return f"ricevuta-{registrazione.anno}-{registrazione.numero:07d}.pdf"


def _domanda_di(registrazione: RegistrazioneProtocollo) -> Domanda:
    consuntivo = _consuntivo_di(registrazione)
    if consuntivo is not None:
        return consuntivo.domanda
    try:
        return registrazione.domanda
    except Domanda.DoesNotExist:
        raise DomainError(_(MSG_DOCUMENTO_ASSENTE).format(segnatura=registrazione.segnatura)) from None


def _consuntivo_di(registrazione: RegistrazioneProtocollo) -> "Consuntivo | None":
    if registrazione.tipo_documento != TipoDocumento.CONSUNTIVO:
        return None
    from consuntivi.models import Consuntivo

    try:
        return registrazione.consuntivo
    except Consuntivo.DoesNotExist:
        raise DomainError(_(MSG_DOCUMENTO_ASSENTE).format(segnatura=registrazione.segnatura)) from None


def _contesto_ricevuta(registrazione: RegistrazioneProtocollo) -> dict[str, Any]:
    consuntivo = _consuntivo_di(registrazione)
    domanda = consuntivo.domanda if consuntivo is not None else _domanda_di(registrazione)
    dati = dati_trasmessi(domanda)
    contesto: dict[str, Any] = {
        "segnatura": registrazione.segnatura,
        "registrata_il": registrazione.registrata_il,
        "tipo_documento": registrazione.get_tipo_documento_display(),
        "azienda": dati.get("azienda", {}),
        "sede": dati.get("sede", {}),
        "misura": (dati.get("misura") or {}).get("nome", ""),
        "data_inizio": _data(dati.get("data_inizio")),
        "data_fine": _data(dati.get("data_fine")),
        "referente": dati.get("referente", {}),
        "impronta": registrazione.impronta,
        "codice_verifica": registrazione.codice_verifica,
        "url_verifica": url_verifica(registrazione),
        "url_verifica_pagina": _url_pagina_verifica(),
    }
    if consuntivo is None:
        lavoratori = dati.get("lavoratori", [])
        contesto |= {
            "presentata_il": domanda.presentata_il,
            "lavoratori_n": len(lavoratori),
            "ore_totali": _ore_totali(dati),
            "allegati": _allegati(domanda, dati),
        }
    else:
        ore = [riga.ore for riga in consuntivo.righe.all()]
        contesto |= {
            "presentata_il": consuntivo.inviato_il,
            "consuntivo": {"mese": consuntivo.mese, "domanda_protocollo": domanda.protocollo},
            "lavoratori_n": sum(1 for o in ore if o > 0),
            "ore_totali": sum(ore, Decimal(0)),
            "allegati": _allegati_generici(consuntivo.dati_inviati),
        }
    return contesto


# --- the data sheet ----------------------------------------------------------------------------


def dati_trasmessi(domanda: Domanda) -> dict[str, Any]:
    """The snapshot taken at submission; for an unsubmitted draft, what would be transmitted now."""
    if domanda.dati_presentati:
        return domanda.dati_presentati
    from .domande import domanda_snapshot

    return domanda_snapshot(domanda)


def prospetto_render(*, domanda: Domanda) -> bytes:
    """The full "prospetto dei dati trasmessi": every field of the submitted snapshot, every worker
    (as many pages as needed), the attachments with their SHA-256. The snapshot itself is embedded in
    the PDF as `dati-trasmessi.json` (PDF/A-3 associated file)."""
    dati = dati_trasmessi(domanda)
    registrazione = domanda.registrazione if domanda.registrazione_id else None
    sostituisce = None
    if domanda.sostituisce_id:
        precedente = Domanda.objects.select_related("registrazione").get(pk=domanda.sostituisce_id)
        sostituisce = precedente.protocollo or f"n. {precedente.pk}"
    contesto = {
        "dati": dati,
        "segnatura": registrazione.segnatura if registrazione else None,
        "registrata_il": registrazione.registrata_il if registrazione else None,
        "impronta": registrazione.impronta if registrazione else None,
        "presentata_il": domanda.presentata_il,
        "sostituisce": sostituisce,
        "data_inizio": _data(dati.get("data_inizio")),
        "data_fine": _data(dati.get("data_fine")),
        "settimane": _decimale(dati.get("settimane")),
        "ore_totali": _ore_totali(dati),
        "lavoratori": [_lavoratore(riga) for riga in dati.get("lavoratori", [])],
        "dichiarazioni": _dichiarazioni(dati.get("dichiarazioni") or {}),
        "allegati": _allegati(domanda, dati),
    }
    return receipts.render_prospetto(contesto, dati)


def _lavoratore(riga: dict[str, Any]) -> dict[str, Any]:
    return {
        **riga,
        "qualifica": _etichetta(Qualifica, riga.get("qualifica")),
        "tipo_contratto": _etichetta(TipoContratto, riga.get("tipo_contratto")),
        "data_assunzione": _data(riga.get("data_assunzione")),
        "ore_settimanali": _decimale(riga.get("ore_settimanali")),
        "ore_richieste": _decimale(riga.get("ore_richieste")),
    }


def _dichiarazioni(dichiarazioni: dict[str, Any]) -> list[dict[str, Any]]:
    """Each declaration with the text the user signed (the model field's label)."""
    righe = []
    for chiave, valore in dichiarazioni.items():
        try:
            testo = str(getattr(Domanda._meta.get_field(f"dichiara_{chiave}"), "verbose_name", chiave))
        except FieldDoesNotExist:  # a key the model does not know: show it as written
            testo = chiave.replace("_", " ").capitalize()
        righe.append({"testo": testo, "valore": bool(valore)})
    return righe


def _allegati(domanda: Domanda, dati: dict[str, Any]) -> list[dict[str, Any]]:
    allegati = _allegati_generici(dati)
    accordo = dati.get("accordo") or {}
    if accordo.get("sha256"):
        allegati.insert(
            0,
            {
                "nome": "Accordo sindacale (PDF)",
                "data": _data(accordo.get("data")),
                "sha256": accordo["sha256"],
            },
        )
    elif not dati.get("accordo") and domanda.accordo_sha256:
        allegati.insert(
            0,
            {
                "nome": "Accordo sindacale (PDF)",
                "data": domanda.accordo_data,
                "sha256": domanda.accordo_sha256,
            },
        )
    return allegati


def _allegati_generici(dati: dict[str, Any]) -> list[dict[str, Any]]:
    """Other attachments a snapshot may list as [{"nome", "sha256", "data"?}]."""
    return [
        {"nome": a.get("nome", ""), "data": _data(a.get("data")), "sha256": a.get("sha256", "")}
        for a in (dati.get("allegati") or [])
        if isinstance(a, dict)
    ]


def _ore_totali(dati: dict[str, Any]) -> Decimal:
    totale = _decimale(dati.get("ore_totali"))
    if totale is not None:
        return totale
    return sum(
        (_decimale(r.get("ore_richieste")) or Decimal(0) for r in dati.get("lavoratori", [])), Decimal(0)
    )


def _etichetta(choices: Any, valore: Any) -> str:
    try:
        return str(choices(valore).label)
    except ValueError:
        return str(valore or "")


def _data(valore: Any) -> dt.date | None:
    if isinstance(valore, dt.date):
        return valore
    try:
        return dt.date.fromisoformat(valore) if valore else None
    except (TypeError, ValueError):
        return None


def _decimale(valore: Any) -> Decimal | None:
    if valore is None or valore == "":
        return None
    try:
        return Decimal(str(valore))
    except InvalidOperation:
        return None


# --- the daily register ------------------------------------------------------------------------


def registro_giornaliero(*, giorno: dt.date) -> tuple[bytes, str]:
    """The daily protocol register (DPR 445/2000 art. 53 c. 2): every registration of that day in
    Europe/Rome time, in number order, as PDF for the archive and CSV (";"-separated, as Italian
    spreadsheets expect) for the officers."""
    inizio = dt.datetime.combine(giorno, dt.time.min, tzinfo=ROMA)
    fine = dt.datetime.combine(giorno + dt.timedelta(days=1), dt.time.min, tzinfo=ROMA)
    registrazioni = list(
        RegistrazioneProtocollo.objects.filter(registrata_il__gte=inizio, registrata_il__lt=fine).order_by(
            "anno", "numero"
        )
    )
    righe = [
        {
            "segnatura": r.segnatura,
            "anno": r.anno,
            "numero": r.numero,
            "registrata_il": r.registrata_il.astimezone(ROMA),
            "tipo": r.get_tipo_documento_display(),
            "oggetto": r.oggetto,
            "impronta": r.impronta,
        }
        for r in registrazioni
    ]
    pdf = receipts.render_registro(
        {
            "giorno": giorno,
            "generato_il": timezone.now(),
            "registrazioni": righe,
            "ultima": righe[-1] if righe else None,
        }
    )
    return pdf, _registro_csv(righe)


def _registro_csv(righe: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_INTESTAZIONE)
    for r in righe:
        writer.writerow(
            [
                r["segnatura"],
                r["anno"],
                r["numero"],
                r["registrata_il"].strftime("%d/%m/%Y %H:%M:%S"),
                r["tipo"],
                cella_sicura(r["oggetto"]),
                r["impronta"],
            ]
        )
    return buffer.getvalue()
