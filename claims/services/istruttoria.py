"""The officer's workbench: taking a domanda in charge, assigning it, and the same decisions as
`domanda_transition` applied to many domande at once, each with its own outcome.

Every domanda of a bulk action runs in its own transaction: one refused domanda changes nothing of
itself and does not undo the others ("nothing half-done").
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from anagrafica.models import User
from anagrafica.permissions import is_funzionario
from core.exceptions import DomainError, NotAllowed, NotPermitted

from ..constants import STATI_SULLA_SCRIVANIA, StatoDomanda
from ..models import Domanda, EventoDomanda
from .domande import _check_regione, _lock, domanda_transition

MSG_GIA_IN_CARICO = N_("La domanda è già in carico a {funzionario}.")
MSG_NON_IN_ISTRUTTORIA = N_("Una domanda in stato {stato} non si prende in carico: è già decisa.")
MSG_ASSEGNATARIO = N_("Le domande si assegnano solo a un funzionario regionale attivo.")
MSG_NOTA_ASSEGNAZIONE = N_("Presa in carico da {funzionario}")


@dataclass(frozen=True)
class Esito:
    """The outcome of a bulk action for one domanda: done, or refused and why."""

    domanda: Domanda
    fatto: bool
    messaggio: str = ""


def nome_di(user: User | None) -> str:
    """How an officer is named to colleagues and in the history: full name, else username."""
    return (user.get_full_name() or user.username) if user is not None else ""


@transaction.atomic
def domanda_assign(*, actor: User, domanda: Domanda, funzionario: User, forza: bool = False) -> Domanda:
    """Put a domanda on an officer's desk. Taking a PRESENTATA domanda in charge starts its
    examination (PRESENTATA → IN ISTRUTTORIA). Without `forza`, a domanda already in charge of another
    officer is refused, so two officers taking the oldest domande at once never examine the same one."""
    _check_regione(actor)
    if not is_funzionario(funzionario):
        raise NotPermitted(_(MSG_ASSEGNATARIO))
    domanda = _lock(domanda)
    if domanda.stato not in STATI_SULLA_SCRIVANIA:
        raise NotAllowed(_(MSG_NON_IN_ISTRUTTORIA).format(stato=domanda.get_stato_display()))
    if domanda.assegnata_a_id not in (None, funzionario.pk) and not forza:
        raise NotAllowed(_(MSG_GIA_IN_CARICO).format(funzionario=nome_di(domanda.assegnata_a)))
    nota = _(MSG_NOTA_ASSEGNAZIONE).format(funzionario=nome_di(funzionario))
    if domanda.stato == StatoDomanda.PRESENTATA:
        domanda_transition(actor=actor, domanda=domanda, to=StatoDomanda.IN_ISTRUTTORIA, note=nota)
    elif domanda.assegnata_a_id != funzionario.pk:
        # Not a change of state, but the history says who had the domanda when.
        EventoDomanda.objects.create(
            domanda=domanda,
            actor=actor,
            da=domanda.stato,
            a=domanda.stato,
            note=nota,
            dati={"assegnata_a": funzionario.pk},
        )
    domanda.assegnata_a = funzionario
    domanda.save(update_fields=["assegnata_a", "updated_at"])
    return domanda


def domanda_take_in_charge(*, actor: User, domanda: Domanda) -> Domanda:
    return domanda_assign(actor=actor, domanda=domanda, funzionario=actor)


def _messaggio(error: Exception) -> str:
    if isinstance(error, DomainError):
        return error.message
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    raise error


def domande_bulk(
    *, actor: User, domande: Iterable[Domanda], azione: Callable[[Domanda], object]
) -> list[Esito]:
    """Apply `azione` (a service call) to each domanda in its own transaction and report each one."""
    _check_regione(actor)
    esiti = []
    for domanda in domande:
        try:
            azione(domanda)
        except (DomainError, ValidationError) as error:
            esiti.append(Esito(domanda, False, _messaggio(error)))
        else:
            esiti.append(Esito(domanda, True))
    return esiti


def domande_take_in_charge(*, actor: User, domande: Iterable[Domanda]) -> list[Esito]:
    return domande_bulk(
        actor=actor, domande=domande, azione=lambda d: domanda_take_in_charge(actor=actor, domanda=d)
    )


def domande_decide(*, actor: User, domande: Iterable[Domanda], to: str, note: str = "") -> list[Esito]:
    """The same decision (ammissibile, non ammissibile with its reason, …) on many domande; each
    follows the state machine on its own and the refused ones are reported with the reason."""
    return domande_bulk(
        actor=actor,
        domande=domande,
        azione=lambda d: domanda_transition(actor=actor, domanda=d, to=to, note=note),
    )
