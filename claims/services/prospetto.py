"""The "prospetto dei dati trasmessi" of a domanda (the full data sheet, PDF/A-3 with the snapshot
embedded as JSON) and the reading of a submission snapshot, which the receipt adapters share.

The snapshot (`Domanda.dati_presentati`) is what was submitted; these helpers read it tolerantly,
so that a snapshot written by an older version still prints.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext

from ..constants import Qualifica, RuoloFirmatario, TipoContratto
from ..models import Domanda

# --- the data sheet ----------------------------------------------------------------------------


def dati_trasmessi(domanda: Domanda) -> dict[str, Any]:
    """The snapshot taken at submission (`domanda_submit`): what the receipt and the prospetto print."""
    snapshot: dict[str, Any] = domanda.dati_presentati or {}
    return snapshot


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
        "data_inizio": data_iso(dati.get("data_inizio")),
        "data_fine": data_iso(dati.get("data_fine")),
        "settimane": decimale(dati.get("settimane")),
        "ore_totali": ore_totali(dati),
        "lavoratori": [_lavoratore(riga) for riga in dati.get("lavoratori", [])],
        "dichiarazioni": _dichiarazioni(dati.get("dichiarazioni") or {}),
        "allegati": allegati(dati),
        "firmatario": firmatario(dati),
    }
    from protocollo import pdf  # WeasyPrint loads in the processes that render, not in every one

    return pdf.render_with_data("claims/pdf/prospetto.html", contesto, dati)


def _lavoratore(riga: dict[str, Any]) -> dict[str, Any]:
    return {
        **riga,
        "qualifica": _etichetta(Qualifica, riga.get("qualifica")),
        "tipo_contratto": _etichetta(TipoContratto, riga.get("tipo_contratto")),
        "data_assunzione": data_iso(riga.get("data_assunzione")),
        "ore_settimanali": decimale(riga.get("ore_settimanali")),
        "ore_richieste": decimale(riga.get("ore_richieste")),
    }


# Snapshot keys that are not the model field's name without its "dichiara_" prefix.
CAMPI_DICHIARAZIONI = {"danno_subito": "dichiara_danno"}


def _dichiarazioni(dichiarazioni: dict[str, Any]) -> list[dict[str, Any]]:
    """Each declaration with the text the user signed (the model field's label)."""
    righe = []
    for chiave, valore in dichiarazioni.items():
        campo = CAMPI_DICHIARAZIONI.get(chiave, f"dichiara_{chiave}")
        try:
            testo = str(getattr(Domanda._meta.get_field(campo), "verbose_name", chiave))
        except FieldDoesNotExist:  # a key the model does not know: show it as written
            testo = chiave.replace("_", " ").capitalize()
        righe.append({"testo": testo, "valore": bool(valore)})
    return righe


def firmatario(dati: dict[str, Any]) -> list[tuple[Any, Any]]:
    """Who submitted, as recorded at submission; nothing for a snapshot older than that record."""
    chi = dati.get("presentata_da") or {}
    if not chi.get("nome"):
        return []
    try:
        ruolo = str(RuoloFirmatario(str(chi.get("ruolo"))).label)
    except ValueError:
        ruolo = str(chi.get("ruolo") or "")
    testo = ", ".join(
        v
        for v in (
            chi["nome"],
            f"codice fiscale {chi['codice_fiscale']}" if chi.get("codice_fiscale") else "",
            ruolo,
        )
        if v
    )
    return [(gettext("Presentata da"), testo)]


def allegati(dati: dict[str, Any]) -> list[dict[str, Any]]:
    allegati = allegati_generici(dati)
    accordo = dati.get("accordo") or {}
    if accordo.get("sha256"):
        allegati.insert(
            0,
            {
                "nome": "Accordo sindacale (PDF)",
                "data": data_iso(accordo.get("data")),
                "sha256": accordo["sha256"],
            },
        )
    return allegati


def allegati_generici(dati: dict[str, Any]) -> list[dict[str, Any]]:
    """Other attachments a snapshot may list as [{"nome", "sha256", "data"?}]."""
    return [
        {"nome": a.get("nome", ""), "data": data_iso(a.get("data")), "sha256": a.get("sha256", "")}
        for a in (dati.get("allegati") or [])
        if isinstance(a, dict)
    ]


def ore_totali(dati: dict[str, Any]) -> Decimal:
    totale = decimale(dati.get("ore_totali"))
    if totale is not None:
        return totale
    return sum(
        (decimale(r.get("ore_richieste")) or Decimal(0) for r in dati.get("lavoratori", [])), Decimal(0)
    )


def _etichetta(choices: Any, valore: Any) -> str:
    try:
        return str(choices(valore).label)
    except ValueError:
        return str(valore or "")


def data_iso(valore: Any) -> dt.date | None:
    if isinstance(valore, dt.date):
        return valore
    try:
        return dt.date.fromisoformat(valore) if valore else None
    except (TypeError, ValueError):
        return None


def decimale(valore: Any) -> Decimal | None:
    if valore is None or valore == "":
        return None
    try:
        return Decimal(str(valore))
    except InvalidOperation:
        return None
