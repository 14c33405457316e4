"""Reading and writing the tables of consuntivi: the uploaded CSV/XLSX files, their templates and
CSV cells safe to open in a spreadsheet.

Uploaded files are read as streams by `core.spreadsheets` (an XLSX sheet up to
`spreadsheets.CALAMINE_MAX_BYTES` is read whole by calamine, much faster), one line at a time; the
lines are staged in the database, so memory does not grow with the file.

File layout (the templates have it): a header on the first row naming the columns, then one line
per worker. Columns, in any order: `codice_fiscale` and `ore` (required), `retribuzione_mensile`
(optional: gross monthly pay, for the estimate of the amounts); `cognome` and `nome` are in the
templates for the reader's convenience and are ignored. CSV may be separated by semicolons (Excel in
Italian) or commas, UTF-8 or Windows-1252; decimals with comma or point. Row numbers in messages are
the spreadsheet's (the header is row 1).
"""

from collections.abc import Callable, Iterator
from operator import itemgetter
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from claims.models import Domanda
from core import spreadsheets
from core.spreadsheets import csv_lines, nome_colonna

from .constants import FormatoFile
from .rules import CAMPO_CF, CAMPO_ORE, CAMPO_RETRIBUZIONE, Errore

MAX_FILE_BYTES = 20 * 1024 * 1024
# Rows of a file below the header, blank ones included (a domanda has at most tens of thousands of
# workers; a sheet of a million blank rows is refused after this many).
MAX_RIGHE_FILE = 100_000

MSG_FORMATO = N_("Il file deve essere in formato CSV (.csv) o Excel (.xlsx).")
MSG_TROPPO_GRANDE = N_("Il file supera i 20 MB.")
MSG_FILE_VUOTO = N_("Il file non contiene righe di lavoratori.")
MSG_INTESTAZIONE = N_(
    "Nella prima riga (intestazione) manca la colonna «{colonna}». Scaricare il modello dalla pagina."
)
MSG_XLSX_ILLEGGIBILE = N_("Il file non è un foglio Excel (.xlsx) leggibile.")
MSG_XLSX_ESTESO = N_(
    "Il file Excel, una volta decompresso, supera i {mb} MB: non è stato salvato. Eliminare le righe "
    "e le colonne vuote in fondo al foglio, oppure salvarlo come CSV."
)
MSG_CSV_ILLEGGIBILE = N_("Il file CSV non è leggibile: {motivo}.")

COLONNE_MODELLO = ("codice_fiscale", "cognome", "nome", "ore", "retribuzione_mensile")
OBBLIGATORIE = (CAMPO_CF, CAMPO_ORE)
ALIAS = {
    "codice_fiscale": CAMPO_CF,
    "cf": CAMPO_CF,
    "codice_fiscale_lavoratore": CAMPO_CF,
    "ore": CAMPO_ORE,
    "ore_cigd": CAMPO_ORE,
    "ore_integrazione": CAMPO_ORE,
    "ore_di_integrazione": CAMPO_ORE,
    "retribuzione_mensile": CAMPO_RETRIBUZIONE,
    "retribuzione": CAMPO_RETRIBUZIONE,
    "retribuzione_mensile_lorda": CAMPO_RETRIBUZIONE,
}


# --- uploaded files -----------------------------------------------------------------------------


def formato_di(file: UploadedFile) -> str:
    """The format of an upload from its name and first bytes; ValidationError({"file": ...}) if not
    CSV or XLSX or too big."""
    name = (file.name or "").lower()
    if file.size is not None and file.size > MAX_FILE_BYTES:
        raise ValidationError({"file": [_(MSG_TROPPO_GRANDE)]})
    head = file.read(4)
    file.seek(0)
    if name.endswith(".xlsx"):
        if head != b"PK\x03\x04":
            raise ValidationError({"file": [_(MSG_XLSX_ILLEGGIBILE)]})
        try:
            spreadsheets.controlla_zip(file)
        except spreadsheets.FileTroppoEsteso:
            raise ValidationError(
                {"file": [_(MSG_XLSX_ESTESO).format(mb=spreadsheets.ESTRATTO_MAX_BYTES // 2**20)]}
            ) from None
        except spreadsheets.FileIlleggibile:
            raise ValidationError({"file": [_(MSG_XLSX_ILLEGGIBILE)]}) from None
        return FormatoFile.XLSX
    if name.endswith((".csv", ".txt")):
        return FormatoFile.CSV
    raise ValidationError({"file": [_(MSG_FORMATO)]})


# A line's (codice fiscale, hours, pay) as the file has them; pay is None when the file has no column.
Valori = tuple[Any, Any, Any]


class Lettore:
    """Iterates the lines of an uploaded file as (row number, `Valori` or None, reading errors).

    A line whose hours and pay are both blank comes as None: like a row left blank in the form, it
    leaves the worker out of the consuntivo. Past MAX_RIGHE_FILE rows (blank ones counted)
    `spreadsheets.TroppeRighe` is raised."""

    def __init__(self, stream: IO[bytes], formato: str):
        self.stream = stream
        self.formato = formato

    def righe_totali(self) -> int | None:
        return spreadsheets.conta_righe(self.stream, self.formato, veloce=True)

    def righe(self) -> Iterator[tuple[int | None, Valori | None, list[Errore]]]:
        # veloce: numbers are parsed from any type (`rules.parse_decimal`), so calamine's floats do.
        rows = spreadsheets.righe(self.stream, self.formato, max_righe=MAX_RIGHE_FILE, veloce=True)
        try:
            _numero, header = next(rows)
        except StopIteration:
            return
        except spreadsheets.FileIlleggibile as exc:
            yield None, None, [Errore(None, "file", _messaggio(exc))]
            return
        indici: dict[str, int] = {}
        for i, intestazione in enumerate(header):
            indici.setdefault(nome_colonna(intestazione, ALIAS), i)
        mancanti = [c for c in OBBLIGATORIE if c not in indici]
        if mancanti:
            yield 1, None, [Errore(1, c, _(MSG_INTESTAZIONE).format(colonna=c)) for c in mancanti]
            return
        valori_di = _valori_di(indici[CAMPO_CF], indici[CAMPO_ORE], indici.get(CAMPO_RETRIBUZIONE))
        larghezza = max(indici[c] for c in (CAMPO_CF, CAMPO_ORE, CAMPO_RETRIBUZIONE) if c in indici) + 1
        try:
            for numero, row in rows:
                if len(row) < larghezza:
                    row = [*row, *([None] * (larghezza - len(row)))]
                valori = valori_di(row)
                _cf, ore, retribuzione = valori
                # Blank is None or spaces (a sheet's number is never blank); written out, as this
                # runs for every line of the file.
                if (ore is not None and (ore.__class__ is not str or ore.strip())) or (
                    retribuzione is not None and (retribuzione.__class__ is not str or retribuzione.strip())
                ):
                    yield numero, valori, []
                else:
                    # Blank lines, and lines without hours nor pay: the worker is left out, as in
                    # the form. Counted, not checked.
                    yield numero, None, []
        except spreadsheets.FileIlleggibile as exc:
            yield None, None, [Errore(None, "file", _messaggio(exc))]


def _valori_di(cf: int, ore: int, retribuzione: int | None) -> Callable[[list[Any]], Valori]:
    if retribuzione is None:
        return lambda row: (row[cf], row[ore], None)
    return itemgetter(cf, ore, retribuzione)


def _messaggio(exc: spreadsheets.FileIlleggibile) -> str:
    if exc.formato == spreadsheets.XLSX:
        return _(MSG_XLSX_ILLEGGIBILE)
    return _(MSG_CSV_ILLEGGIBILE).format(motivo=exc.motivo)


def lettore(stream: IO[bytes], formato: str) -> Lettore:
    return Lettore(stream, formato)


# --- templates ------------------------------------------------------------------------------------


def _righe_modello(domanda: Domanda) -> Iterator[tuple[str, str, str, str, str]]:
    for cf, cognome, nome in domanda.lavoratori.order_by("cognome", "nome").values_list(
        "codice_fiscale", "cognome", "nome"
    ):
        yield cf, cognome, nome, "", ""


def modello_csv(domanda: Domanda) -> Iterator[str]:
    """The CSV template: the header and one line per worker of the domanda, hours left blank."""
    return csv_lines([COLONNE_MODELLO, *_righe_modello(domanda)])


def modello_xlsx(domanda: Domanda) -> bytes:
    """The XLSX template: the header and one line per worker of the domanda, and the instructions."""
    istruzioni = (
        _("Compilare il foglio «Consuntivo»: una riga per lavoratore, senza modificare l'intestazione."),
        _(
            "ore: ore di integrazione utilizzate nel mese, al massimo un decimale; lasciata vuota, "
            "il lavoratore non è nel consuntivo (come nel modulo)."
        ),
        _("retribuzione_mensile: facoltativa, retribuzione mensile lorda in euro (serve alla stima)."),
        _("cognome e nome sono solo di riferimento: conta il codice fiscale."),
        _("Il file viene accettato solo se tutte le righe sono corrette; gli errori sono indicati per riga."),
        _(
            "Dopo la verifica si vede il riepilogo: il consuntivo è inviato solo alla conferma, ed è definitivo."
        ),
    )
    righe = ([v or None for v in riga] for riga in _righe_modello(domanda))
    return spreadsheets.xlsx(
        [
            spreadsheets.Foglio("Consuntivo", [COLONNE_MODELLO, *righe], larghezze=(20, 24, 20, 10, 22)),
            spreadsheets.Foglio("Istruzioni", [[riga] for riga in istruzioni]),
        ]
    )
