"""The rules a domanda must satisfy to be submitted (DOMAIN.md; the regional agreement of 2020).

`check_submission` collects every failure, so the user sees all of them at once; each message names
the field or the rule. Messages are constants so tests and clients can match them.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from . import conteggi
from .constants import NON_VIVE, TipoContratto
from .models import Domanda, FinestraPresentazione, Lavoratore

# ATECO division 97: activities of households as employers of domestic personnel.
ATECO_LAVORO_DOMESTICO = "97"
# ATECO section A (divisions 01-03): agriculture, forestry and fishing, which claims days, not hours.
ATECO_AGRICOLTURA = ("01", "02", "03")

MSG_REQUIRED = N_("Campo obbligatorio per presentare la domanda.")
MSG_NO_LAVORATORI = N_("Indicare almeno un lavoratore.")
MSG_CF_RIPETUTO = N_("Il codice fiscale {cf} compare più di una volta.")
MSG_ACCORDO_MANCANTE = N_("Allegare l'accordo sindacale in PDF.")
MSG_DICHIARAZIONE = N_("La dichiarazione è obbligatoria.")
MSG_DIPENDENTI = N_(
    "Indica il numero di dipendenti: fino a {soglia} basta l'autodichiarazione del danno, oltre serve "
    "l'accordo sindacale."
)
MSG_AUTODICHIARAZIONE = N_(
    "Con non più di {soglia} dipendenti, al posto dell'accordo sindacale serve l'autodichiarazione del danno."
)
MSG_PERIODO_MISURA = N_(
    "Il periodo deve essere compreso tra il {dal} e il {al}, come previsto dalla misura «{misura}»."
)
MSG_NESSUNA_FINESTRA = N_(
    "Oggi non è aperta alcuna finestra di presentazione per la misura «{misura}»: "
    "non si possono presentare nuove domande."
)
MSG_FINESTRA_PERIODO = N_(
    "La finestra «{finestra}» (presentazione fino al {chiusura}) accetta solo periodi dal {dal} al {al}."
)
MSG_SETTIMANE = N_(
    "La sede ha già {usate} in domande attive della misura: con questa domanda i giorni coperti diventano "
    "{giorni}, cioè {totale}, oltre il massimo di {massimo} per sede."
)
MSG_PRIMA_DOMANDA_MAX = N_(
    "La prima domanda di una sede può coprire al massimo {massimo}: questo periodo è di {giorni} giorni, "
    "cioè {settimane}."
)
MSG_PRIMA_DOMANDA_MIN = N_(
    "La prima domanda di una sede deve coprire almeno {minimo} giorni: questo periodo è di {giorni} giorni."
)
MSG_SOVRAPPOSIZIONE = N_(
    "{cf}: il lavoratore è già nella domanda {altra} dell'azienda (sede «{sede}», dal {dal} al {al}) per un "
    "periodo che si sovrappone."
)
MSG_LAVORO_DOMESTICO = N_(
    "L'azienda ha il codice ATECO {ateco}, lavoro domestico: la CIGD non copre il lavoro domestico."
)
MSG_ORE = N_(
    "Le ore richieste ({ore}) superano le ore contrattuali del periodo ({massimo}: {settimanali} ore "
    "settimanali per {settimane})."
)
MSG_ORE_INTERMITTENTE = N_(
    "Le ore richieste ({ore}) superano le ore del periodo ({massimo}: media di {settimanali} ore "
    "settimanali negli ultimi tre mesi lavorati, per {settimane})."
)
MSG_GIORNI = N_(
    "I giorni richiesti ({giorni}) superano i giorni del periodo ({massimo}: {settimanali} giorni "
    "lavorativi a settimana per {settimane})."
)
MSG_GIORNI_MANCANTI = N_(
    "{cf}: un'azienda agricola chiede giorni, non ore: indica i giorni lavorativi a settimana (5 o 6) "
    "e i giorni richiesti."
)
MSG_GIORNI_TOTALI = N_(
    "{cf}: con queste domande i giorni richiesti per il lavoratore sono {totale}, oltre il massimo di "
    "{massimo} ({settimanali} giorni a settimana per {settimane})."
)
MSG_ASSUNZIONE = N_("Il lavoratore deve risultare assunto entro il {data}, come previsto dalla misura.")


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _fmt(value: Decimal) -> str:
    return formats.number_format(value, decimal_pos=1)


def check_submission(domanda: Domanda, *, oggi, rettifica_di: Domanda | None = None) -> dict[str, list[str]]:
    """All rule failures of `domanda`, by field.

    `rettifica_di` is the domanda a rettifica replaces. It still counts as live until the rettifica
    commits, but must not count against its successor; and the rettifica keeps its modalities ("le
    modalità … rimangono le stesse"), so today's submission windows do not apply to it."""
    errors: dict[str, list[str]] = defaultdict(list)
    lavoratori = list(domanda.lavoratori.all())
    _check_completeness(domanda, lavoratori, errors)
    _check_settore(domanda, errors)
    _check_periodo(domanda, errors)
    if rettifica_di is None:
        _check_finestre(domanda, oggi, errors)
    altre = _domande_vive_della_sede(domanda, rettifica_di)
    _check_settimane(domanda, altre, errors)
    _check_lavoratori(domanda, lavoratori, rettifica_di, errors)
    return dict(errors)


def _check_completeness(domanda, lavoratori, errors) -> None:
    for field in ("referente_nome", "referente_email", "referente_telefono"):
        if not getattr(domanda, field):
            errors[field].append(_(MSG_REQUIRED))
    _check_accordo(domanda, errors)
    for field in ("dichiara_assenza_altri_ammortizzatori", "dichiara_veridicita"):
        if not getattr(domanda, field):
            errors[field].append(_(MSG_DICHIARAZIONE))
    if not lavoratori:
        errors["lavoratori"].append(_(MSG_NO_LAVORATORI))


def _check_accordo(domanda, errors) -> None:
    """The union agreement, or for small employers (up to the measure's threshold) the
    self-declaration of the damage suffered."""
    soglia = domanda.misura.dipendenti_senza_accordo
    if soglia is not None and domanda.numero_dipendenti is None:
        errors["numero_dipendenti"].append(_(MSG_DIPENDENTI).format(soglia=soglia))
    if not domanda.accordo_richiesto:
        if not domanda.dichiara_danno:
            errors["dichiara_danno"].append(_(MSG_AUTODICHIARAZIONE).format(soglia=soglia))
        return
    if not domanda.accordo_data:
        errors["accordo_data"].append(_(MSG_REQUIRED))
    if not domanda.accordo_file:
        errors["accordo_file"].append(_(MSG_ACCORDO_MANCANTE))


def _check_settore(domanda, errors) -> None:
    """CIGD covers every sector except domestic work (DL 18/2020 art. 22; ATECO division 97)."""
    ateco = domanda.azienda.codice_ateco or ""
    if ateco.startswith(ATECO_LAVORO_DOMESTICO):
        errors["sede"].append(_(MSG_LAVORO_DOMESTICO).format(ateco=ateco))


def azienda_agricola(azienda) -> bool:
    """Agricultural employers (ATECO section A) claim days, not hours (Piemonte, 2020)."""
    return (azienda.codice_ateco or "").startswith(ATECO_AGRICOLTURA)


def _check_periodo(domanda, errors) -> None:
    misura = domanda.misura
    if domanda.data_inizio < misura.periodo_dal or domanda.data_fine > misura.periodo_al:
        errors["data_inizio"].append(
            _(MSG_PERIODO_MISURA).format(
                dal=_date(misura.periodo_dal), al=_date(misura.periodo_al), misura=misura
            )
        )


def _check_finestre(domanda, oggi, errors) -> None:
    misura = domanda.misura
    finestre = list(
        FinestraPresentazione.objects.filter(
            misura=misura, presentazione_dal__lte=oggi, presentazione_al__gte=oggi
        ).order_by("periodo_dal")
    )
    if not finestre:
        errors["misura"].append(_(MSG_NESSUNA_FINESTRA).format(misura=misura))
        return
    if not any(f.periodo_dal <= domanda.data_inizio and domanda.data_fine <= f.periodo_al for f in finestre):
        f = finestre[0]
        errors["data_inizio"].append(
            _(MSG_FINESTRA_PERIODO).format(
                finestra=f.nome,
                chiusura=_date(f.presentazione_al),
                dal=_date(f.periodo_dal),
                al=_date(f.periodo_al),
            )
        )


def _domande_vive_della_sede(domanda, rettifica_di):
    altre = Domanda.objects.filter(sede=domanda.sede_id, misura=domanda.misura_id).exclude(stato__in=NON_VIVE)
    altre = altre.exclude(pk=domanda.pk)
    return altre.exclude(pk=rettifica_di.pk) if rettifica_di else altre


def _check_settimane(domanda, altre, errors) -> None:
    """At most the measure's weeks per site, counted on the union of the days of the site's live
    domande; the first domanda of a site within the measure's first-domanda bounds (regional
    framework agreement, Piemonte, 26 March 2020: at most 5 of the 9 weeks and at least 5 days)."""
    misura = domanda.misura
    periodi = list(altre.values_list("data_inizio", "data_fine"))
    if not periodi:
        _check_prima_domanda(domanda, misura, errors)
    usate = conteggi.settimane_unione(periodi)
    giorni = conteggi.giorni_unione([*periodi, (domanda.data_inizio, domanda.data_fine)])
    totale = conteggi.settimane_di(giorni)
    if totale > misura.max_settimane_per_sede:
        errors["data_fine"].append(
            _(MSG_SETTIMANE).format(
                usate=conteggi.etichetta_settimane(usate),
                giorni=giorni,
                totale=conteggi.etichetta_settimane(totale),
                massimo=conteggi.etichetta_settimane(misura.max_settimane_per_sede),
            )
        )


def _check_prima_domanda(domanda, misura, errors) -> None:
    massimo, minimo = misura.max_settimane_prima_domanda, misura.min_giorni_prima_domanda
    if massimo is not None and domanda.settimane > massimo:
        errors["data_fine"].append(
            _(MSG_PRIMA_DOMANDA_MAX).format(
                massimo=conteggi.etichetta_settimane(massimo),
                giorni=domanda.giorni,
                settimane=conteggi.etichetta_settimane(domanda.settimane),
            )
        )
    if minimo is not None and domanda.giorni < minimo:
        errors["data_fine"].append(_(MSG_PRIMA_DOMANDA_MIN).format(minimo=minimo, giorni=domanda.giorni))


def _check_lavoratori(domanda, lavoratori, rettifica_di, errors) -> None:
    visti: set[str] = set()
    for lavoratore in lavoratori:
        cf = lavoratore.codice_fiscale
        if cf in visti:
            errors["lavoratori"].append(_(MSG_CF_RIPETUTO).format(cf=cf))
        visti.add(cf)
        errori = errori_lavoratore(
            ore_settimanali=lavoratore.ore_settimanali,
            ore_richieste=lavoratore.ore_richieste,
            tipo_contratto=lavoratore.tipo_contratto,
            data_assunzione=lavoratore.data_assunzione,
            settimane=domanda.settimane,
            assunti_entro=domanda.misura.data_assunzione_entro,
            giorni_settimana=lavoratore.giorni_settimana,
            giorni_richiesti=lavoratore.giorni_richiesti,
        )
        for message in errori.values():
            errors["lavoratori"].append(f"{cf}: {message}")
    if azienda_agricola(domanda.azienda):
        _check_giorni(domanda, lavoratori, rettifica_di, errors)
    for altro in lavoratori_sovrapposti(domanda, visti, rettifica_di=rettifica_di).filter(
        domanda__azienda=domanda.azienda_id
    ):
        altra = altro.domanda
        errors["lavoratori"].append(
            _(MSG_SOVRAPPOSIZIONE).format(
                cf=altro.codice_fiscale,
                altra=altra.protocollo or f"n. {altra.pk}",
                sede=altra.sede.denominazione,
                dal=_date(altra.data_inizio),
                al=_date(altra.data_fine),
            )
        )


def _check_giorni(domanda, lavoratori, rettifica_di, errors) -> None:
    """Agriculture: every worker carries days, and over the company's live domande of the measure a
    worker gets at most 9 weeks of days: 45 on a five-day week, 54 on a six-day week."""
    altre = (
        Domanda.objects.filter(azienda=domanda.azienda_id, misura=domanda.misura_id)
        .exclude(stato__in=NON_VIVE)
        .exclude(pk=domanda.pk)
    )
    if rettifica_di is not None:
        altre = altre.exclude(pk=rettifica_di.pk)
    gia_richiesti = dict(
        Lavoratore.objects.filter(
            domanda__in=altre, codice_fiscale__in=[lav.codice_fiscale for lav in lavoratori]
        )
        .values("codice_fiscale")
        .annotate(giorni=Sum("giorni_richiesti"))
        .values_list("codice_fiscale", "giorni")
    )
    settimane_misura = domanda.misura.max_settimane_per_sede
    for lav in lavoratori:
        if lav.giorni_settimana is None or lav.giorni_richiesti is None:
            errors["lavoratori"].append(_(MSG_GIORNI_MANCANTI).format(cf=lav.codice_fiscale))
            continue
        totale = lav.giorni_richiesti + (gia_richiesti.get(lav.codice_fiscale) or 0)
        massimo = conteggi.giorni_massimi(lav.giorni_settimana, settimane_misura)
        if totale > massimo:
            errors["lavoratori"].append(
                _(MSG_GIORNI_TOTALI).format(
                    cf=lav.codice_fiscale,
                    totale=totale,
                    massimo=massimo,
                    settimanali=lav.giorni_settimana,
                    settimane=conteggi.etichetta_settimane(settimane_misura),
                )
            )


def lavoratori_sovrapposti(
    domanda: Domanda, codici_fiscali: Iterable[str], *, rettifica_di: Domanda | None = None
) -> QuerySet[Lavoratore]:
    """The same workers in other live domande whose periods overlap `domanda`'s, under any company.
    Within the company it is an error (one suspension per worker per day, on any site); under another
    company it is allowed (two part-time employers) and shown to the officer."""
    altri = (
        Lavoratore.objects.filter(
            codice_fiscale__in=list(codici_fiscali),
            domanda__data_inizio__lte=domanda.data_fine,
            domanda__data_fine__gte=domanda.data_inizio,
        )
        .exclude(domanda__stato__in=NON_VIVE)
        .exclude(domanda=domanda.pk)
        .select_related("domanda__sede", "domanda__azienda", "domanda__registrazione")
        .order_by("codice_fiscale", "domanda_id")
    )
    return altri.exclude(domanda=rettifica_di.pk) if rettifica_di else altri


def errori_lavoratore(
    *,
    ore_settimanali: Decimal | None,
    ore_richieste: Decimal | None,
    data_assunzione,
    settimane: int | None,
    assunti_entro,
    tipo_contratto: str | None = None,
    giorni_settimana: int | None = None,
    giorni_richiesti: int | None = None,
) -> dict[str, str]:
    """The rules of one worker row, by field: the form shows them next to the field as the user types,
    the submission check reports them again with the worker's codice fiscale.

    Hours are at most weekly hours x weeks of the period (`claims.conteggi`). For an intermittent
    worker the weekly hours are the average of the last three worked months (Piemonte, 2020)."""
    errors = {}
    if ore_settimanali is not None and ore_richieste is not None and settimane is not None:
        massimo = conteggi.ore_massime(ore_settimanali, settimane)
        if ore_richieste > massimo:
            messaggio = MSG_ORE_INTERMITTENTE if tipo_contratto == TipoContratto.INTERMITTENTE else MSG_ORE
            errors["ore_richieste"] = _(messaggio).format(
                ore=_fmt(ore_richieste),
                massimo=_fmt(massimo),
                settimanali=_fmt(ore_settimanali),
                settimane=conteggi.etichetta_settimane(settimane),
            )
    if giorni_settimana is not None and giorni_richiesti is not None and settimane is not None:
        massimo_giorni = conteggi.giorni_massimi(giorni_settimana, settimane)
        if giorni_richiesti > massimo_giorni:
            errors["giorni_richiesti"] = _(MSG_GIORNI).format(
                giorni=giorni_richiesti,
                massimo=massimo_giorni,
                settimanali=giorni_settimana,
                settimane=conteggi.etichetta_settimane(settimane),
            )
    if assunti_entro and data_assunzione and data_assunzione > assunti_entro:
        errors["data_assunzione"] = _(MSG_ASSUNZIONE).format(data=_date(assunti_entro))
    return errors
