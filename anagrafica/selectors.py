"""Who may act for which company: the one place that decides it.

A legale rappresentante acts for every company whose representative's codice fiscale is theirs; an
intermediary only while an abilitazione of the competent CPI is valid today. Every company-side view
and API endpoint reaches aziende, sedi, domande and consuntivi through these querysets, so a record of
another company is simply not found (404).
"""

import re

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from core.exceptions import NotPermitted

from .constants import Ruolo
from .models import Abilitazione, Azienda, CentroImpiego, RichiestaCensimento, Sede, User

MSG_NON_AZIENDA = N_("Non sei abilitato ad agire per questa azienda.")


def aziende_for(user: User) -> QuerySet[Azienda]:
    # Backoffice accounts act for no company, even if they carry a codice fiscale: an officer must not
    # decide on a domanda of their own company.
    if (
        not user.is_authenticated
        or not user.is_active
        or not user.codice_fiscale
        or user.ruolo != Ruolo.IMPRESA
    ):
        return Azienda.objects.none()
    # `id IN (companies represented UNION companies enabled)`: each side is an index lookup of a few rows,
    # which the planner estimates as such. `lr_codice_fiscale = … OR EXISTS (abilitazione)` read every
    # company and was estimated at half of them, so the domande lists walked every domanda (issue 19).
    rappresentate = Azienda.objects.filter(lr_codice_fiscale=user.codice_fiscale).order_by().values("pk")
    abilitate = (
        Abilitazione.objects.valid_on(timezone.localdate())
        .filter(codice_fiscale=user.codice_fiscale)
        .order_by()
        .values("azienda_id")
    )
    return Azienda.objects.filter(pk__in=rappresentate.union(abilitate))


def ricerca_aziende(testo: str) -> Q:
    """The backoffice's company search, routed by the shape of the term so that each route reads an
    index (issue 19): a P.IVA or company codice fiscale (11 digits, `IT` allowed) exactly, a personal
    codice fiscale (the company's or its legal representative's) exactly, anything else part of the
    name (the trigram index of `UPPER(ragione_sociale)`)."""
    testo = re.sub(r"\s+", " ", testo).strip().upper()
    compatto = testo.replace(" ", "")
    if compatto.startswith("IT") and compatto[2:].isascii() and compatto[2:].isdigit():
        compatto = compatto[2:]
    if compatto.isascii() and compatto.isdigit() and len(compatto) == 11:
        return Q(partita_iva=compatto) | Q(codice_fiscale=compatto)
    if len(compatto) == 16 and compatto.isascii() and compatto.isalnum():
        return Q(codice_fiscale=compatto) | Q(lr_codice_fiscale=compatto)
    return Q(ragione_sociale__icontains=testo)


def check_can_act_for(user: User, azienda_id: int) -> None:
    """For services: refuse (NotPermitted) an actor who may not act for the company."""
    if not aziende_for(user).filter(pk=azienda_id).exists():
        raise NotPermitted(gettext(MSG_NON_AZIENDA))


def azienda_lock_for(user: User, azienda_id: int) -> Azienda:
    """For services: lock the company's row and check, in the same query, that `user` may act for it
    (NotPermitted otherwise)."""
    azienda = aziende_for(user).select_for_update(of=("self",)).filter(pk=azienda_id).first()
    if azienda is None:
        raise NotPermitted(gettext(MSG_NON_AZIENDA))
    return azienda


def azienda_get_for(user: User, pk: int) -> Azienda:
    return get_object_or_404(aziende_for(user), pk=pk)


def sedi_for(user: User) -> QuerySet[Sede]:
    return Sede.objects.filter(azienda__in=aziende_for(user)).select_related("azienda", "comune")


def sede_get_for(user: User, pk: int) -> Sede:
    return get_object_or_404(sedi_for(user), pk=pk)


def is_legale_rappresentante(user: User, azienda: Azienda) -> bool:
    return bool(user.codice_fiscale) and azienda.lr_codice_fiscale == user.codice_fiscale


def cpi_competente(comune_id: str) -> CentroImpiego | None:
    return CentroImpiego.objects.filter(comuni=comune_id).first()


def sedi_of_cpi(cpi: CentroImpiego) -> QuerySet[Sede]:
    return Sede.objects.filter(comune__cpi=cpi)


def aziende_of_cpi(cpi: CentroImpiego) -> QuerySet[Azienda]:
    """Companies with a site (or their registered office) in a comune the CPI covers."""
    return Azienda.objects.filter(
        Q(comune__cpi=cpi) | Exists(Sede.objects.filter(azienda=OuterRef("pk"), comune__cpi=cpi))
    )


def richieste_censimento_for(user: User) -> QuerySet[RichiestaCensimento]:
    if user.is_operatore_cpi:
        return RichiestaCensimento.objects.filter(cpi=user.cpi)
    if user.is_funzionario:
        return RichiestaCensimento.objects.all()
    return RichiestaCensimento.objects.filter(richiedente=user)
