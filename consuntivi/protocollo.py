"""How the protocol register sees a sent consuntivo (registered in `ConsuntiviConfig.ready`)."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_lazy as _

from claims.protocollo import ore, referente, righe_azienda
from claims.services.prospetto import allegati_generici, dati_trasmessi
from protocollo.registry import ContenutoRicevuta, Destinatario

from .models import Consuntivo
from .selectors import consuntivo_dati_trasmessi


def _mese(consuntivo: Consuntivo) -> str:
    return date_format(consuntivo.mese, "F Y").lower()


class ConsuntivoProtocollabile:
    tipo = "CONSUNTIVO"
    etichetta = _("Consuntivo")
    model = Consuntivo

    def in_attesa(self, prima_di: dt.datetime) -> QuerySet[Consuntivo]:
        return Consuntivo.objects.filter(registrazione__isnull=True, inviato_il__lte=prima_di).order_by(
            "inviato_il", "pk"
        )

    def blocca(self, pk: int) -> Consuntivo:
        consuntivi = Consuntivo.objects.select_related(
            "domanda__azienda", "domanda__sede__comune", "domanda__registrazione"
        )
        return consuntivi.select_for_update(of=("self",)).get(pk=pk)

    def presentato(self, documento: Consuntivo) -> bool:
        return documento.inviato_il is not None

    def oggetto(self, documento: Consuntivo) -> str:
        domanda = documento.domanda
        sede = f"{domanda.sede.denominazione}, {domanda.sede.comune.nome}"
        return (
            f"Consuntivo CIGD {documento.mese:%m/%Y} – {domanda.azienda.ragione_sociale} – sede {sede}"
            f" – domanda {domanda.protocollo or domanda.pk}"
        )

    def dati_trasmessi(self, documento: Consuntivo) -> Any:
        return consuntivo_dati_trasmessi(documento)

    def ricevuta(self, documento: Consuntivo) -> ContenutoRicevuta:
        domanda = documento.domanda
        dati = dati_trasmessi(domanda)
        # Counted in SQL: a large consuntivo has tens of thousands of lines.
        mese = documento.righe.aggregate(lavoratori=Count("pk", filter=Q(ore__gt=0)), ore=Sum("ore"))
        return ContenutoRicevuta(
            titolo=str(_("Consuntivo mensile delle ore di integrazione salariale")),
            presentato_il=documento.inviato_il,
            righe=[
                (_("Riferito alla"), f"domanda {domanda.protocollo or '–'}"),
                *righe_azienda(dati),
                (_("Mese del consuntivo"), _mese(documento)),
                (_("Lavoratori nel mese"), mese["lavoratori"]),
                (_("Ore di integrazione del mese"), ore(mese["ore"] or Decimal(0))),
                (_("Referente"), referente(dati)),
            ],
            allegati=allegati_generici(documento.dati_inviati),
        )

    def destinatario(self, documento: Consuntivo) -> Destinatario:
        domanda = documento.domanda
        return Destinatario(
            email=domanda.referente_email,
            nome=domanda.referente_nome,
            descrizione=(
                f"il consuntivo di {_mese(documento)} della domanda {domanda.protocollo or ''} "
                f"dell'azienda {domanda.azienda.ragione_sociale} è stato registrato"
            ),
        )
