"""The consuntivi's part of retention (claims/services/retenzione.py): when a closed domanda is
anonymised, the workers' codici fiscali and names leave the monthly snapshots that hold their lines
(those sent before consuntivi/0008) as they left the domanda (with the same pseudonyms), and the
uploaded files are deleted; hours, pay and totals stay for the accounts. The lines of later
consuntivi name their workers only through `RigaConsuntivo.lavoratore`, anonymised with the domanda.
Runs inside the domanda's anonymisation transaction."""

from functools import partial
from typing import Any

from django.db import transaction

from claims.models import Domanda
from claims.services.retenzione import ANONIMO

from .models import CaricamentoConsuntivo, Consuntivo, RigaCaricamento


def consuntivi_anonymise(domanda: Domanda, pseudonimi: dict[str, str]) -> None:
    for consuntivo in Consuntivo.objects.filter(domanda=domanda).select_for_update():
        dati: dict[str, Any] = dict(consuntivo.dati_inviati or {})
        if "inviato_da" in dati:
            dati["inviato_da"] = ANONIMO
        if "righe" in dati:
            dati["righe"] = [
                {
                    **riga,
                    "codice_fiscale": pseudonimi.get(riga.get("codice_fiscale", ""), ANONIMO),
                    "cognome": ANONIMO,
                    "nome": ANONIMO,
                }
                for riga in dati["righe"]
            ]
        consuntivo.dati_inviati = dati
        consuntivo.save(update_fields=["dati_inviati"])
    # Staged lines hold codici fiscali as written; the sweep removes them within days, but the
    # guarantee should not depend on it.
    RigaCaricamento.objects.filter(caricamento__domanda=domanda).delete()
    for caricamento in CaricamentoConsuntivo.objects.filter(domanda=domanda).exclude(file=""):
        transaction.on_commit(partial(caricamento.file.storage.delete, caricamento.file.name))
        caricamento.file = ""  # type: ignore[assignment]
        caricamento.nome_file = ANONIMO
        caricamento.errori = []
        caricamento.save(update_fields=["file", "nome_file", "errori", "updated_at"])
