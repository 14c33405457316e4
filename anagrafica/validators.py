"""Validators for Italian identifiers, built on python-stdnum and the ateco data package, and the
backoffice password length rule."""

import ateco
import phonenumbers
from django.contrib.auth.password_validation import MinimumLengthValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.it import codicefiscale, iva

ATECO_EDITIONS = ("2025", "2022", "2007")

MSG_CF_PERSONA = _("Il codice fiscale «%(value)s» non è valido.")
MSG_CF_AZIENDA = _(
    "Il codice fiscale dell'azienda «%(value)s» non è valido (11 cifre, o 16 caratteri per "
    "una ditta individuale)."
)
MSG_PIVA = _("La partita IVA «%(value)s» non è valida.")
MSG_TELEFONO = _(
    "Il numero di telefono «%(value)s» non è valido: scrivilo con il prefisso, ad esempio 011 5550000 "
    "o 333 1234567 (+ e il prefisso del paese per un numero estero)."
)
MSG_ATECO = _("Il codice ATECO «%(value)s» non esiste nella classificazione ISTAT.")


def normalize_codice_fiscale(value: str) -> str:
    """Upper-case, no spaces, and without the `TINIT-` prefix SPID and CNS put before it."""
    value = (value or "").strip().upper().replace(" ", "")
    return value.removeprefix("TINIT-")


def validate_codice_fiscale_persona(value: str) -> None:
    if len(value) != 16 or not codicefiscale.is_valid(value):
        raise ValidationError(MSG_CF_PERSONA, code="codice_fiscale", params={"value": value})


def validate_codice_fiscale_azienda(value: str) -> None:
    if not codicefiscale.is_valid(value):
        raise ValidationError(MSG_CF_AZIENDA, code="codice_fiscale", params={"value": value})


def validate_partita_iva(value: str) -> None:
    if not iva.is_valid(value):
        raise ValidationError(MSG_PIVA, code="partita_iva", params={"value": value})


def validate_codice_ateco(value: str) -> None:
    """Accept a code of any ATECO edition still found in company records (2007, 2022, 2025)."""
    if not any(ateco.lookup(value, edition=edition) for edition in ATECO_EDITIONS):
        raise ValidationError(MSG_ATECO, code="codice_ateco", params={"value": value})


MSG_PASSWORD_CORTA = _("La password è troppo corta: deve contenere almeno %(min_length)d caratteri.")
MSG_PASSWORD_LUNGHEZZA = _("La password deve contenere almeno %(min_length)d caratteri.")


class PasswordLengthValidator(MinimumLengthValidator):
    """Django's length rule with its message in Italian: Django 5.2 changed the message's text, and
    the Italian catalogue still holds the old one, so the officer would read it in English."""

    def get_error_message(self) -> str:
        return str(MSG_PASSWORD_CORTA) % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return str(MSG_PASSWORD_LUNGHEZZA) % {"min_length": self.min_length}


def normalize_telefono(value: str) -> str:
    """A valid phone number written the Italian way ("011 555 0000", "+41 44 668 18 00" abroad);
    raises ValidationError otherwise. Numbers without a country code are Italian."""
    value = (value or "").strip()
    try:
        numero = phonenumbers.parse(value, "IT")
    except phonenumbers.NumberParseException:
        numero = None
    if numero is None or not phonenumbers.is_valid_number(numero):
        raise ValidationError(MSG_TELEFONO, code="telefono", params={"value": value})
    formato = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if numero.country_code == 39
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(numero, formato)
