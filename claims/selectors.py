"""Which domande a user may see. Every company-side view and endpoint goes through here."""

import datetime as dt

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from anagrafica.models import User
from anagrafica.selectors import aziende_for

from .constants import EsitoRichiesta, StatoDomanda
from .models import Domanda, FinestraPresentazione, Lavoratore, Misura, RichiestaRegione
from .rules import lavoratori_sovrapposti


def domande_for(user: User) -> QuerySet[Domanda]:
    """Company side: every domanda (drafts included) of the companies the user may act for.
    Regional officers: every domanda except drafts, which stay invisible to the Region."""
    if user.is_authenticated and user.is_funzionario:
        return Domanda.objects.exclude(stato=StatoDomanda.BOZZA)
    return Domanda.objects.filter(azienda__in=aziende_for(user))


def domanda_get_for(user: User, pk: int) -> Domanda:
    return get_object_or_404(
        domande_for(user).select_related(
            "azienda", "sede__comune", "misura", "presentata_da", "registrazione__ricevuta"
        ),
        pk=pk,
    )


def finestre_aperte(day: dt.date) -> QuerySet[FinestraPresentazione]:
    return FinestraPresentazione.objects.filter(
        presentazione_dal__lte=day, presentazione_al__gte=day
    ).select_related("misura")


def misure_aperte(day: dt.date) -> QuerySet[Misura]:
    return Misura.objects.filter(
        finestre__presentazione_dal__lte=day, finestre__presentazione_al__gte=day
    ).distinct()


def lavoratori_in_altre_aziende(domanda: Domanda) -> QuerySet[Lavoratore]:
    """The domanda's workers who are also in a live domanda of another company for overlapping days.
    Allowed (a worker may have two part-time employers), but the officer is shown them to check the
    hours together."""
    codici = domanda.lavoratori.values_list("codice_fiscale", flat=True)
    return lavoratori_sovrapposti(domanda, codici).exclude(domanda__azienda=domanda.azienda_id)


def richieste_in_attesa(user: User) -> int:
    """The backoffice counter: requests of modifica/annullamento waiting for an officer's answer.
    Zero for everyone who does not answer them."""
    if not (user.is_authenticated and user.is_funzionario):
        return 0
    return RichiestaRegione.objects.filter(esito=EsitoRichiesta.IN_ATTESA).count()
