import datetime as dt
import secrets
import time

import factory
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from stdnum.it import codicefiscale

from anagrafica.constants import Ruolo
from anagrafica.models import Abilitazione, ApiToken, Azienda, CentroImpiego, Comune, Sede, User
from anagrafica.services import api_token_digest


def make_codice_fiscale(n: int) -> str:
    """A valid personal codice fiscale, different for each n."""
    letters = "BCDFGHLMNPRSTVZ"
    surname = letters[n % 15] + letters[(n // 15) % 15] + letters[(n // 225) % 15]
    body = f"{surname}MRA{80 + n % 20:02d}A{1 + n % 28:02d}L219"
    return body + codicefiscale.calc_check_digit(body)


def api_key_for(user: User, *, days: int = 1) -> str:
    """The key of a new API token of `user`, beside any other they have (as the profile would make,
    without revoking the previous one, so two clients of one user can run side by side)."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user,
        prefix=key[:8],
        digest=api_token_digest(key),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    return key


def totp_device_for(user: User) -> TOTPDevice:
    """The user's confirmed TOTP device (made if missing); `totp_code(device)` gives its current code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Aminder", confirmed=True)


def pass_second_factor(client, user: User) -> None:
    """Mark `client`'s session as past the TOTP code (anagrafica.auth.secondo_fattore), as if typed:
    for tests and benchmarks that sign a backoffice account in with `force_login`."""
    if user.is_staff:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device_for(user).persistent_id
        session.save()


def totp_code(device: TOTPDevice, *, at: float | None = None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def comune(nome: str) -> Comune:
    return Comune.objects.get(nome=nome, provincia__regione="Piemonte")


def cpi(capoluogo: str) -> CentroImpiego:
    return CentroImpiego.objects.get(nome=f"CPI di {capoluogo}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"utente{n}")
    first_name = "Mario"
    last_name = "Rossi"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.it")
    codice_fiscale = factory.Sequence(make_codice_fiscale)
    ruolo = Ruolo.IMPRESA

    class Params:
        funzionario = factory.Trait(ruolo=Ruolo.FUNZIONARIO, codice_fiscale=None, is_staff=True)
        operatore_cpi = factory.Trait(
            ruolo=Ruolo.OPERATORE_CPI,
            codice_fiscale=None,
            is_staff=True,
            cpi=factory.LazyFunction(lambda: cpi("Torino")),
        )


class AziendaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Azienda
        skip_postgeneration_save = True

    codice_fiscale = factory.Sequence(lambda n: _partita_iva(n))
    partita_iva = factory.LazyAttribute(lambda a: a.codice_fiscale)
    ragione_sociale = factory.Sequence(lambda n: f"Azienda {n} S.r.l.")
    forma_giuridica = "S.r.l."
    codice_ateco = "25.62.00"
    indirizzo = "Via Roma 1"
    comune = factory.LazyFunction(lambda: comune("Torino"))
    cap = "10121"
    lr_codice_fiscale = factory.Sequence(lambda n: make_codice_fiscale(n + 5000))
    lr_nome = "Anna"
    lr_cognome = "Verdi"


def _partita_iva(n: int) -> str:
    from stdnum import luhn

    body = f"{1000000 + n:07d}001"
    return body + luhn.calc_check_digit(body)


class SedeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sede
        skip_postgeneration_save = True

    azienda = factory.SubFactory(AziendaFactory)
    denominazione = "Stabilimento"
    indirizzo = "Via Po 10"
    comune = factory.LazyFunction(lambda: comune("Torino"))
    cap = "10124"


class AbilitazioneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Abilitazione
        skip_postgeneration_save = True

    azienda = factory.SubFactory(AziendaFactory)
    codice_fiscale = factory.Sequence(lambda n: make_codice_fiscale(n + 9000))
    denominazione = "Studio di consulenza del lavoro"
    cpi = factory.LazyFunction(lambda: cpi("Torino"))
    valida_dal = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=30))
    valida_al = None
