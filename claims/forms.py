"""Forms of the company-side pages of a domanda: the steps of a new domanda, the workers (one by one
or from a CSV/XLSX file), the rettifica and the requests to the Region.

Forms only read and check what the user typed, so that each error appears next to its field while
the data typed so far stay on the page; the services in `claims.services.domande` do every write and
apply the rules again (`claims.rules`).
"""

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as N_

from anagrafica.models import Sede
from anagrafica.validators import (
    normalize_codice_fiscale,
    normalize_telefono,
    validate_codice_fiscale_persona,
)
from core import spreadsheets
from core.spreadsheets import nome_colonna

from . import conteggi
from .constants import Qualifica, StatoDomanda, TipoContratto, TipoRichiesta
from .models import Domanda, Misura
from .rules import MSG_CF_RIPETUTO, MSG_PERIODO_MISURA, azienda_agricola, errori_lavoratore
from .services.domande import ACCORDO_MAX_BYTES, CAMPI_LAVORATORE, MSG_PERIODO

MSG_FILE_FORMATO = N_("Il file deve essere in formato CSV (.csv) o Excel (.xlsx).")
MSG_FILE_GRANDE = N_("Il file supera i 5 MB.")
MSG_FILE_VUOTO = N_("Il file non contiene righe di lavoratori sotto l'intestazione.")
MSG_FILE_TROPPE_RIGHE = N_(
    "Il file contiene più di {massimo} righe (contando anche quelle vuote): al massimo {massimo} "
    "lavoratori per domanda. Eliminare le righe vuote in fondo al foglio o dividere la domanda."
)
MSG_FILE_ESTESO = N_(
    "Il file Excel, una volta decompresso, supera i {mb} MB: eliminare le righe e le colonne vuote in "
    "fondo al foglio, oppure salvarlo come CSV."
)
MSG_FILE_COLONNA = N_(
    "Nella prima riga (intestazione) manca la colonna «{colonna}». Scaricare il modello da questa pagina."
)
MSG_FILE_ILLEGGIBILE = N_("Il file non è leggibile: {motivo}.")
MSG_FILE_RIGA = N_("Riga {riga}, {campo}: {errore}")
MSG_FILE_INTERROTTA = N_(
    "Verifica interrotta dopo {n} errori: correggere quelli indicati e caricare di nuovo il file."
)
MSG_CONFERMA = N_("Per presentare spunta la conferma.")
MSG_ACCORDO_PDF = N_("Allegare un file PDF (.pdf).")
MSG_ACCORDO_TROPPO_GRANDE = N_(
    "Il file supera i 10 MB: scegli un PDF più piccolo (ad esempio scansionato a 150 dpi)."
)
MSG_FILE_TROPPO_GRANDE = N_("Il file supera i 5 MB: dividi l'elenco o togli le colonne in più.")

FILE_MAX_BYTES = 5 * 1024 * 1024
FILE_MAX_RIGHE = 5000
FILE_MAX_ERRORI = 50
# An XLSX of 5,000 workers is about 5 MB unzipped; a sheet of blank rows compresses a thousand times.
FILE_MAX_ESTRATTO = 25 * 1024 * 1024
# Workers typed in the page: up to this many are shown as a form; longer lists are edited as a file
# (a form of hundreds of rows is unusable, and Django refuses requests of more than 1000 fields).
MODULO_MAX_RIGHE = 50
FORMSET_MAX_RIGHE = 100

LABELS_LAVORATORE = {
    "codice_fiscale": gettext_lazy("Codice fiscale"),
    "cognome": gettext_lazy("Cognome"),
    "nome": gettext_lazy("Nome"),
    "qualifica": gettext_lazy("Qualifica"),
    "tipo_contratto": gettext_lazy("Tipo di contratto"),
    "ore_settimanali": gettext_lazy("Ore settimanali da contratto"),
    "ore_richieste": gettext_lazy("Ore richieste nel periodo"),
    "data_assunzione": gettext_lazy("Data di assunzione"),
    "giorni_settimana": gettext_lazy("Giorni lavorativi a settimana (5 o 6)"),
    "giorni_richiesti": gettext_lazy("Giorni richiesti nel periodo"),
}


def date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def hours_widget() -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "decimal"})


def _num(value: Decimal) -> str:
    return formats.number_format(value, decimal_pos=1)


def _date(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


# --- step 1: site, misura, period ----------------------------------------------------------------


class SedeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Sede) -> str:
        return f"{obj.denominazione} – {obj.indirizzo}, {obj.cap} {obj.comune.nome}"


class MisuraChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Misura) -> str:
        testo = _(
            "{nome} ({base}): periodi dal {dal} al {al}, al massimo {settimane} settimane per sede"
        ).format(
            nome=obj.nome,
            base=obj.base_giuridica,
            dal=_date(obj.periodo_dal),
            al=_date(obj.periodo_al),
            settimane=obj.max_settimane_per_sede,
        )
        limiti = []
        if obj.max_settimane_prima_domanda is not None:
            limiti.append(
                _("al massimo {n}").format(n=conteggi.etichetta_settimane(obj.max_settimane_prima_domanda))
            )
        if obj.min_giorni_prima_domanda is not None:
            limiti.append(_("almeno {n} giorni").format(n=obj.min_giorni_prima_domanda))
        if limiti:
            testo += _("; la prima domanda della sede: {limiti}").format(limiti=_(" e ").join(limiti))
        return testo


class PeriodoForm(forms.Form):
    """The period of a domanda: inside the misura's, end not before start."""

    data_inizio = forms.DateField(label=gettext_lazy("Inizio del periodo"), widget=date_widget())
    data_fine = forms.DateField(
        label=gettext_lazy("Fine del periodo"),
        widget=date_widget(),
        help_text=gettext_lazy("Compresa: un periodo dal lunedì alla domenica è di una settimana."),
    )

    def __init__(self, *args: Any, misura: Misura | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.misura_domanda = misura

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        inizio, fine = cleaned.get("data_inizio"), cleaned.get("data_fine")
        if inizio and fine and fine < inizio:
            self.add_error("data_fine", _(MSG_PERIODO))
        misura = cleaned.get("misura") or self.misura_domanda
        if inizio and fine and misura and (inizio < misura.periodo_dal or fine > misura.periodo_al):
            self.add_error(
                "data_inizio",
                _(MSG_PERIODO_MISURA).format(
                    dal=_date(misura.periodo_dal), al=_date(misura.periodo_al), misura=misura
                ),
            )
        return cleaned


class NuovaDomandaForm(PeriodoForm):
    """Step 1 of a new domanda: one site of the chosen company, one misura open today, the period."""

    sede = SedeChoiceField(
        label=gettext_lazy("Sede (unità produttiva)"),
        queryset=Sede.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    misura = MisuraChoiceField(
        label=gettext_lazy("Misura"),
        queryset=Misura.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text=gettext_lazy("Solo le misure con una finestra di presentazione aperta oggi."),
    )
    field_order = ["sede", "misura", "data_inizio", "data_fine"]

    def __init__(self, *args: Any, sedi, misure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sede"].queryset = sedi  # type: ignore[attr-defined]
        self.fields["misura"].queryset = misure  # type: ignore[attr-defined]
        if len(sedi) == 1 and not self.is_bound:
            self.initial.setdefault("sede", sedi[0].pk)
        if len(misure) == 1 and not self.is_bound:
            self.initial.setdefault("misura", misure[0].pk)


# --- step 2: workers -----------------------------------------------------------------------------


class LavoratoreForm(forms.Form):
    """One worker. Knowing the domanda's period and misura, it refuses at once the hours above the
    contractual ones and a hiring after the misura's date (the same rules `check_submission` applies)."""

    codice_fiscale = forms.CharField(label=LABELS_LAVORATORE["codice_fiscale"], max_length=16)
    cognome = forms.CharField(label=LABELS_LAVORATORE["cognome"], max_length=100)
    nome = forms.CharField(label=LABELS_LAVORATORE["nome"], max_length=100)
    qualifica = forms.ChoiceField(
        label=LABELS_LAVORATORE["qualifica"], choices=[("", gettext_lazy("Scegli")), *Qualifica.choices]
    )
    tipo_contratto = forms.ChoiceField(
        label=LABELS_LAVORATORE["tipo_contratto"],
        choices=[("", gettext_lazy("Scegli")), *TipoContratto.choices],
    )
    ore_settimanali = forms.DecimalField(
        label=LABELS_LAVORATORE["ore_settimanali"],
        help_text=gettext_lazy(
            "Per un lavoratore intermittente: la media settimanale delle ore lavorate negli ultimi tre "
            "mesi lavorati."
        ),
        max_digits=4,
        decimal_places=1,
        localize=True,
        widget=hours_widget(),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("48"))],
    )
    ore_richieste = forms.DecimalField(
        label=LABELS_LAVORATORE["ore_richieste"],
        max_digits=6,
        decimal_places=1,
        localize=True,
        min_value=Decimal("0"),
        widget=hours_widget(),
    )
    data_assunzione = forms.DateField(label=LABELS_LAVORATORE["data_assunzione"], widget=date_widget())
    giorni_settimana = forms.TypedChoiceField(
        label=LABELS_LAVORATORE["giorni_settimana"],
        choices=[("", gettext_lazy("Scegli")), (5, "5"), (6, "6")],
        coerce=int,
        empty_value=None,
    )
    giorni_richiesti = forms.IntegerField(
        label=LABELS_LAVORATORE["giorni_richiesti"],
        min_value=0,
        help_text=gettext_lazy("Un'azienda agricola chiede giornate: al massimo 5 o 6 a settimana."),
    )

    def __init__(
        self,
        *args: Any,
        settimane: int | None = None,
        assunti_entro: dt.date | None = None,
        agricola: bool = False,
        **kwargs: Any,
    ) -> None:
        """`agricola`: the company claims days as well as hours (ATECO section A)."""
        super().__init__(*args, **kwargs)
        self.settimane = settimane
        self.assunti_entro = assunti_entro
        if not agricola:
            del self.fields["giorni_settimana"], self.fields["giorni_richiesti"]

    def clean_codice_fiscale(self) -> str:
        value = normalize_codice_fiscale(self.cleaned_data["codice_fiscale"])
        validate_codice_fiscale_persona(value)
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        errori = errori_lavoratore(
            ore_settimanali=cleaned.get("ore_settimanali"),
            ore_richieste=cleaned.get("ore_richieste"),
            tipo_contratto=cleaned.get("tipo_contratto"),
            giorni_settimana=cleaned.get("giorni_settimana"),
            giorni_richiesti=cleaned.get("giorni_richiesti"),
            data_assunzione=cleaned.get("data_assunzione"),
            settimane=self.settimane,
            assunti_entro=self.assunti_entro,
        )
        for campo, message in errori.items():
            self.add_error(campo, message)
        return cleaned

    def riga(self) -> dict[str, Any]:
        return {field: self.cleaned_data.get(field) for field in CAMPI_LAVORATORE}


class BaseLavoratoriFormSet(forms.BaseFormSet):
    """The workers of a domanda, one fieldset each; a row is removed by ticking its box."""

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Togli questo lavoratore dalla domanda")

    def clean(self) -> None:
        visti: dict[str, int] = {}
        for form in self.kept_forms():
            cf = form.cleaned_data.get("codice_fiscale")
            if not cf:
                continue
            if cf in visti:
                form.add_error("codice_fiscale", _(MSG_CF_RIPETUTO).format(cf=cf))
            visti[cf] = 1

    def kept_forms(self) -> list[forms.Form]:
        """The rows to save, in order: neither removed nor left blank."""
        return [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]

    def righe(self) -> list[dict[str, Any]]:
        return [form.riga() for form in self.kept_forms()]  # type: ignore[attr-defined]


LavoratoriFormSet = forms.formset_factory(
    LavoratoreForm,
    formset=BaseLavoratoriFormSet,
    extra=1,
    can_delete=True,
    max_num=FORMSET_MAX_RIGHE,
    validate_max=True,
)
PREFISSO_LAVORATORI = "lavoratori"


def lavoratori_formset(
    data=None,
    *,
    domanda: Domanda,
    initial: list[dict[str, Any]] | None = None,
    settimane: int | None = None,
    periodo_digitato: bool = False,
    extra: int | None = None,
) -> BaseLavoratoriFormSet:
    """The workers' formset of `domanda`. With `periodo_digitato` the hours are checked against
    `settimane`, the weeks of the period typed in the same request (a rettifica may change it), and
    not at all when that period is itself wrong (None): never against the domanda's old period."""
    form_kwargs = {
        "settimane": settimane if periodo_digitato else domanda.settimane,
        "assunti_entro": domanda.misura.data_assunzione_entro,
        "agricola": azienda_agricola(domanda.azienda),
    }
    formset_class = LavoratoriFormSet
    if extra is not None:
        formset_class = forms.formset_factory(
            LavoratoreForm,
            formset=BaseLavoratoriFormSet,
            extra=extra,
            can_delete=True,
            max_num=FORMSET_MAX_RIGHE,
            validate_max=True,
        )
    formset = formset_class(data, initial=initial, prefix=PREFISSO_LAVORATORI, form_kwargs=form_kwargs)
    return cast(BaseLavoratoriFormSet, formset)


def initial_from_domanda(domanda: Domanda) -> list[dict[str, Any]]:
    return list(domanda.lavoratori.order_by("cognome", "nome").values(*CAMPI_LAVORATORE))


def initial_from_data(formset: BaseLavoratoriFormSet) -> list[dict[str, Any]]:
    """What the user typed in a bound formset, as the initial data of a new one: "add a row" without
    JavaScript re-renders the page with one more blank row and nothing lost, nothing validated."""
    rows = []
    for form in formset.forms:
        raw = {name: form[name].value() for name in LavoratoreForm.base_fields if name in form.fields}
        if form["DELETE"].value() or not any(v not in (None, "") for v in raw.values()):
            continue
        rows.append(raw)
    return rows


# --- workers from a file -------------------------------------------------------------------------

COLONNE_FILE = CAMPI_LAVORATORE
# The days are read when present: only agricultural companies need them.
COLONNE_OBBLIGATORIE = tuple(c for c in COLONNE_FILE if c not in ("giorni_settimana", "giorni_richiesti"))
ALIAS_COLONNE = {
    "cf": "codice_fiscale",
    "codice_fiscale_lavoratore": "codice_fiscale",
    "qualifica_lavoratore": "qualifica",
    "contratto": "tipo_contratto",
    "tipo_di_contratto": "tipo_contratto",
    "ore_settimanali_da_contratto": "ore_settimanali",
    "ore_contrattuali_settimanali": "ore_settimanali",
    "ore_richieste_nel_periodo": "ore_richieste",
    "ore": "ore_richieste",
    "data_di_assunzione": "data_assunzione",
    "assunto_il": "data_assunzione",
}


def _scelta(choices: Any, value: Any) -> Any:
    """A qualifica or contract type written as its code or its label, in any case."""
    text = str(value or "").strip().lower()
    for code, label in choices.choices:
        if text in (code.lower(), str(label).lower()):
            return code
    return value


def _cella(value: Any) -> Any:
    """A spreadsheet cell as the text a user would have typed in the form."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float | int | Decimal) and not isinstance(value, bool):
        return formats.number_format(Decimal(str(value)))
    return "" if value is None else str(value).strip()


def leggi_lavoratori(
    file: UploadedFile, *, settimane: int | None, assunti_entro: dt.date | None, agricola: bool = False
) -> list[dict[str, Any]]:
    """The workers of an uploaded CSV or XLSX file, each row checked as the form checks it.

    The whole file or nothing: any error raises a ValidationError listing every faulty row as
    "Riga 3, codice fiscale: …" (spreadsheet row numbers, the header being row 1).
    """
    name = (file.name or "").lower()
    if file.size and file.size > FILE_MAX_BYTES:
        raise ValidationError(_(MSG_FILE_GRANDE))
    if name.endswith(".xlsx"):
        formato = spreadsheets.XLSX
    elif name.endswith((".csv", ".txt")):
        formato = spreadsheets.CSV
    else:
        raise ValidationError(_(MSG_FILE_FORMATO))
    try:
        if formato == spreadsheets.XLSX:
            spreadsheets.controlla_zip(file, max_bytes=FILE_MAX_ESTRATTO)
        return _leggi_righe(
            spreadsheets.righe(file, formato, max_righe=FILE_MAX_RIGHE),
            settimane=settimane,
            assunti_entro=assunti_entro,
            agricola=agricola,
        )
    except spreadsheets.TroppeRighe:
        raise ValidationError(_(MSG_FILE_TROPPE_RIGHE).format(massimo=FILE_MAX_RIGHE)) from None
    except spreadsheets.FileTroppoEsteso:
        raise ValidationError(_(MSG_FILE_ESTESO).format(mb=FILE_MAX_ESTRATTO // 2**20)) from None
    except spreadsheets.FileIlleggibile as exc:
        raise ValidationError(_(MSG_FILE_ILLEGGIBILE).format(motivo=exc.motivo)) from None


def _leggi_righe(
    rows: Iterator[tuple[int, list[Any]]],
    *,
    settimane: int | None,
    assunti_entro: dt.date | None,
    agricola: bool,
) -> list[dict[str, Any]]:
    try:
        _numero, header = next(rows)
    except StopIteration:
        raise ValidationError(_(MSG_FILE_VUOTO)) from None
    indici: dict[str, int] = {}
    for i, intestazione in enumerate(header):
        indici.setdefault(nome_colonna(intestazione, ALIAS_COLONNE), i)
    mancanti = [c for c in COLONNE_OBBLIGATORIE if c not in indici]
    if mancanti:
        raise ValidationError([_(MSG_FILE_COLONNA).format(colonna=c) for c in mancanti])

    righe: list[dict[str, Any]] = []
    errori: list[str] = []
    visti: dict[str, int] = {}
    for numero, row in rows:
        if len(errori) >= FILE_MAX_ERRORI:
            # Stop reading: the errors shown are enough to fix the file.
            errori = [*errori[:FILE_MAX_ERRORI], _(MSG_FILE_INTERROTTA).format(n=FILE_MAX_ERRORI)]
            break
        if not any(_cella(v) for v in row):
            continue  # blank lines are not workers (they count toward FILE_MAX_RIGHE, see righe())
        data = {c: _cella(row[i]) if i < len(row) else "" for c, i in indici.items() if c in COLONNE_FILE}
        data["qualifica"] = _scelta(Qualifica, data["qualifica"])
        data["tipo_contratto"] = _scelta(TipoContratto, data["tipo_contratto"])
        form = LavoratoreForm(data, settimane=settimane, assunti_entro=assunti_entro, agricola=agricola)
        if not form.is_valid():
            for field, messages in form.errors.items():
                campo = str(form.fields[field].label).lower() if field in form.fields else _("riga")
                errori.extend(_(MSG_FILE_RIGA).format(riga=numero, campo=campo, errore=m) for m in messages)
            continue
        cf = form.cleaned_data["codice_fiscale"]
        if cf in visti:
            errori.append(
                _(MSG_FILE_RIGA).format(
                    riga=numero,
                    campo=str(LABELS_LAVORATORE["codice_fiscale"]).lower(),
                    # One sentence, one full stop: "… più di una volta (già alla riga 3)."
                    errore=_(MSG_CF_RIPETUTO).format(cf=cf).removesuffix(".")
                    + " "
                    + _("(già alla riga {riga}).").format(riga=visti[cf]),
                )
            )
            continue
        visti[cf] = numero
        righe.append(form.riga())
    if errori:
        raise ValidationError(errori)
    if not righe:
        raise ValidationError(_(MSG_FILE_VUOTO))
    return righe


class LavoratoriFileForm(forms.Form):
    """The whole list of workers from a file: it replaces the current one only if every row is valid."""

    file = forms.FileField(
        label=gettext_lazy("File dei lavoratori (CSV o Excel .xlsx)"),
        help_text=gettext_lazy(
            "Una riga per lavoratore, con l'intestazione del modello. Il file sostituisce l'elenco "
            "attuale solo se tutte le righe sono corrette."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx", "data-max-bytes": FILE_MAX_BYTES}),
    )
    prefix = "file"

    def __init__(
        self,
        *args: Any,
        settimane: int | None = None,
        assunti_entro: dt.date | None = None,
        agricola: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["data-troppo-grande"] = _(MSG_FILE_TROPPO_GRANDE)
        self.settimane = settimane
        self.assunti_entro = assunti_entro
        self.agricola = agricola
        self.righe: list[dict[str, Any]] = []

    def clean_file(self) -> UploadedFile:
        file = self.cleaned_data["file"]
        self.righe = leggi_lavoratori(
            file, settimane=self.settimane, assunti_entro=self.assunti_entro, agricola=self.agricola
        )
        return file


# --- steps 3 to 6 --------------------------------------------------------------------------------


class AccordoForm(forms.Form):
    """The union agreement; under a measure with a threshold, small employers tick the
    self-declaration of the damage instead (the rules say which applies when submitting)."""

    numero_dipendenti = forms.IntegerField(
        label=gettext_lazy("Numero di dipendenti dell'azienda"), min_value=1, required=False
    )
    accordo_file = forms.FileField(
        label=gettext_lazy("Accordo sindacale (PDF)"),
        help_text=gettext_lazy("Un file PDF di al massimo 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )
    accordo_data = forms.DateField(label=gettext_lazy("Data dell'accordo sindacale"), widget=date_widget())
    dichiara_danno = forms.BooleanField(
        label=Domanda._meta.get_field("dichiara_danno").verbose_name,  # type: ignore[union-attr]
        required=False,
    )

    def __init__(self, *args: Any, allegato: bool = False, soglia: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        adatta_campi_accordo(self, allegato=allegato, soglia=soglia)
        dipendenti = _dipendenti(self)
        if soglia is not None and dipendenti is not None and dipendenti > soglia:
            # Above the threshold the agreement is what the rules will ask for: mark it required now.
            self.fields["accordo_data"].required = True
            self.fields["accordo_file"].required = not allegato

    def clean_accordo_file(self) -> UploadedFile | None:
        return _pdf(self.cleaned_data.get("accordo_file"))


def _dipendenti(form: forms.Form) -> int | None:
    """The headcount as typed (bound form) or as saved (initial)."""
    valore = form.data.get("numero_dipendenti") if form.is_bound else form.initial.get("numero_dipendenti")
    try:
        return int(str(valore)) if valore not in (None, "") else None
    except ValueError:
        return None


def _pdf(file: UploadedFile | None) -> UploadedFile | None:
    if file and not (file.name or "").lower().endswith(".pdf"):
        raise ValidationError(_(MSG_ACCORDO_PDF))
    return file


def adatta_campi_accordo(form: forms.Form, *, allegato: bool, soglia: int | None) -> None:
    """The agreement's fields as the measure wants them: under a threshold the headcount decides
    between the agreement and the self-declaration; an agreement already attached may be kept."""
    form.fields["accordo_file"].widget.attrs.update(
        {"data-max-bytes": ACCORDO_MAX_BYTES, "data-troppo-grande": _(MSG_ACCORDO_TROPPO_GRANDE)}
    )
    if soglia is None:
        del form.fields["numero_dipendenti"], form.fields["dichiara_danno"]
    else:
        form.fields["numero_dipendenti"].required = True
        # static/js/domanda.js marks the agreement required as soon as the headcount typed needs it.
        form.fields["numero_dipendenti"].widget.attrs["data-soglia-accordo"] = soglia
        form.fields["accordo_data"].widget.attrs["data-se-serve-accordo"] = "obbligatorio"
        if not allegato:
            form.fields["accordo_file"].widget.attrs["data-se-serve-accordo"] = "obbligatorio"
        form.fields["accordo_file"].required = form.fields["accordo_data"].required = False
        form.fields["accordo_file"].help_text = _(
            "Solo con più di {soglia} dipendenti. Un file PDF di al massimo 10 MB."
        ).format(soglia=soglia)
        form.fields["dichiara_danno"].help_text = _("Solo con non più di {soglia} dipendenti.").format(
            soglia=soglia
        )
    if allegato:
        field = form.fields["accordo_file"]
        field.required = False
        field.label = _("Sostituisci l'accordo sindacale (PDF)")
        field.help_text = _("Lascia vuoto per tenere il file già allegato. Un PDF di al massimo 10 MB.")


class ReferenteForm(forms.Form):
    referente_nome = forms.CharField(label=gettext_lazy("Nome e cognome del referente"), max_length=200)
    referente_email = forms.EmailField(
        label=gettext_lazy("E-mail del referente"),
        help_text=gettext_lazy("La ricevuta di presentazione sarà inviata a questo indirizzo."),
    )
    referente_telefono = forms.CharField(
        label=gettext_lazy("Telefono del referente"),
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def clean_referente_telefono(self) -> str:
        return normalize_telefono(self.cleaned_data["referente_telefono"])


def _dichiarazione(field: str) -> forms.BooleanField:
    return forms.BooleanField(
        label=Domanda._meta.get_field(field).verbose_name,  # type: ignore[union-attr]
        error_messages={"required": gettext_lazy("La dichiarazione è obbligatoria.")},
    )


class DichiarazioniForm(forms.Form):
    dichiara_assenza_altri_ammortizzatori = _dichiarazione("dichiara_assenza_altri_ammortizzatori")
    dichiara_veridicita = _dichiarazione("dichiara_veridicita")


class ConfermaForm(forms.Form):
    conferma = forms.BooleanField(
        label=gettext_lazy("Confermo la presentazione della domanda"),
        help_text=gettext_lazy(
            "Dopo la presentazione i dati non si possono più cambiare: si potrà rettificare la domanda "
            "finché è PRESENTATA o VERIFICATA - DA RETTIFICARE; dopo, solo chiedere una modifica alla Regione."
        ),
        error_messages={"required": gettext_lazy(MSG_CONFERMA)},
    )


# --- rettifica and requests --------------------------------------------------------------------


class RettificaForm(DichiarazioniForm, ReferenteForm, AccordoForm, PeriodoForm):
    """The "dati rettificabili": everything an officer may ask to correct (period, headcount, union
    agreement or self-declaration, referente, declarations); the workers are the formset or a file.
    Site and misura stay those of the domanda."""

    file_lavoratori = forms.FileField(
        label=gettext_lazy("Oppure carica l'elenco completo dei lavoratori (CSV o Excel .xlsx)"),
        required=False,
        help_text=gettext_lazy(
            "Se carichi un file, l'elenco qui sopra viene ignorato e sostituito da quello del file."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    conferma = forms.BooleanField(
        label=gettext_lazy(
            "Ho letto l'avviso: i consuntivi già inviati non passano alla nuova domanda. Confermo la "
            "presentazione della rettifica"
        ),
        error_messages={"required": gettext_lazy(MSG_CONFERMA)},
    )
    field_order = [
        "data_inizio",
        "data_fine",
        "numero_dipendenti",
        "accordo_file",
        "accordo_data",
        "dichiara_danno",
        "referente_nome",
        "referente_email",
        "referente_telefono",
        "dichiara_assenza_altri_ammortizzatori",
        "dichiara_veridicita",
        "file_lavoratori",
        "conferma",
    ]

    def __init__(self, *args: Any, domanda: Domanda, **kwargs: Any) -> None:
        super().__init__(
            *args,
            misura=domanda.misura,
            allegato=bool(domanda.accordo_file),
            soglia=domanda.misura.dipendenti_senza_accordo,
            **kwargs,
        )
        self.assunti_entro = domanda.misura.data_assunzione_entro
        self.agricola = azienda_agricola(domanda.azienda)
        self.righe_file: list[dict[str, Any]] | None = None

    def settimane(self) -> int | None:
        inizio, fine = self.cleaned_data.get("data_inizio"), self.cleaned_data.get("data_fine")
        if inizio and fine and fine >= inizio:
            return conteggi.settimane(inizio, fine)
        return None

    def campi(self) -> dict[str, Any]:
        """What `domanda_rettifica` takes as `**campi`: the domanda's fields (not the files)."""
        esclusi = ("file_lavoratori", "conferma", "accordo_file")
        return {k: v for k, v in self.cleaned_data.items() if k not in esclusi}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        file = cleaned.get("file_lavoratori")
        if file:
            try:
                self.righe_file = leggi_lavoratori(
                    file, settimane=self.settimane(), assunti_entro=self.assunti_entro, agricola=self.agricola
                )
            except ValidationError as exc:
                self.add_error("file_lavoratori", exc)
        return cleaned


class RichiestaForm(forms.Form):
    tipo = forms.ChoiceField(
        label=gettext_lazy("Che cosa chiedi alla Regione"),
        choices=TipoRichiesta.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, tipi: list[str], **kwargs: Any) -> None:
        """`tipi`: the requests the domanda's state allows (`tipi_richiesta`)."""
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["tipo"])
        field.choices = [(t, TipoRichiesta(t).label) for t in tipi]
        if len(tipi) == 1:
            self.initial.setdefault("tipo", tipi[0])

    motivo = forms.CharField(
        label=gettext_lazy("Motivo e dettagli della richiesta"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        help_text=gettext_lazy("Indica che cosa va cambiato e perché: il funzionario ti risponderà qui."),
    )


class FiltroDomandeForm(forms.Form):
    stato = forms.ChoiceField(
        label=gettext_lazy("Stato"),
        required=False,
        choices=[("", gettext_lazy("Tutti gli stati")), *StatoDomanda.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
