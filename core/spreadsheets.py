"""What every CSV and XLSX file the app writes must respect."""

from typing import Any

# A cell starting with one of these is a formula to a spreadsheet (CSV/formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def cella_sicura(value: Any) -> Any:
    """A value to write in a CSV or XLSX cell: text that a spreadsheet would run as a formula gets a
    leading apostrophe (OWASP "CSV injection")."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
