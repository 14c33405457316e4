"""Aminder settings: one module, driven by the environment.

Two modes, chosen by AMINDER_MODE and never guessed from other variables:
- `embedded` (the default, for `make run` and the tests): SQLite in the project folder unless
  DATABASE_URL says otherwise, Celery tasks run eagerly without a broker, e-mails to the console,
  DEBUG on unless DJANGO_DEBUG=false, the development sign-in page while DEBUG is on;
- `production`: refuses to start with DEBUG, without a real secret, a PostgreSQL database, a broker
  and a public https address; the development sign-in page cannot exist.
See `.env.example` for every variable.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

AMINDER_MODE = env.str("AMINDER_MODE", default="embedded")
if AMINDER_MODE not in {"embedded", "production"}:
    raise ImproperlyConfigured(f"AMINDER_MODE deve essere 'embedded' o 'production', non {AMINDER_MODE!r}.")
PRODUCTION = AMINDER_MODE == "production"
DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY and not PRODUCTION:
    # Embedded mode only: production refuses to start without a 50-character DJANGO_SECRET_KEY.
    SECRET_KEY = "embedded-development-only-not-a-secret"  # noqa: S105  # nosec B105

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Index expressions with an operator class (the trigram index of the officers' name search).
    "django.contrib.postgres",
    "django.forms",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "sequences",
    "djangosaml2",
    "health_check",
    "django_prometheus",
    "import_export",
    "core",
    "anagrafica",
    "protocollo",
    "claims",
    "consuntivi",
    "autorizzazioni",
    "demo",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static files keep their own caching; every other answer is no-store by default.
    "core.middleware.PrivateByDefaultMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "djangosaml2.middleware.SamlSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.SessionAbsoluteLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "anagrafica.auth.secondo_fattore.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.sessione.SessioneScadutaHtmxMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "aminder.urls"
# Forms render through templates/django/forms/ (Bootstrap Italia markup); "django.forms" in
# INSTALLED_APPS lets this renderer find the built-in widget templates we do not override.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "aminder.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.aminder",
            ],
        },
    },
]

if "DATABASE_URL" not in env:
    (BASE_DIR / "var").mkdir(exist_ok=True)  # the embedded SQLite file lives here, outside git
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'aminder.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: a new PostgreSQL connection per request cost submit a fifth of its
# throughput. Checked before reuse, so a restarted database costs one failed check, not a 500.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind pgbouncer in transaction mode (README "Connessioni"): a server-side cursor would outlive the
# transaction its server connection was lent for.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DATABASE_PGBOUNCER", default=False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "anagrafica.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "anagrafica.auth.spid.SpidBackend",
    "anagrafica.auth.cns.CnsBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "anagrafica.validators.PasswordLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "anagrafica:login"
LOGIN_REDIRECT_URL = "anagrafica:home"
LOGOUT_REDIRECT_URL = "anagrafica:login"

# Sessions expire after SESSION_IDLE_MINUTES without a request (renewed on each request), and in any
# case SESSION_ABSOLUTE_HOURS after the sign-in (core.middleware.SessionAbsoluteLifetimeMiddleware).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_HOURS", default=12) * 3600
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_SAMESITE = "Lax"
# In production (https only) the cookies carry the `__Host-` prefix: the browser then accepts them only
# Secure, for the whole site and from this very host, never set by a sibling subdomain. Over the
# embedded mode's plain http a browser would refuse such cookies, so there they keep the plain names.
if PRODUCTION:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SAML_SESSION_COOKIE_NAME = "__Host-saml_session"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Probes and the metrics scraper talk plain HTTP to the pod or container, never through the proxy.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Permissions-Policy: the app uses none of the browser's powerful features; deny them all to this
# origin and to any frame (django-permissions-policy).
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
}

LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italiano"))]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
# Months in lower case and Django's default messages in our words (locale/), dates in one style
# (core/formats/it/formats.py).
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["core.formats"]
# Backoffice exports (django-import-export): a cell starting with = + - @ is not run as a formula.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]

# Brotli and gzip copies made by collectstatic (2 minutes here, once per image build); the test
# suite's production stack turns them off.
STATIC_PRECOMPRESS = env.bool("DJANGO_STATIC_PRECOMPRESS", default=True)

# Uploaded files (union agreements, receipts, consuntivi uploads) are private: there is no
# MEDIA_URL; views serve them after checking who may see them.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private")))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_PRECOMPRESS
        else "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://127.0.0.1:25" if PRODUCTION else "consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Aminder <noreply@aminder.regione.it>")

CACHES = {
    "default": env.cache_url("CACHE_URL", default="locmemcache://")
    if not env.str("REDIS_URL", default="")
    else {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env.str("REDIS_URL"),
        # A Redis that is down or unroutable costs a request half a second once, never a hang:
        # core.cache then serves from the process for a few seconds.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}

# Celery: without a broker the tasks run eagerly, in the request's process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=env.str("REDIS_URL", default=""))
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# A request must never hang on a broker that is down: the outbox keeps the work, and
# protocollo.services.publish() sends without retrying, bounded by these socket timeouts.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# The worker, instead, waits for Redis to come back however long it takes (0 would make it exit).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True  # late-acked: redelivered, idempotent
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 2,
    "socket_timeout": 2,
    "max_retries": 0,
}
# Three queues, so numbering never waits behind a render or an upload: protocol numbers (and the sweep
# that republishes them) on `protocollo`, receipts and the daily register (WeasyPrint, CPU-bound) on
# `ricevute`, consuntivi uploads on `caricamenti`; e-mails and housekeeping on the default `celery`.
# One worker process per queue group (README "Code di Celery"): `make worker` runs them all.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "protocollo.tasks.registra_documento": {"queue": "protocollo"},
    "protocollo.tasks.sweep_outbox": {"queue": "protocollo"},
    "protocollo.tasks.genera_ricevuta": {"queue": "ricevute"},
    "protocollo.tasks.daily_register": {"queue": "ricevute"},
    "consuntivi.caricamento_process": {"queue": "caricamenti"},
    "consuntivi.caricamenti_sweep": {"queue": "caricamenti"},
}
CELERY_BEAT_SCHEDULE = {
    "sweep-protocol-outbox": {
        "task": "protocollo.tasks.sweep_outbox",
        "schedule": 60.0,
    },
    "purge-idempotency-keys": {
        "task": "core.tasks.purge_idempotency_keys",
        "schedule": crontab(hour=3, minute=30),
    },
    "daily-protocol-register": {
        "task": "protocollo.tasks.daily_register",
        "schedule": crontab(hour=0, minute=15),
    },
    "sweep-consuntivi-uploads": {
        "task": "consuntivi.caricamenti_sweep",
        "schedule": 120.0,
    },
    "retenzione-dati-personali": {
        "task": "claims.tasks.retenzione",
        "schedule": crontab(hour=2, minute=40),
    },
    "digest-richieste-regione": {
        "task": "claims.tasks.richieste_digest",
        "schedule": crontab(minute=0, hour="8-18", day_of_week="mon-fri"),
    },
}

# API tokens (anagrafica.ApiToken): only their SHA-256 is stored; each lasts this many days.
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "anagrafica.auth.tokens.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # An atomic counter per user and minute in the cache (Redis in services mode); see core.api.
    "DEFAULT_THROTTLE_CLASSES": ["core.api.FixedWindowRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_RATE_USER", default="600/min"),
        "anon": env.str("API_RATE_ANON", default="60/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Aminder API",
    "DESCRIPTION": (
        "API per la presentazione di domande e consuntivi di CIG in deroga. Autenticazione: "
        "`Authorization: Token <chiave>` (dal profilo o da `manage.py api_token`; scade dopo "
        f"{API_TOKEN_DAYS} giorni e si può revocare) oppure la sessione del "
        'browser. Errori: sempre `{"detail": "…"}`; con 400 anche `errors`, i messaggi per campo. '
        "Ogni POST accetta l'intestazione `Idempotency-Key`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "font-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Identity providers. SPID: see README "SPID e CNS in produzione".
SAML_CONFIG_DIR = Path(env.str("SAML_CONFIG_DIR", default=str(BASE_DIR / "var" / "saml")))
# CNS: the TLS-terminating proxy verifies the client certificate and forwards it (PEM, URL-encoded)
# in this header; it is trusted only from these addresses.
CNS_CERT_HEADER = env.str("CNS_CERT_HEADER", default="HTTP_X_SSL_CLIENT_CERT")
# Addresses or CIDR ranges of our own reverse proxies: only from them are X-Forwarded-For (the
# client's address, for rate limits) and the CNS certificate header believed.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1/32", "::1/128"])
# The public receipt verification: this many lookups per client address in this many seconds.
AMINDER_VERIFICA_TENTATIVI = env.int("AMINDER_VERIFICA_TENTATIVI", default=20)
AMINDER_VERIFICA_FINESTRA = env.int("AMINDER_VERIFICA_FINESTRA", default=600)
# The development sign-in page exists only when DEBUG is on: it can never be enabled in production.
DEV_LOGIN_ENABLED = DEBUG and not PRODUCTION

# Logs: one JSON object per line in production (LOG_FORMAT=text for readable lines), and on every
# handler the filter that cuts SAML messages and codici fiscali out of any record (core/log.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "core.log.RedactPersonalData"}},
    "formatters": {
        "json": {"()": "core.log.JsonFormatter"},
        "text": {"format": "{asctime} {levelname} {name} {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Django's own loggers go through the same handler (ADMINS is empty: no error mails).
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": ["console"], "propagate": False},
    },
}

AMINDER_REGIONE = env.str("AMINDER_REGIONE", default="Regione Piemonte")
AMINDER_PUBLIC_URL = env.str("AMINDER_PUBLIC_URL", default="http://127.0.0.1:8000")

# --- SPID (SAML2, djangosaml2 + pysaml2) -------------------------------------------------------------
# Owned by anagrafica.auth.spid, which builds the pysaml2 configuration at each request from the files
# in SAML_CONFIG_DIR: sp.key and sp.crt (the service provider's signing pair) and idp-metadata/*.xml
# (the metadata of the SPID identity providers). README: "SPID e CNS in produzione".
SAML_CONFIG_LOADER = "anagrafica.auth.spid.sp_config"
SAML_SP_ENTITY_ID = env.str("SAML_SP_ENTITY_ID", default=f"{AMINDER_PUBLIC_URL}/spid/metadata/")
SAML_SP_ORGANIZATION = env.str("SAML_SP_ORGANIZATION", default=AMINDER_REGIONE)
SAML_SP_CONTACT_EMAIL = env.str("SAML_SP_CONTACT_EMAIL", default="")
# AgID's contact extensions for a public body (Avviso SPID n. 29 v3): its code in the IPA index.
SAML_SP_IPA_CODE = env.str("SAML_SP_IPA_CODE", default="r_piemon")
SAML_SP_CONTACT_PHONE = env.str("SAML_SP_CONTACT_PHONE", default="")
# CIE sign-in: the same SAML2 service provider, registered with the ministry's CIE identity provider.
# Its metadata sits in SAML_CONFIG_DIR/idp-metadata/ with the SPID ones; this entity id tells it apart.
CIE_IDP_ENTITY_ID = env.str(
    "CIE_IDP_ENTITY_ID", default="https://idserver.servizicie.interno.gov.it/idp/profile/SAML2/POST/SSO"
)
SAML_SP_MUNICIPALITY = env.str("SAML_SP_MUNICIPALITY", default="001272")  # ISTAT code of Torino
SAML_XMLSEC_BINARY = env.str("SAML_XMLSEC_BINARY", default="/usr/bin/xmlsec1")
SAML_ACCEPTED_TIME_DIFF = env.int("SAML_ACCEPTED_TIME_DIFF", default=60)
SAML_DJANGO_USER_MAIN_ATTRIBUTE = "codice_fiscale"
SAML_ATTRIBUTE_MAPPING = {"fiscalNumber": ("codice_fiscale",)}
SAML_CREATE_UNKNOWN_USER = True
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_IGNORE_AUTHENTICATED_USERS_ON_LOGIN = True
SAML_CSP_HANDLER = ""  # HTTP-Redirect binding: no inline form or script to allow
ACS_DEFAULT_REDIRECT_URL = "anagrafica:home"
# Backoffice second factor (django-otp, TOTP): the name the authenticator app shows; a wrong code
# makes the device wait 1, 2, 4… seconds before the next try, besides the block below.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Aminder")
OTP_TOTP_THROTTLE_FACTOR = 1
# Backoffice sign-in by username and password, and the second-factor code: failures allowed per
# address and username before a block of LOGIN_FAILURE_WINDOW_MINUTES; each refusal is recorded.
LOGIN_MAX_FAILURES = env.int("LOGIN_MAX_FAILURES", default=5)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_MINUTES", default=15) * 60
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="")

# Retention (GDPR art. 5(1)(e)): drafts untouched this long are deleted; closed domande lose their
# personal data this long after their last change (claims/services/retenzione.py).
RETENZIONE_BOZZE_GIORNI = env.int("RETENZIONE_BOZZE_GIORNI", default=180)
RETENZIONE_DOMANDE_CHIUSE_GIORNI = env.int("RETENZIONE_DOMANDE_CHIUSE_GIORNI", default=3650)

# Prometheus metrics at /metrics (aminder.observability): only with `Authorization: Bearer <token>`;
# without a token configured the page does not exist. nginx and the ingress never route it either.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")


def _production_problems() -> list[str]:
    """What keeps this configuration from serving the public; empty when it may start."""
    problems = []
    if DEBUG or DEV_LOGIN_ENABLED:
        problems.append("DJANGO_DEBUG deve essere false (niente DEBUG né accesso di sviluppo)")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or "change-me" in SECRET_KEY:
        problems.append("DJANGO_SECRET_KEY deve essere un segreto casuale di almeno 50 caratteri")
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL deve indicare un database PostgreSQL")
    if CELERY_TASK_ALWAYS_EAGER:
        problems.append("CELERY_BROKER_URL (o REDIS_URL) è obbligatoria")
    if "AMINDER_PUBLIC_URL" not in env or not AMINDER_PUBLIC_URL.startswith("https://"):
        problems.append("AMINDER_PUBLIC_URL deve essere l'indirizzo pubblico https del servizio")
    if "DJANGO_ALLOWED_HOSTS" not in env:
        problems.append("DJANGO_ALLOWED_HOSTS è obbligatoria")
    return problems


if PRODUCTION and (_problems := _production_problems()):
    raise ImproperlyConfigured("Configurazione di produzione non valida: " + "; ".join(_problems) + ".")
