"""The rules a domanda must satisfy to be submitted (DOMAIN.md; the regional agreement of 2020).

`check_submission` collects every failure, so the user sees all of them at once; each message names
the field or the rule. Messages are constants so tests and clients can match them.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from .constants import NON_VIVE
from .models import Domanda, FinestraPresentazione, Lavoratore

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
    "La sede ha già {usate} settimane in domande attive della misura: con queste {richieste} "
    "si supera il massimo di {massimo} settimane per sede."
)
MSG_SOVRAPPOSIZIONE = N_(
    "{cf}: il lavoratore è già nella domanda n. {altra} della stessa sede per un periodo che si sovrappone."
)
MSG_ORE = N_(
    "Le ore richieste ({ore}) superano le ore contrattuali del periodo ({massimo}: {settimanali} ore "
    "settimanali per {settimane} settimane)."
)
MSG_ASSUNZIONE = N_("Il lavoratore deve risultare assunto entro il {data}, come previsto dalla misura.")


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _fmt(value: Decimal) -> str:
    return formats.number_format(value, decimal_pos=1)


def check_submission(domanda: Domanda, *, oggi, ignora: Domanda | None = None) -> dict[str, list[str]]:
    """All rule failures of `domanda`, by field. `ignora` is the domanda a rettifica replaces:
    it still counts as live until the rettifica commits, but must not count against its successor."""
    errors: dict[str, list[str]] = defaultdict(list)
    lavoratori = list(domanda.lavoratori.all())
    _check_completeness(domanda, lavoratori, errors)
    _check_periodo(domanda, oggi, errors)
    altre = _domande_vive_della_sede(domanda, ignora)
    _check_settimane(domanda, altre, errors)
    _check_lavoratori(domanda, lavoratori, altre, errors)
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


def _check_periodo(domanda, oggi, errors) -> None:
    misura = domanda.misura
    if domanda.data_inizio < misura.periodo_dal or domanda.data_fine > misura.periodo_al:
        errors["data_inizio"].append(
            _(MSG_PERIODO_MISURA).format(
                dal=_date(misura.periodo_dal), al=_date(misura.periodo_al), misura=misura
            )
        )
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


def _domande_vive_della_sede(domanda, ignora):
    altre = Domanda.objects.filter(sede=domanda.sede_id, misura=domanda.misura_id).exclude(stato__in=NON_VIVE)
    altre = altre.exclude(pk=domanda.pk)
    return altre.exclude(pk=ignora.pk) if ignora else altre


def _check_settimane(domanda, altre, errors) -> None:
    giorni_usati = sum(d.giorni for d in altre.only("data_inizio", "data_fine"))
    massimo = domanda.misura.max_settimane_per_sede
    if giorni_usati + domanda.giorni > massimo * 7:
        errors["data_fine"].append(
            _(MSG_SETTIMANE).format(
                usate=_fmt(Decimal(giorni_usati) / 7), richieste=_fmt(domanda.settimane), massimo=massimo
            )
        )


def _check_lavoratori(domanda, lavoratori, altre, errors) -> None:
    visti: set[str] = set()
    settimane = domanda.settimane_esatte
    for lavoratore in lavoratori:
        cf = lavoratore.codice_fiscale
        if cf in visti:
            errors["lavoratori"].append(_(MSG_CF_RIPETUTO).format(cf=cf))
        visti.add(cf)
        errori = errori_lavoratore(
            ore_settimanali=lavoratore.ore_settimanali,
            ore_richieste=lavoratore.ore_richieste,
            data_assunzione=lavoratore.data_assunzione,
            settimane=settimane,
            assunti_entro=domanda.misura.data_assunzione_entro,
        )
        for message in errori.values():
            errors["lavoratori"].append(f"{cf}: {message}")
    sovrapposti = Lavoratore.objects.filter(
        Q(domanda__data_inizio__lte=domanda.data_fine) & Q(domanda__data_fine__gte=domanda.data_inizio),
        domanda__in=altre,
        codice_fiscale__in=visti,
    ).values_list("codice_fiscale", "domanda_id")
    for cf, altra in sovrapposti:
        errors["lavoratori"].append(_(MSG_SOVRAPPOSIZIONE).format(cf=cf, altra=altra))


def errori_lavoratore(
    *,
    ore_settimanali: Decimal | None,
    ore_richieste: Decimal | None,
    data_assunzione,
    settimane: Decimal | None,
    assunti_entro,
) -> dict[str, str]:
    """The rules of one worker row, by field: the form shows them next to the field as the user types,
    the submission check reports them again with the worker's codice fiscale."""
    errors = {}
    if ore_settimanali is not None and ore_richieste is not None and settimane is not None:
        massimo = (ore_settimanali * settimane).quantize(Decimal("0.1"))
        if ore_richieste > massimo:
            errors["ore_richieste"] = _(MSG_ORE).format(
                ore=_fmt(ore_richieste),
                massimo=_fmt(massimo),
                settimanali=_fmt(ore_settimanali),
                settimane=_fmt(settimane),
            )
    if assunti_entro and data_assunzione and data_assunzione > assunti_entro:
        errors["data_assunzione"] = _(MSG_ASSUNZIONE).format(data=_date(assunti_entro))
    return errors
