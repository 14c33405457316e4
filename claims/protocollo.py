"""How the protocol register sees a domanda (registered in `ClaimsConfig.ready`)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _

from protocollo.registry import ContenutoRicevuta, Destinatario

from .constants import NON_PRESENTATE
from .models import Domanda
from .services.prospetto import allegati, data_iso, dati_trasmessi, firmatario, ore_totali


def periodo(dati: dict[str, Any]) -> str:
    inizio, fine = data_iso(dati.get("data_inizio")), data_iso(dati.get("data_fine"))
    return f"dal {inizio:%d/%m/%Y} al {fine:%d/%m/%Y}" if inizio and fine else "–"


def ore(valore: Decimal) -> str:
    return floatformat(valore, "1g")


def righe_azienda(dati: dict[str, Any]) -> list[tuple[Any, Any]]:
    """Company, site, measure and period as the receipt of a domanda or of its consuntivi prints them."""
    azienda, sede = dati.get("azienda", {}), dati.get("sede", {})
    unita = f"{sede.get('denominazione', '')} – {sede.get('indirizzo', '')}, {sede.get('cap', '')} {sede.get('comune', '')}"
    return [
        (_("Ragione sociale"), azienda.get("ragione_sociale", "")),
        (_("Codice fiscale"), azienda.get("codice_fiscale", "")),
        (_("Unità produttiva"), unita),
        (_("Misura"), (dati.get("misura") or {}).get("nome", "")),
        (_("Periodo"), periodo(dati)),
    ]


def referente(dati: dict[str, Any]) -> str:
    r = dati.get("referente", {})
    return " – ".join(v for v in (r.get("nome") or "–", r.get("email"), r.get("telefono")) if v)


def _sede(domanda: Domanda) -> str:
    return f"{domanda.sede.denominazione}, {domanda.sede.comune.nome}"


class DomandaProtocollabile:
    tipo = "DOMANDA"
    etichetta = _("Domanda")
    model = Domanda

    def in_attesa(self, prima_di: dt.datetime) -> QuerySet[Domanda]:
        return (
            Domanda.objects.filter(registrazione__isnull=True, presentata_il__lte=prima_di)
            .exclude(stato__in=NON_PRESENTATE)
            .order_by("presentata_il", "pk")
        )

    def blocca(self, pk: int) -> Domanda:
        # Only what the register reads (presentato, oggetto, dati_trasmessi): the whole rows of the
        # domanda, its company and site were most of a registration's time (issue 19).
        domande = Domanda.objects.select_related("azienda", "sede__comune").only(
            "registrazione_id", "presentata_il", "stato", "sostituisce_id", "dati_presentati",
            "oggetto_protocollo", "impronta_dati",
            "azienda__ragione_sociale", "sede__denominazione", "sede__comune__nome",
        )  # fmt: skip
        return domande.select_for_update(of=("self",)).get(pk=pk)

    def presentato(self, documento: Domanda) -> bool:
        return documento.presentata_il is not None and documento.stato not in NON_PRESENTATE

    def oggetto(self, documento: Domanda) -> str:
        prefisso = "Rettifica domanda CIGD" if documento.sostituisce_id else "Domanda CIGD"
        return f"{prefisso} – {documento.azienda.ragione_sociale} – sede {_sede(documento)}"

    def dati_trasmessi(self, documento: Domanda) -> Any:
        return documento.dati_presentati

    def ricevuta(self, documento: Domanda) -> ContenutoRicevuta:
        dati = dati_trasmessi(documento)
        return ContenutoRicevuta(
            titolo=str(_("Domanda di Cassa Integrazione Guadagni in Deroga")),
            presentato_il=documento.presentata_il,
            righe=[
                *righe_azienda(dati),
                (_("Lavoratori"), len(dati.get("lavoratori", []))),
                (_("Ore richieste in totale"), ore(ore_totali(dati))),
                (_("Referente"), referente(dati)),
                *firmatario(dati),
            ],
            allegati=allegati(dati),
            nota=str(_("Il prospetto completo dei dati trasmessi è scaricabile dall'area riservata.")),
        )

    def destinatario(self, documento: Domanda) -> Destinatario:
        return Destinatario(
            email=documento.referente_email,
            nome=documento.referente_nome,
            descrizione=(
                "la domanda di Cassa Integrazione Guadagni in Deroga dell'azienda "
                f"{documento.azienda.ragione_sociale} è stata registrata"
            ),
        )
