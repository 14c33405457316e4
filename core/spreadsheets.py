"""What every CSV and XLSX file the app writes must respect."""

import unicodedata
from typing import Any

# A cell starting with one of these is a formula to a spreadsheet (CSV/formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def cella_sicura(value: Any) -> Any:
    """A value to write in a CSV or XLSX cell: text that a spreadsheet would run as a formula gets a
    leading apostrophe (OWASP "CSV injection")."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def nome_colonna(intestazione: Any, alias: dict[str, str]) -> str:
    """A header cell as a field name: "Ore settimanali (da contratto)" → "ore_settimanali_da_contratto",
    then mapped through `alias`, so users may write the headers as they like."""
    text = unicodedata.normalize("NFKD", str(intestazione or "")).encode("ascii", "ignore").decode()
    text = "".join(c if c.isalnum() else "_" for c in text.strip().lower())
    while "__" in text:
        text = text.replace("__", "_")
    text = text.strip("_")
    return alias.get(text, text)
