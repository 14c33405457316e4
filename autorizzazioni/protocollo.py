"""How the protocol register sees a determinazione (registered in `AutorizzazioniConfig.ready`)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from claims.protocollo import ore
from protocollo.registry import ContenutoRicevuta, Destinatario

from .models import Determinazione


class DeterminazioneProtocollabile:
    tipo = "DETERMINA"
    etichetta = _("Determinazione dirigenziale")
    model = Determinazione

    def in_attesa(self, prima_di: dt.datetime) -> QuerySet[Determinazione]:
        return Determinazione.objects.filter(registrazione__isnull=True, adottata_il__lte=prima_di).order_by(
            "adottata_il", "pk"
        )

    def blocca(self, pk: int) -> Determinazione:
        return Determinazione.objects.select_for_update(of=("self",)).get(pk=pk)

    def presentato(self, documento: Determinazione) -> bool:
        return documento.adottata_il is not None and bool(documento.dati)

    def oggetto(self, documento: Determinazione) -> str:
        return (
            f"Determinazione dirigenziale n. {documento.numero}/{documento.anno} del {documento.data:%d/%m/%Y}"
            f" – {documento.get_tipo_display()} CIGD – {documento.tranche}"
        )

    def dati_trasmessi(self, documento: Determinazione) -> Any:
        return documento.dati

    def ricevuta(self, documento: Determinazione) -> ContenutoRicevuta:
        domande = documento.dati.get("domande", [])
        return ContenutoRicevuta(
            titolo=str(_("Determinazione dirigenziale – Cassa Integrazione Guadagni in Deroga")),
            presentato_il=documento.adottata_il,
            righe=[
                (_("Numero e data"), f"n. {documento.numero}/{documento.anno} del {documento.data:%d/%m/%Y}"),
                (_("Tipo"), documento.get_tipo_display()),
                (_("Tranche"), documento.tranche),
                (_("Dirigente firmatario"), documento.firmatario),
                (_("Domande nell'allegato"), len(domande)),
                (_("Ore autorizzate"), ore(sum((Decimal(d["ore"]) for d in domande), Decimal(0)))),
            ],
        )

    def destinatario(self, documento: Determinazione) -> Destinatario | None:
        return None  # an internal act: nobody is e-mailed its receipt
