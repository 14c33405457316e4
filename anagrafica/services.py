"""Every write to the anagrafica: identities, company data, abilitazioni, census requests.

Each service takes the acting user as `actor=`, checks that the actor may do it, runs in one
transaction, locks what it changes and leaves a trace (ModificaAnagrafica rows, who/when fields).
"""

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.exceptions import NotAllowed, NotPermitted

from .constants import CAMPI_MODIFICABILI_DALL_AZIENDA, Ruolo, StatoCensimento, TipoCensimento
from .models import (
    Abilitazione,
    ApiToken,
    Azienda,
    CentroImpiego,
    Comune,
    ModificaAnagrafica,
    RichiestaCensimento,
    Sede,
    User,
)
from .selectors import MSG_NON_AZIENDA, aziende_for, aziende_of_cpi, cpi_competente
from .validators import normalize_codice_fiscale, validate_codice_fiscale_persona

logger = logging.getLogger(__name__)

MSG_CAMPI_NON_MODIFICABILI = _(
    "Dall'area aziende si possono correggere solo telefono, fax, CAP e codice ATECO: per gli altri "
    "dati rivolgiti al Centro per l'Impiego."
)
MSG_CAP_FORMATO = _("Il CAP è formato da 5 cifre.")
MSG_CAP_COMUNE = _("Il CAP %(cap)s non appartiene al comune di %(comune)s.")
MSG_CPI_NON_COMPETENTE = _("Il tuo Centro per l'Impiego non è competente per questa azienda.")
MSG_LR_SOLO_FUNZIONARIO = _(
    "Il codice fiscale del legale rappresentante dà accesso a tutti i dati dell'azienda: lo modifica solo "
    "un funzionario regionale."
)
MSG_SEDE_FUORI_TERRITORIO = _(
    "Il comune di %(comune)s non è coperto dal tuo Centro per l'Impiego: lo spostamento della sede lo "
    "decide la Regione."
)
MSG_SOLO_BACKOFFICE = _("Operazione riservata agli operatori dei Centri per l'Impiego e ai funzionari.")
MSG_NESSUN_CPI = _("Nessun Centro per l'Impiego copre il comune di %(comune)s: rivolgiti alla Regione.")
MSG_ABILITAZIONE_GIA_REVOCATA = _("L'abilitazione è già stata revocata.")
MSG_ABILITAZIONE_SOVRAPPOSTA = _(
    "Esiste già un'abilitazione di questo intermediario per l'azienda in un periodo che si sovrappone."
)
MSG_PERIODO_INCOERENTE = _("La data di fine validità non può precedere quella di inizio.")
MSG_CENSIMENTO_GIA_DECISA = _("La richiesta di censimento è già stata decisa.")
MSG_CENSIMENTO_AZIENDA_SCONOSCIUTA = _(
    "Nessuna azienda censita ha il codice fiscale %(codice_fiscale)s: chiedi il censimento dell'azienda "
    "insieme alla sua sede."
)
MSG_MOTIVO_OBBLIGATORIO = _("Indicare il motivo del rifiuto.")

# Fields of Azienda and Sede that identify a record or are managed by the system: never edited by hand.
_CAMPI_DI_SISTEMA = {"id", "pk", "created_at", "updated_at"}


# --- Identities -------------------------------------------------------------------------------------


def user_from_identity(
    *, codice_fiscale: str, first_name: str = "", last_name: str = "", email: str = ""
) -> User:
    """The person a strong digital identity (SPID, CNS) names, created on first sign-in.

    A person's identity is their codice fiscale (issue 3): the username is the codice fiscale, the
    password is unusable, and name and e-mail follow what the identity provider asserts.
    """
    codice_fiscale = normalize_codice_fiscale(codice_fiscale)
    validate_codice_fiscale_persona(codice_fiscale)
    incoming = {"first_name": first_name.strip(), "last_name": last_name.strip(), "email": email.strip()}
    with transaction.atomic():
        user = User.objects.select_for_update().filter(codice_fiscale=codice_fiscale).first()
        if user is None:
            # get_or_create survives two first sign-ins of the same person at the same moment.
            user, created = User.objects.get_or_create(
                codice_fiscale=codice_fiscale,
                defaults={"username": codice_fiscale, "ruolo": Ruolo.IMPRESA, **incoming},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                return user
        changed = [field for field, value in incoming.items() if value and getattr(user, field) != value]
        for field in changed:
            setattr(user, field, incoming[field])
        if changed:
            user.save(update_fields=changed)
    return user


def api_token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_regenerate(*, actor: User) -> tuple[ApiToken, str]:
    """A new API token for the actor, valid API_TOKEN_DAYS; the previous ones stop working at once.
    Returns the row and the key: the key is not stored, so this is the only time it can be shown."""
    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        # The user's row serialises regenerations (a double click): without it each would revoke only
        # the committed tokens, and both new ones would stay in force.
        User.objects.select_for_update().get(pk=actor.pk)
        now = timezone.now()
        ApiToken.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=now)
        token = ApiToken.objects.create(
            user=actor,
            prefix=key[:8],
            digest=api_token_digest(key),
            created_at=now,
            expires_at=now + dt.timedelta(days=settings.API_TOKEN_DAYS),
        )
    return token, key


def api_token_revoke(*, actor: User) -> int:
    """Revokes the actor's tokens; returns how many were still in force."""
    return ApiToken.objects.active().filter(user=actor).update(revoked_at=timezone.now())


# --- Company data -----------------------------------------------------------------------------------


def _apply_changes(instance: Azienda | Sede, *, actor: User | None, fields: dict[str, Any]) -> list[str]:
    """Set the fields, validate them, save and write one ModificaAnagrafica row per changed field."""
    changed = []
    old_values = {}
    for field, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
        old = getattr(instance, field)
        if old != value:
            old_values[field] = old
            setattr(instance, field, value)
            changed.append(field)
    if not changed:
        return []
    concrete = {f.name for f in instance._meta.concrete_fields}
    instance.full_clean(exclude=list(concrete - set(changed)), validate_unique=True)
    azienda = instance if isinstance(instance, Azienda) else instance.azienda
    prefix = "" if isinstance(instance, Azienda) else f"sede {instance.pk}: "
    ModificaAnagrafica.objects.bulk_create(
        ModificaAnagrafica(
            azienda=azienda,
            actor=actor,
            campo=f"{prefix}{field}",
            valore_precedente=_as_text(old_values[field]),
            valore_nuovo=_as_text(getattr(instance, field)),
        )
        for field in changed
    )
    instance.save(update_fields=[*_attnames(instance, changed), "updated_at"])
    return changed


def _attnames(instance: models.Model, fields: list[str]) -> list[str]:
    return [instance._meta.get_field(field).name for field in fields]


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    return str(getattr(value, "pk", value))


def _validate_cap(cap: str, comune: Comune) -> None:
    if not (len(cap) == 5 and cap.isdigit()):
        raise ValidationError({"cap": MSG_CAP_FORMATO})
    if comune.cap and cap not in comune.cap:
        raise ValidationError({"cap": MSG_CAP_COMUNE % {"cap": cap, "comune": comune.nome}})


def azienda_update_contatti(*, actor: User, azienda: Azienda, **fields: str) -> list[str]:
    """The company side corrects phone, fax, CAP and ATECO code ("Gestione Anagrafica Azienda");
    every other field changes only through the CPI. Returns the names of the changed fields."""
    if set(fields) - set(CAMPI_MODIFICABILI_DALL_AZIENDA):
        raise NotPermitted(str(MSG_CAMPI_NON_MODIFICABILI))
    with transaction.atomic():
        locked = aziende_for(actor).select_for_update(of=("self",)).filter(pk=azienda.pk).first()
        if locked is None:
            raise NotPermitted(gettext(MSG_NON_AZIENDA))
        if "cap" in fields:
            _validate_cap(fields["cap"].strip(), locked.comune)
        changed = _apply_changes(locked, actor=actor, fields=fields)
    azienda.refresh_from_db()
    return changed


def _check_backoffice(actor: User, azienda: Azienda | None = None) -> CentroImpiego | None:
    """Funzionari act on every company (returns None); an operatore CPI only on the companies of their
    CPI (returns the CPI)."""
    if actor.is_funzionario or actor.is_superuser:
        return None
    cpi = actor.cpi if actor.is_operatore_cpi else None
    if cpi is None:
        raise NotPermitted(str(MSG_SOLO_BACKOFFICE))
    if azienda is not None and not aziende_of_cpi(cpi).filter(pk=azienda.pk).exists():
        raise NotPermitted(str(MSG_CPI_NON_COMPETENTE))
    return cpi


def azienda_update(*, actor: User, azienda: Azienda, **fields: Any) -> list[str]:
    """The backoffice corrects any field of a company of its territory; every change is recorded."""
    if set(fields) & _CAMPI_DI_SISTEMA:
        raise NotPermitted(str(MSG_SOLO_BACKOFFICE))
    cpi = _check_backoffice(actor, azienda)
    with transaction.atomic():
        locked = Azienda.objects.select_for_update().get(pk=azienda.pk)
        if cpi is not None and fields.get("lr_codice_fiscale", locked.lr_codice_fiscale) != (
            locked.lr_codice_fiscale
        ):
            # The LR acts for the company without any abilitazione: handing that over is the Region's call.
            raise NotPermitted(str(MSG_LR_SOLO_FUNZIONARIO))
        changed = _apply_changes(locked, actor=actor, fields=fields)
        if cpi is not None and not aziende_of_cpi(cpi).filter(pk=locked.pk).exists():
            raise NotPermitted(str(MSG_CPI_NON_COMPETENTE))
    azienda.refresh_from_db()
    return changed


def sede_update(*, actor: User, sede: Sede, **fields: Any) -> list[str]:
    """The backoffice corrects a site of a company of its territory; every change is recorded."""
    if set(fields) & (_CAMPI_DI_SISTEMA | {"azienda", "azienda_id"}):
        raise NotPermitted(str(MSG_SOLO_BACKOFFICE))
    cpi = _check_backoffice(actor, sede.azienda)
    with transaction.atomic():
        locked = Sede.objects.select_for_update().select_related("azienda").get(pk=sede.pk)
        if cpi is not None and not cpi.comuni.filter(pk=locked.comune_id).exists():
            raise NotPermitted(str(MSG_CPI_NON_COMPETENTE))
        changed = _apply_changes(locked, actor=actor, fields=fields)
        if cpi is not None and not cpi.comuni.filter(pk=locked.comune_id).exists():
            # Moving a site out of the territory hands it to another CPI: not this operator's call.
            raise NotPermitted(str(MSG_SEDE_FUORI_TERRITORIO % {"comune": locked.comune.nome}))
    sede.refresh_from_db()
    return changed


# --- Abilitazioni -----------------------------------------------------------------------------------


def _cpi_for_azienda(azienda: Azienda) -> CentroImpiego:
    for comune_id in [*azienda.sedi.values_list("comune_id", flat=True), azienda.comune_id]:
        cpi = cpi_competente(comune_id)
        if cpi is not None:
            return cpi
    raise ValidationError(MSG_NESSUN_CPI % {"comune": azienda.comune.nome})


def abilitazione_validate(
    *,
    actor: User,
    azienda: Azienda,
    codice_fiscale: str,
    denominazione: str,
    valida_dal: dt.date,
    valida_al: dt.date | None = None,
) -> str:
    """The checks of abilitazione_grant without writing (forms call it); returns the codice fiscale."""
    cpi = _check_backoffice(actor, azienda)
    codice_fiscale = normalize_codice_fiscale(codice_fiscale)
    errors: dict[str, list[Any]] = {}
    try:
        validate_codice_fiscale_persona(codice_fiscale)
    except ValidationError as error:
        errors["codice_fiscale"] = error.messages
    if valida_al is not None and valida_al < valida_dal:
        errors["valida_al"] = [MSG_PERIODO_INCOERENTE]
    if not denominazione.strip():
        errors["denominazione"] = [_("Indicare il nome dell'intermediario.")]
    if errors:
        raise ValidationError(errors)
    overlapping = Abilitazione.objects.filter(
        azienda=azienda, codice_fiscale=codice_fiscale, revocata_il__isnull=True
    ).exclude(valida_al__lt=valida_dal)
    if valida_al is not None:
        overlapping = overlapping.exclude(valida_dal__gt=valida_al)
    if overlapping.exists():
        raise ValidationError(MSG_ABILITAZIONE_SOVRAPPOSTA)
    if cpi is None:
        _cpi_for_azienda(azienda)
    return codice_fiscale


def abilitazione_grant(
    *,
    actor: User,
    azienda: Azienda,
    codice_fiscale: str,
    denominazione: str,
    valida_dal: dt.date,
    valida_al: dt.date | None = None,
) -> Abilitazione:
    """The competent CPI enables an intermediary (labour consultant, trade association...) to act for a
    company between two dates. Only an operatore CPI whose CPI covers a site of the company (or its
    registered office), or a funzionario regionale. Periods of one intermediary for one company
    never overlap."""
    with transaction.atomic():
        Azienda.objects.select_for_update().get(pk=azienda.pk)  # serialise grants for one company
        codice_fiscale = abilitazione_validate(
            actor=actor,
            azienda=azienda,
            codice_fiscale=codice_fiscale,
            denominazione=denominazione,
            valida_dal=valida_dal,
            valida_al=valida_al,
        )
        cpi = _check_backoffice(actor, azienda) or _cpi_for_azienda(azienda)
        return Abilitazione.objects.create(
            azienda=azienda,
            codice_fiscale=codice_fiscale,
            denominazione=denominazione.strip(),
            cpi=cpi,
            valida_dal=valida_dal,
            valida_al=valida_al,
            concessa_da=actor,
        )


def abilitazione_revoke(*, actor: User, abilitazione: Abilitazione) -> Abilitazione:
    """Revocation takes effect at once: aziende_for() checks validity on every query, so the
    intermediary's open sessions and API tokens lose the company with the next request."""
    _check_backoffice(actor, abilitazione.azienda)
    with transaction.atomic():
        abilitazione = Abilitazione.objects.select_for_update().get(pk=abilitazione.pk)
        if abilitazione.revocata_il is not None:
            raise NotAllowed(str(MSG_ABILITAZIONE_GIA_REVOCATA))
        abilitazione.revocata_il = timezone.now()
        abilitazione.revocata_da = actor
        abilitazione.save(update_fields=["revocata_il", "revocata_da", "updated_at"])
    return abilitazione


# --- Richieste di censimento ------------------------------------------------------------------------

CAMPI_CENSIMENTO_AZIENDA = (
    "codice_fiscale",
    "partita_iva",
    "ragione_sociale",
    "forma_giuridica",
    "codice_ateco",
    "ccnl",
    "matricola_inps",
    "telefono",
    "fax",
    "pec",
    "indirizzo",
    "comune",
    "cap",
    "lr_codice_fiscale",
    "lr_nome",
    "lr_cognome",
)
CAMPI_CENSIMENTO_SEDE = ("denominazione", "indirizzo", "comune", "cap")


def _to_json(data: dict[str, Any], fields: tuple[str, ...]) -> dict[str, str]:
    result = {}
    for field in fields:
        value = data.get(field, "")
        result[field] = str(getattr(value, "pk", value) or "").strip()
    return result


def _build_azienda(dati: dict[str, str]) -> Azienda:
    azienda = Azienda(**{k: v for k, v in dati.items() if k != "comune"}, comune_id=dati["comune"])
    for field in ("codice_fiscale", "lr_codice_fiscale"):
        setattr(azienda, field, normalize_codice_fiscale(getattr(azienda, field)))
    azienda.full_clean()
    _validate_cap(azienda.cap, azienda.comune)
    return azienda


def _build_sede(dati: dict[str, str], azienda: Azienda | None) -> Sede:
    sede = Sede(**{k: v for k, v in dati.items() if k != "comune"}, comune_id=dati["comune"])
    if azienda is not None:
        sede.azienda = azienda
    sede.full_clean(exclude=["azienda"])
    _validate_cap(sede.cap, sede.comune)
    return sede


def censimento_request(
    *,
    actor: User,
    tipo: str,
    sede: dict[str, Any],
    azienda: dict[str, Any] | None = None,
    azienda_codice_fiscale: str = "",
) -> RichiestaCensimento:
    """A user who cannot find a company or a site asks the competent CPI (by the site's comune) to
    census it, giving its data (DOMAIN.md, "Richiesta di censimento").

    Validation errors name their field as "azienda.<field>" or "sede.<field>" (both have a comune and
    a CAP).
    """
    dati_sede = _to_json(sede, CAMPI_CENSIMENTO_SEDE)
    dati: dict[str, Any] = {"sede": dati_sede}
    esistente = None
    if tipo == TipoCensimento.AZIENDA:
        dati["azienda"] = _to_json(azienda or {}, CAMPI_CENSIMENTO_AZIENDA)
        with _errors_prefixed("azienda"):
            _build_azienda(dati["azienda"])
    else:
        codice = normalize_codice_fiscale(azienda_codice_fiscale)
        esistente = Azienda.objects.filter(codice_fiscale=codice).first()
        if esistente is None:
            raise ValidationError(
                {
                    "azienda.azienda_codice_fiscale": MSG_CENSIMENTO_AZIENDA_SCONOSCIUTA
                    % {"codice_fiscale": codice}
                }
            )
    with _errors_prefixed("sede"):
        nuova_sede = _build_sede(dati_sede, esistente)
    cpi = cpi_competente(nuova_sede.comune_id)
    if cpi is None:
        raise ValidationError({"sede.comune": MSG_NESSUN_CPI % {"comune": nuova_sede.comune.nome}})
    with transaction.atomic():
        richiesta = RichiestaCensimento.objects.create(
            richiedente=actor, tipo=tipo, cpi=cpi, azienda=esistente, dati=dati
        )
        if cpi.email:
            transaction.on_commit(lambda: _notify_cpi(richiesta))
    return richiesta


@contextmanager
def _errors_prefixed(prefix: str) -> Iterator[None]:
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {f"{prefix}.{field}": errors for field, errors in error.error_dict.items()}
        ) from error


def _check_cpi_of_richiesta(actor: User, richiesta: RichiestaCensimento) -> None:
    cpi = _check_backoffice(actor)
    if cpi is None:
        return
    comune_id = richiesta.dati["sede"]["comune"]
    if richiesta.cpi_id != cpi.pk or not cpi.comuni.filter(pk=comune_id).exists():
        raise NotPermitted(str(MSG_CPI_NON_COMPETENTE))


def _lock_pending(richiesta: RichiestaCensimento) -> RichiestaCensimento:
    richiesta = RichiestaCensimento.objects.select_for_update().get(pk=richiesta.pk)
    if richiesta.stato != StatoCensimento.IN_ATTESA:
        raise NotAllowed(str(MSG_CENSIMENTO_GIA_DECISA))
    return richiesta


def censimento_approve(*, actor: User, richiesta: RichiestaCensimento) -> RichiestaCensimento:
    """The competent CPI approves: the company with its site, or the site, is created. The requester
    can act for it at once if they are its legal representative (aziende_for works by
    lr_codice_fiscale); an intermediary still needs an abilitazione."""
    _check_cpi_of_richiesta(actor, richiesta)
    with transaction.atomic():
        richiesta = _lock_pending(richiesta)
        if richiesta.tipo == TipoCensimento.AZIENDA:
            azienda = _build_azienda(richiesta.dati["azienda"])
            azienda.save()
        else:
            azienda = Azienda.objects.select_for_update().get(richieste_censimento=richiesta)
        sede = _build_sede(richiesta.dati["sede"], azienda)
        sede.save()
        richiesta.azienda = azienda
        richiesta.sede = sede
        richiesta.stato = StatoCensimento.APPROVATA
        richiesta.decisa_da = actor
        richiesta.decisa_il = timezone.now()
        richiesta.save()
        transaction.on_commit(lambda: _notify_richiedente(richiesta))
    return richiesta


def censimento_refuse(*, actor: User, richiesta: RichiestaCensimento, motivo: str) -> RichiestaCensimento:
    """The competent CPI refuses a census request, always with a reason the requester reads."""
    _check_cpi_of_richiesta(actor, richiesta)
    if not motivo.strip():
        raise ValidationError({"motivo_rifiuto": MSG_MOTIVO_OBBLIGATORIO})
    with transaction.atomic():
        richiesta = _lock_pending(richiesta)
        richiesta.stato = StatoCensimento.RIFIUTATA
        richiesta.motivo_rifiuto = motivo.strip()
        richiesta.decisa_da = actor
        richiesta.decisa_il = timezone.now()
        richiesta.save()
        transaction.on_commit(lambda: _notify_richiedente(richiesta))
    return richiesta


def _send(subject: str, template: str, context: dict[str, Any], recipients: list[str]) -> None:
    recipients = [r for r in recipients if r]
    if not recipients:
        return
    context = {**context, "REGIONE": settings.AMINDER_REGIONE, "PUBLIC_URL": settings.AMINDER_PUBLIC_URL}
    try:
        send_mail(subject, render_to_string(template, context), None, recipients)
    except OSError:
        # The decision is saved: a mail server that is down must not undo it. The page shows the outcome.
        logger.exception("Invio dell'e-mail «%s» non riuscito", subject)


def _notify_richiedente(richiesta: RichiestaCensimento) -> None:
    subject = str(_("Esito della sua richiesta di censimento: %(esito)s")) % {
        "esito": richiesta.get_stato_display().lower()
    }
    _send(
        subject,
        "anagrafica/email/censimento_esito.txt",
        {"richiesta": richiesta},
        [richiesta.richiedente.email],
    )


def _notify_cpi(richiesta: RichiestaCensimento) -> None:
    _send(
        str(_("Nuova richiesta di censimento")),
        "anagrafica/email/censimento_nuova.txt",
        {"richiesta": richiesta},
        [richiesta.cpi.email],
    )
