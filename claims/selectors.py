"""Which domande a user may see. Every company-side view and endpoint goes through here."""

import datetime as dt

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from anagrafica.models import User
from anagrafica.selectors import aziende_for

from .constants import StatoDomanda
from .models import Domanda, FinestraPresentazione, Misura


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
