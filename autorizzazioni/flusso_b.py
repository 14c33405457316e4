"""Flusso B: the XML a Region sends INPS for each determinazione (INPS message 1525/2020).

Built from the act's frozen data (`Determinazione.dati`), in a fixed order (company codice fiscale,
site, domanda, worker codice fiscale) and with nothing of the moment of generation inside, so that
the same act always gives the same bytes. Every file is validated against `xsd/flusso_b.xsd`
before anyone can download it.
"""

from decimal import Decimal
from functools import cache
from itertools import groupby
from pathlib import Path
from typing import Any

from lxml import etree

NS = "urn:aminder:cigd:flusso-b:1"
XSD = Path(__file__).resolve().parent / "xsd" / "flusso_b.xsd"


class FlussoBNonValido(ValueError):
    def __init__(self, errori: list[str]):
        super().__init__("; ".join(errori))
        self.errori = errori


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def valida(contenuto: bytes) -> None:
    """Raise `FlussoBNonValido` with every error of `contenuto` against the XSD."""
    schema = _schema()
    documento = etree.fromstring(contenuto, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    if not schema.validate(documento):
        raise FlussoBNonValido([f"riga {e.line}: {e.message}" for e in schema.error_log])


def _el(padre: etree._Element, nome: str, testo: Any = None, **attributi: str) -> etree._Element:
    elemento = etree.SubElement(padre, f"{{{NS}}}{nome}", attributi)
    if testo is not None:
        elemento.text = str(testo)
    return elemento


def genera(dati: dict[str, Any]) -> bytes:
    """The Flusso B of an act from its frozen data, validated."""
    radice = etree.Element(f"{{{NS}}}FlussoB", nsmap={None: NS}, versione="1")
    decreto = _el(radice, "Decreto")
    _el(decreto, "NumeroDecretoConvenzionale", dati["misura"]["decreto_inps"])
    _el(decreto, "Regione", dati["regione"])
    _el(decreto, "NumeroAtto", dati["numero"])
    _el(decreto, "DataAtto", dati["data"])
    _el(decreto, "Tranche", dati["tranche"])
    _el(decreto, "TipoAtto", dati["tipo"])
    _el(decreto, "Firmatario", dati["firmatario"])
    _el(decreto, "NumeroDomande", len(dati["domande"]))
    _el(decreto, "OreAutorizzateTotali", sum((Decimal(d["ore"]) for d in dati["domande"]), Decimal("0.0")))

    domande = sorted(
        dati["domande"], key=lambda d: (d["azienda"]["codice_fiscale"], d["sede"]["id"], d["id"])
    )
    for _cf, gruppo_azienda in groupby(domande, key=lambda d: d["azienda"]["codice_fiscale"]):
        per_azienda = list(gruppo_azienda)
        azienda = per_azienda[0]["azienda"]
        nodo_azienda = _el(radice, "Azienda")
        _el(nodo_azienda, "CodiceFiscale", azienda["codice_fiscale"])
        _el(nodo_azienda, "RagioneSociale", azienda["ragione_sociale"])
        if azienda.get("matricola_inps"):
            _el(nodo_azienda, "MatricolaInps", azienda["matricola_inps"])
        for _sede_id, gruppo_sede in groupby(per_azienda, key=lambda d: d["sede"]["id"]):
            per_sede = list(gruppo_sede)
            sede = per_sede[0]["sede"]
            unita = _el(nodo_azienda, "UnitaProduttiva")
            _el(unita, "Indirizzo", sede["indirizzo"])
            _el(unita, "CodiceComuneIstat", sede["comune_istat"])
            _el(unita, "Comune", sede["comune"])
            _el(unita, "Provincia", sede["provincia"])
            _el(unita, "Cap", sede["cap"])
            for domanda in per_sede:
                nodo = _el(unita, "Domanda", id=str(domanda["id"]))
                if domanda.get("protocollo"):
                    _el(nodo, "Protocollo", domanda["protocollo"])
                _el(nodo, "PeriodoDal", domanda["data_inizio"])
                _el(nodo, "PeriodoAl", domanda["data_fine"])
                _el(nodo, "OreAutorizzate", domanda["ore"])
                for lavoratore in sorted(domanda["lavoratori"], key=lambda lav: lav["codice_fiscale"]):
                    nodo_lav = _el(nodo, "Lavoratore")
                    _el(nodo_lav, "CodiceFiscale", lavoratore["codice_fiscale"])
                    _el(nodo_lav, "OreAutorizzate", lavoratore["ore"])
    contenuto = etree.tostring(radice, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    valida(contenuto)
    return contenuto
