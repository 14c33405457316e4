"""The rules a consuntivo must satisfy (DOMAIN.md "Consuntivo"; the Region's AMINDER pages).

`ConsuntivoRules` is built once for a domanda and a month and then checks the whole consuntivo
(`check_testata`) and each line (`check_riga`), collecting every failure so the user sees all of them
at once, each with its line number and field. The same object validates the lines typed in the form,
the lines of an uploaded file and the lines `consuntivo_send` receives, so the messages are the same
everywhere. Messages are constants so tests and clients can match them.

Hours a worker could have worked in a month (the limit of each line):
    ore lavorabili = giorni lavorativi / 5 × ore settimanali da contratto
where "giorni lavorativi" are the days Monday to Friday in the part of the month inside the
domanda's period. Holidays are not subtracted: the limit is a ceiling, and a worker on a six-day week
spreads the same weekly hours over more days, so it never refuses hours the worker could really have
lost. Rounded to one decimal, the precision of the hours.
"""

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cached_property
from typing import Any, NamedTuple, overload

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from claims.constants import STATI_CONSUNTIVABILI
from claims.models import Domanda, Lavoratore
from core.db import quoted_tables

from .models import Consuntivo, RigaCaricamento, RigaConsuntivo

MSG_STATO = N_("Non si possono inviare consuntivi per una domanda in stato {stato}.")
MSG_MESE_FUORI_PERIODO = N_("Il mese {mese} non rientra nel periodo della domanda (dal {dal} al {al}).")
MSG_MESE_FUTURO = N_(
    "Il mese {mese} non è ancora iniziato: il consuntivo riporta le ore effettivamente utilizzate."
)
MSG_MESE_GIA_INVIATO = N_(
    "Il consuntivo di {mese} per questa domanda è già stato inviato il {inviato_il}: "
    "un consuntivo inviato non si può modificare né annullare."
)
MSG_NESSUNA_RIGA = N_("Indicare le ore di almeno un lavoratore.")
MSG_CF_MANCANTE = N_("Indicare il codice fiscale del lavoratore.")
MSG_LAVORATORE_ESTRANEO = N_("Il codice fiscale {cf} non corrisponde a nessun lavoratore della domanda.")
MSG_CF_RIPETUTO = N_("Il lavoratore {cf} compare più di una volta (anche alla riga {prima}).")
MSG_ORE_MANCANTI = N_("Indicare le ore di integrazione utilizzate nel mese (0 se nessuna).")
MSG_NUMERO = N_("«{valore}» non è un numero valido.")
MSG_NUMERO_AMBIGUO = N_(
    "«{valore}» è ambiguo: usare la virgola per i decimali e nessun separatore delle migliaia (es. 2500,00)."
)
MSG_ORE_NEGATIVE = N_("Le ore non possono essere negative.")
MSG_ORE_DECIMALI = N_("Le ore ammettono al massimo un decimale.")
MSG_ORE_MESE = N_(
    "{cf}: {ore} ore superano le ore lavorabili nel mese, {massimo} ({giorni} giorni lavorativi dal "
    "{dal} al {al}, con {settimanali} ore settimanali)."
)
MSG_ORE_RICHIESTE = N_(
    "{cf}: con queste {ore} ore il totale consuntivato sulla domanda sarebbe {totale}, oltre le "
    "{richieste} ore richieste per il lavoratore."
)
MSG_RETRIBUZIONE = N_(
    "La retribuzione mensile, se indicata, deve essere maggiore di zero, con al massimo due decimali "
    "e inferiore a 10 milioni."
)

UN_DECIMALE = Decimal("0.1")
UN_CENTESIMO = Decimal("0.01")
# Distinct numbers remembered while a file is checked (see `ConsuntivoRules._numero`).
MAX_NUMERI_IN_MEMORIA = 10_000
# Errors the set-based check of an upload returns at most (the page shows the first thousand).
MAX_ERRORI_SET = 1000
MAX_RETRIBUZIONE = Decimal("10000000")
# A number with more digits before the point is no amount of hours or euros ("1e30"), and the checks'
# `quantize` would fail on it (Decimal computes with 28 digits): refused as not a number.
MAX_CIFRE_INTERE = 15

# Field names as they appear in the form and in the header of the upload templates.
CAMPO_CF = "codice_fiscale"
CAMPO_ORE = "ore"
CAMPO_RETRIBUZIONE = "retribuzione_mensile"


@dataclass(frozen=True)
class Errore:
    """One failure: `riga` is the line number the user sees (None for the whole consuntivo)."""

    riga: int | None
    campo: str
    messaggio: str

    @property
    def chiave(self) -> str:
        return f"righe.{self.riga}.{self.campo}" if self.riga is not None else self.campo

    def as_dict(self) -> dict[str, Any]:
        return {"riga": self.riga, "campo": self.campo, "messaggio": self.messaggio}


class ConsuntivoNonValido(ValidationError):
    """Every failure of a consuntivo. As a ValidationError its dict is keyed by field for the whole
    consuntivo ("mese", "righe") and by "righe.<riga>.<campo>" for a line; `errori` keeps the list."""

    def __init__(self, errori: list[Errore]):
        messages: dict[str, list[str]] = {}
        for errore in errori:
            messages.setdefault(errore.chiave, []).append(errore.messaggio)
        super().__init__(messages)
        self.errori = errori


class LavoratoreInfo(NamedTuple):
    """What the rules need of a worker: read as plain tuples, tens of thousands at a time."""

    pk: int
    codice_fiscale: str
    cognome: str
    nome: str
    ore_settimanali: Decimal
    ore_richieste: Decimal


@dataclass(frozen=True)
class RigaValida:
    lavoratore: LavoratoreInfo
    ore: Decimal
    retribuzione_mensile: Decimal | None


@overload
def decimale(valore: None) -> None: ...
@overload
def decimale(valore: Decimal | float | int) -> Decimal: ...
def decimale(valore: Decimal | float | int | None) -> Decimal | None:
    """A number read by raw SQL as a Decimal: PostgreSQL gives one, SQLite a float or an int."""
    return valore if valore is None or isinstance(valore, Decimal) else Decimal(str(valore))


def primo_del_mese(day: dt.date) -> dt.date:
    return day.replace(day=1)


def ultimo_del_mese(mese: dt.date) -> dt.date:
    return mese.replace(day=calendar.monthrange(mese.year, mese.month)[1])


def periodo_nel_mese(domanda: Domanda, mese: dt.date) -> tuple[dt.date, dt.date] | None:
    """The part of the domanda's period inside the month, or None if they do not meet."""
    dal, al = max(domanda.data_inizio, mese), min(domanda.data_fine, ultimo_del_mese(mese))
    return (dal, al) if dal <= al else None


def mesi_del_periodo(domanda: Domanda) -> list[dt.date]:
    mesi, mese = [], primo_del_mese(domanda.data_inizio)
    while mese <= domanda.data_fine:
        mesi.append(mese)
        mese = (mese + dt.timedelta(days=32)).replace(day=1)
    return mesi


def giorni_lavorativi(dal: dt.date, al: dt.date) -> int:
    """Days Monday to Friday from `dal` to `al`, both included."""
    return sum(1 for n in range((al - dal).days + 1) if (dal + dt.timedelta(days=n)).weekday() < 5)


def ore_lavorabili(ore_settimanali: Decimal, giorni: int) -> Decimal:
    return (Decimal(giorni) / 5 * ore_settimanali).quantize(UN_DECIMALE, rounding=ROUND_HALF_UP)


# The shapes nearly every cell has ("16", "12,5", "1850.00"): read without the checks below. A
# point followed by three digits ("2.500") is not one of them, so it still reaches the ambiguity check.
_NUMERO_SEMPLICE = re.compile(r"[0-9]{1,9}(?:[.,][0-9]{1,2})?")


# Cells whose value is remembered, by exact class: never a bool (True == 1 as a key, and a bool is
# not a number here).
_MEMORIZZABILI = frozenset({str, float, int})


def _ricorda(valide: dict[Any, Any], scritto: Any, valore: Decimal | None) -> None:
    if (scritto is None or scritto.__class__ in _MEMORIZZABILI) and len(valide) < MAX_NUMERI_IN_MEMORIA:
        valide[scritto] = valore


def parse_decimal(value: Any) -> Decimal | None:
    """A number typed by a person or read from a spreadsheet: None when blank.

    Accepts the decimal comma or point ("12,5", "12.5") and the Italian thousands separator when a
    decimal comma is present ("2.500,00"). A lone point followed by exactly three digits ("2.500") is
    refused as ambiguous rather than guessed. Raises ValueError with the Italian message."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(_(MSG_NUMERO).format(valore=value))
    if isinstance(value, Decimal | int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(str(value))
    elif isinstance(value, str) and _NUMERO_SEMPLICE.fullmatch(value):
        return Decimal(value.replace(",", "."))
    else:
        text = str(value).strip().replace(" ", "").replace("\u00a0", "")
        if not text:
            return None
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        elif text.count(".") == 1 and len(text.split(".")[1]) == 3 and text.split(".")[0].lstrip("+-") != "0":
            raise ValueError(_(MSG_NUMERO_AMBIGUO).format(valore=value))
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(_(MSG_NUMERO).format(valore=value)) from None
    if not number.is_finite() or number.adjusted() >= MAX_CIFRE_INTERE:
        raise ValueError(_(MSG_NUMERO).format(valore=value))
    return number


def _data(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _mese(value: dt.date) -> str:
    return formats.date_format(value, "YEAR_MONTH_FORMAT")


def _ore(value: Decimal) -> str:
    return formats.number_format(value, decimal_pos=1)


class ConsuntivoRules:
    """Checks a consuntivo of `domanda` for `mese` against the data as they are now.

    Reads the domanda's workers and the hours already sent for them in other months once, when the
    first line is checked, so that a file of tens of thousands of lines is checked with two queries."""

    def __init__(self, domanda: Domanda, mese: dt.date, *, oggi: dt.date):
        self.domanda, self.mese, self.oggi = domanda, mese, oggi
        self.periodo = periodo_nel_mese(domanda, mese)
        self.giorni = giorni_lavorativi(*self.periodo) if self.periodo else 0
        self.visti: dict[str, int | None] = {}
        self._massimi: dict[Decimal, Decimal] = {}
        self._numeri: dict[str | float, Decimal] = {}
        # Values of a file's cells found right, and what they are (see `check_valori`).
        self._ore_valide: dict[str | float, Decimal] = {}
        self._retribuzioni_valide: dict[str | float | None, Decimal | None] = {}

    @cached_property
    def lavoratori(self) -> dict[str, LavoratoreInfo]:
        rows = self.domanda.lavoratori.values_list(*LavoratoreInfo._fields)
        return {row[1]: LavoratoreInfo._make(row) for row in rows}

    @cached_property
    def ore_gia_inviate(self) -> dict[int, Decimal]:
        return dict(
            RigaConsuntivo.objects.filter(consuntivo__domanda=self.domanda)
            .exclude(consuntivo__mese=self.mese)
            .values("lavoratore")
            .annotate(totale=Sum("ore"))
            .values_list("lavoratore", "totale")
        )

    # --- the whole consuntivo -------------------------------------------------------------------

    def check_testata(self) -> list[Errore]:
        errori = []
        domanda, mese = self.domanda, self.mese
        if domanda.stato not in STATI_CONSUNTIVABILI:
            errori.append(Errore(None, "domanda", _(MSG_STATO).format(stato=domanda.get_stato_display())))
        if self.periodo is None:
            errori.append(
                Errore(
                    None,
                    "mese",
                    _(MSG_MESE_FUORI_PERIODO).format(
                        mese=_mese(mese), dal=_data(domanda.data_inizio), al=_data(domanda.data_fine)
                    ),
                )
            )
        elif mese > primo_del_mese(self.oggi):
            errori.append(Errore(None, "mese", _(MSG_MESE_FUTURO).format(mese=_mese(mese))))
        inviato = Consuntivo.objects.filter(domanda=domanda, mese=mese).only("inviato_il").first()
        if inviato is not None:
            errori.append(
                Errore(
                    None,
                    "mese",
                    _(MSG_MESE_GIA_INVIATO).format(
                        mese=_mese(mese),
                        inviato_il=formats.date_format(inviato.inviato_il, "SHORT_DATE_FORMAT"),
                    ),
                )
            )
        return errori

    # --- one line ---------------------------------------------------------------------------------

    def check_riga(
        self, numero: int | None, riga: Mapping[str, Any]
    ) -> tuple[RigaValida | None, list[Errore]]:
        """Check one line {codice_fiscale, ore, retribuzione_mensile?}; `numero` labels its errors."""
        cf, ore, retribuzione, errori = self.check_forma(numero, riga)
        lavoratore = None
        if cf is not None:
            lavoratore = self.lavoratori.get(cf)
            if lavoratore is None:
                # The codice fiscale is fine in itself, so no other error is about it: it goes first.
                errori.insert(0, Errore(numero, CAMPO_CF, _(MSG_LAVORATORE_ESTRANEO).format(cf=cf)))
        if lavoratore is not None and ore is not None:
            errore = self.errore_ore(numero, lavoratore, ore, self.ore_gia_inviate.get(lavoratore.pk))
            if errore is not None:
                errori.append(errore)
        if errori or lavoratore is None or ore is None:
            return None, errori
        return RigaValida(lavoratore, ore, retribuzione), errori

    def check_forma(
        self, numero: int | None, riga: Mapping[str, Any]
    ) -> tuple[str | None, Decimal | None, Decimal | None, list[Errore]]:
        """The rules of one line that need nothing but the line (and the lines before it): a codice
        fiscale given once, hours and pay well formed. Returns the codice fiscale (None if missing or
        repeated), the hours and the pay (None if blank or wrong) and the errors.

        Whether the codice fiscale is one of the domanda's workers and the hours within its limits are
        checked by `check_righe_caricate` (`check_riga` for the lines of the form)."""
        return self.check_valori(
            numero, riga.get(CAMPO_CF), riga.get(CAMPO_ORE), riga.get(CAMPO_RETRIBUZIONE)
        )

    def check_valori(
        self, numero: int | None, cf_scritto: Any, ore_scritte: Any, retribuzione_scritta: Any
    ) -> tuple[str | None, Decimal | None, Decimal | None, list[Errore]]:
        """`check_forma` of a line given as its three values, as a file's reader has them.

        The common line of a file repeats hours and pay that an earlier line had right ("16",
        "1850,00"): those are taken from what that line found, and the line costs a few lookups."""
        cf = (
            cf_scritto.strip().upper()
            if cf_scritto.__class__ is str
            else str(cf_scritto or "").strip().upper()
        )
        if cf and cf not in self.visti:
            ore = self._ore_valide.get(ore_scritte) if ore_scritte.__class__ in _MEMORIZZABILI else None
            retribuzioni = self._retribuzioni_valide
            if (
                ore is not None
                and (retribuzione_scritta is None or retribuzione_scritta.__class__ in _MEMORIZZABILI)
                and retribuzione_scritta in retribuzioni
            ):
                self.visti[cf] = numero
                return cf, ore, retribuzioni[retribuzione_scritta], []
        return self._check_forma(numero, cf, ore_scritte, retribuzione_scritta)

    def _check_forma(
        self, numero: int | None, cf: str, ore_scritte: Any, retribuzione_scritta: Any
    ) -> tuple[str | None, Decimal | None, Decimal | None, list[Errore]]:
        errori: list[Errore] = []
        codice: str | None = cf
        if not cf:
            errori.append(Errore(numero, CAMPO_CF, _(MSG_CF_MANCANTE)))
            codice = None
        elif cf in self.visti:
            prima = self.visti[cf]
            messaggio = _(MSG_CF_RIPETUTO).format(cf=cf, prima=prima if prima is not None else "?")
            errori.append(Errore(numero, CAMPO_CF, messaggio))
            codice = None
        else:
            self.visti[cf] = numero

        ore = self._numero(ore_scritte, CAMPO_ORE, numero, errori)
        if ore is None:
            if not errori or errori[-1].campo != CAMPO_ORE:
                errori.append(Errore(numero, CAMPO_ORE, _(MSG_ORE_MANCANTI)))
        elif ore < 0:
            errori.append(Errore(numero, CAMPO_ORE, _(MSG_ORE_NEGATIVE)))
            ore = None
        elif ore != ore.quantize(UN_DECIMALE):
            errori.append(Errore(numero, CAMPO_ORE, _(MSG_ORE_DECIMALI)))
            ore = None
        else:
            _ricorda(self._ore_valide, ore_scritte, ore)

        retribuzione = self._numero(retribuzione_scritta, CAMPO_RETRIBUZIONE, numero, errori)
        if retribuzione is not None and (
            retribuzione <= 0
            or retribuzione >= MAX_RETRIBUZIONE
            or retribuzione != retribuzione.quantize(UN_CENTESIMO)
        ):
            errori.append(Errore(numero, CAMPO_RETRIBUZIONE, _(MSG_RETRIBUZIONE)))
            retribuzione = None
        elif not errori or errori[-1].campo != CAMPO_RETRIBUZIONE:
            _ricorda(self._retribuzioni_valide, retribuzione_scritta, retribuzione)
        return codice, ore, retribuzione, errori

    def massimo_ore(self, lavoratore: LavoratoreInfo | Lavoratore) -> Decimal:
        settimanali = lavoratore.ore_settimanali
        if settimanali not in self._massimi:
            self._massimi[settimanali] = ore_lavorabili(settimanali, self.giorni)
        return self._massimi[settimanali]

    def errore_ore(
        self, numero: int | None, lavoratore: LavoratoreInfo, ore: Decimal, gia_inviate: Decimal | None
    ) -> Errore | None:
        """The hours of a worker's line against the hours workable in the month and, with the hours
        `gia_inviate` in other months, against the hours requested; None if within both."""
        if self.periodo is None:
            return None  # the month itself is refused by check_testata
        massimo = self.massimo_ore(lavoratore)
        if ore > massimo:
            return Errore(
                numero,
                CAMPO_ORE,
                _(MSG_ORE_MESE).format(
                    cf=lavoratore.codice_fiscale,
                    ore=_ore(ore),
                    massimo=_ore(massimo),
                    giorni=self.giorni,
                    dal=_data(self.periodo[0]),
                    al=_data(self.periodo[1]),
                    settimanali=_ore(lavoratore.ore_settimanali),
                ),
            )
        totale = (gia_inviate or Decimal(0)) + ore
        if totale > lavoratore.ore_richieste:
            return Errore(
                numero,
                CAMPO_ORE,
                _(MSG_ORE_RICHIESTE).format(
                    cf=lavoratore.codice_fiscale,
                    ore=_ore(ore),
                    totale=_ore(totale),
                    richieste=_ore(lavoratore.ore_richieste),
                ),
            )
        return None

    def _numero(self, value: Any, campo: str, numero: int | None, errori: list[Errore]) -> Decimal | None:
        # A file repeats the same few values ("16", "1850,00", 16.0 from a sheet): each is parsed
        # once. Only str and float: True == 1 as a key, and a bool is not a number here.
        memorizzabile = value.__class__ is str or value.__class__ is float
        if memorizzabile and (cached := self._numeri.get(value)) is not None:
            return cached
        try:
            number = parse_decimal(value)
        except ValueError as exc:
            errori.append(Errore(numero, campo, str(exc)))
            return None
        if number is not None and memorizzabile and len(self._numeri) < MAX_NUMERI_IN_MEMORIA:
            self._numeri[value] = number
        return number

    # --- the lines of an uploaded file, as a set ------------------------------------------------------

    def check_righe_caricate(
        self, caricamento_id: int, senza_ore: list[tuple[int | None, str]]
    ) -> list[Errore]:
        """The rules that look at the domanda's workers, for the lines of an upload staged in
        `RigaCaricamento` (codice fiscale well formed and given once, hours well formed): each
        codice fiscale is a worker of the domanda, and the hours are within the month's and the
        request's limits. One statement over the staged lines, ordered by line, at most
        MAX_ERRORI_SET errors; `senza_ore` are the (line, codice fiscale) of lines whose hours were
        wrong, checked for the worker only, as `check_riga` does."""
        errori: list[Errore] = []
        tabelle = quoted_tables(
            staging=RigaCaricamento, lavoratori=Lavoratore, righe=RigaConsuntivo, consuntivi=Consuntivo
        )
        parametri: dict[str, Any] = {
            "caricamento": caricamento_id,
            "domanda": self.domanda.pk,
            "mese": self.mese,
            "limiti": self.periodo is not None,
            "giorni": self.giorni,
            "massimo": MAX_ERRORI_SET,
        }
        with connection.cursor() as cursor:
            # The month's limit as `ore_lavorabili` computes it: round() on numeric rounds half up.
            # The wrong lines are found first and then ordered: with the ORDER BY … LIMIT on the join
            # itself the planner walked the lines in order, looking each worker up (50,000 lookups
            # to find none), instead of hashing the workers once.
            cursor.execute(
                (  # noqa: S608 - table names of models, quoted  # nosec B608
                    "WITH errate AS MATERIALIZED ("
                    "SELECT s.riga, s.codice_fiscale, s.ore, l.id, l.cognome, l.nome, l.ore_settimanali,"
                    " l.ore_richieste, g.totale FROM {staging} s"
                    " LEFT JOIN {lavoratori} l"
                    "   ON l.domanda_id = %(domanda)s AND l.codice_fiscale = s.codice_fiscale"
                    " LEFT JOIN (SELECT r.lavoratore_id, SUM(r.ore) AS totale FROM {righe} r"
                    "   JOIN {consuntivi} c ON c.id = r.consuntivo_id"
                    "   WHERE c.domanda_id = %(domanda)s AND c.mese <> %(mese)s GROUP BY r.lavoratore_id) g"
                    "   ON g.lavoratore_id = l.id"
                    " WHERE s.caricamento_id = %(caricamento)s AND (l.id IS NULL OR (%(limiti)s AND ("
                    "   s.ore > round(CAST(%(giorni)s AS NUMERIC) / 5.0 * l.ore_settimanali, 1)"
                    "   OR COALESCE(g.totale, 0) + s.ore > l.ore_richieste))))"
                    " SELECT * FROM errate ORDER BY riga LIMIT %(massimo)s"
                ).format(**tabelle),
                parametri,
            )
            for riga, cf, ore, pk, cognome, nome, settimanali, richieste, gia_inviate in cursor.fetchall():
                if pk is None:
                    errori.append(Errore(riga, CAMPO_CF, _(MSG_LAVORATORE_ESTRANEO).format(cf=cf)))
                    continue
                # SQLite (the embedded mode) answers numbers as floats, PostgreSQL as Decimal.
                lavoratore = LavoratoreInfo(pk, cf, cognome, nome, decimale(settimanali), decimale(richieste))
                errore = self.errore_ore(riga, lavoratore, decimale(ore), decimale(gia_inviate))
                if errore is not None:
                    errori.append(errore)
        if senza_ore:
            trovati = set(
                Lavoratore.objects.filter(
                    domanda=self.domanda, codice_fiscale__in={cf for _riga, cf in senza_ore}
                ).values_list("codice_fiscale", flat=True)
            )
            errori.extend(
                Errore(riga, CAMPO_CF, _(MSG_LAVORATORE_ESTRANEO).format(cf=cf))
                for riga, cf in senza_ore
                if cf not in trovati
            )
        return errori

    def check_righe_fuori_scala(self, righe: list[tuple[int | None, str, Decimal]]) -> list[Errore]:
        """`check_riga` for the (line, codice fiscale, hours) of an upload whose hours are too many to
        be staged (`RigaCaricamento.ore` holds less than 100,000, and no month allows that many): each
        codice fiscale is a worker of the domanda, and the hours are within the month's limit."""
        if not righe:
            return []
        per_cf = {
            riga[1]: LavoratoreInfo._make(riga)
            for riga in self.domanda.lavoratori.filter(
                codice_fiscale__in={cf for _r, cf, _o in righe}
            ).values_list(*LavoratoreInfo._fields)
        }
        errori: list[Errore] = []
        for numero, cf, ore in righe:
            lavoratore = per_cf.get(cf)
            if lavoratore is None:
                errori.append(Errore(numero, CAMPO_CF, _(MSG_LAVORATORE_ESTRANEO).format(cf=cf)))
            elif (errore := self.errore_ore(numero, lavoratore, ore, None)) is not None:
                errori.append(errore)
        return errori
