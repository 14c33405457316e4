"""The one write of `core`: the record of an access to personal data."""

from typing import Any

from django.db import models
from django.utils.functional import Promise

from .models import AccessoDatiPersonali


def accesso_dati_registra(
    *,
    actor: Any,  # settings.AUTH_USER_MODEL, which core does not import
    azione: AccessoDatiPersonali.Azione,
    descrizione: str | Promise,
    motivo: str | Promise,
    oggetto: models.Model | None = None,
    quanti: int | None = None,
) -> AccessoDatiPersonali:
    """Record that `actor` saw or took away personal data (`descrizione`: what, in words, without any
    of the values; `motivo`: the task it served). `oggetto` is the document or domanda concerned, if
    one; `quanti` how many rows an export held. Called by the upper apps' views, admin and exports."""
    return AccessoDatiPersonali.objects.create(
        actor=actor,
        azione=azione,
        descrizione=str(descrizione)[:200],
        motivo=str(motivo)[:200],
        oggetto_tipo=oggetto._meta.label_lower if oggetto is not None else "",
        oggetto_id=str(oggetto.pk) if oggetto is not None else "",
        quanti=quanti,
    )
