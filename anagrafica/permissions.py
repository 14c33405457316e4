"""Who is who: the one definition of each role, used by the admin, services, selectors, views and API.

- Funzionario regionale: an active backoffice account (`is_staff`) with the role FUNZIONARIO; a
  superuser counts as one.
- Operatore CPI: an active backoffice account with the role OPERATORE_CPI and its CPI.
- Company side (legale rappresentante, intermediario): everyone else who signed in with SPID, CIE or
  CNS; what they may touch is decided per company by `anagrafica.selectors.aziende_for`.
"""

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from .constants import Ruolo

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .models import User


def is_funzionario(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and (user.is_superuser or user.ruolo == Ruolo.FUNZIONARIO)
    )


def funzionari() -> "QuerySet[User]":
    """The accounts `is_funzionario` accepts that hold the role (not superusers without it): whom to
    assign domande to, whom to e-mail the officers' digest."""
    from .models import User

    return User.objects.filter(is_active=True, is_staff=True, ruolo=Ruolo.FUNZIONARIO)


def is_operatore_cpi(user: Any) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.ruolo == Ruolo.OPERATORE_CPI
        and user.cpi_id is not None
    )


def is_backoffice(user: Any) -> bool:
    return is_funzionario(user) or is_operatore_cpi(user)


def is_lato_impresa(user: Any) -> bool:
    """Acts for companies: signed in with a personal identity (codice fiscale), no office role."""
    return bool(user.is_authenticated and user.is_active and not is_backoffice(user) and user.codice_fiscale)


class FunzionarioOnlyMixin:
    """For admin classes: domande, measures, the register, consuntivi and the budget are the regional
    officers' business, not the CPI's."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_funzionario(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_funzionario(request.user)


class FunzionarioEditsMixin(FunzionarioOnlyMixin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_funzionario(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_funzionario(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_funzionario(request.user)
