"""Reads of the register: what is waiting for a number or a receipt, whether a receipt is ready."""

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from . import registry
from .models import RegistrazioneProtocollo, Ricevuta


def documenti_in_attesa(prima_di: dt.datetime) -> list[tuple[str, QuerySet[Any]]]:
    """For each registered document type, its documents submitted before `prima_di` and still
    without a number, oldest first (the outbox)."""
    return [(adapter.tipo, adapter.in_attesa(prima_di)) for adapter in registry.adapters()]


def registrazioni_senza_ricevuta_inviata(
    prima_di: dt.datetime, dopo_il: dt.datetime | None = None
) -> QuerySet[RegistrazioneProtocollo]:
    """Registrations whose receipt is missing or was never e-mailed (the mail server refused it on every
    retry): `genera_ricevuta` completes both and skips what is already done."""
    queryset = RegistrazioneProtocollo.objects.filter(
        Q(ricevuta__isnull=True) | Q(ricevuta__inviata_il__isnull=True), registrata_il__lte=prima_di
    )
    if dopo_il is not None:
        queryset = queryset.filter(registrata_il__gte=dopo_il)
    return queryset.order_by("registrata_il", "pk")


def ricevuta_pronta(registrazione: RegistrazioneProtocollo | None) -> Ricevuta | None:
    """The receipt of a registration once its PDF exists; None while the worker is still on it."""
    if registrazione is None:
        return None
    ricevuta = getattr(registrazione, "ricevuta", None)  # reverse one-to-one: absent until made
    return ricevuta if ricevuta is not None and ricevuta.pdf else None
