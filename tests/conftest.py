import contextlib
import importlib
from unittest import mock

import pytest
from django.db.backends.signals import connection_created
from django.test import Client

from tests.anagrafica.factories import AziendaFactory, SedeFactory, UserFactory, pass_second_factor


def _allow_truncate(sender, connection, **kwargs) -> None:
    """The register, the receipts and the history refuse TRUNCATE (protocollo/0002): only a session
    that says so may empty them, as the suite does at the end of each transactional test."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET aminder.svuotamento_consentito = 'on'")


connection_created.connect(_allow_truncate, dispatch_uid="aminder-tests-allow-truncate")


@contextlib.contextmanager
def broker_giu():
    """The outside world fails: nothing can be published to the broker, so a submitted document waits
    in the outbox for the sweep, as it does when Redis is down (what committed-data tests of the register
    need: in them a submission would otherwise be numbered at once by the worker)."""
    from celery.app.task import Task
    from kombu.exceptions import OperationalError

    with mock.patch.object(
        Task, "apply_async", side_effect=OperationalError("broker irraggiungibile (test)")
    ):
        yield


@pytest.fixture
def broker_irraggiungibile():
    with broker_giu():
        yield


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploaded and generated files go to a temporary folder, never to var/."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "private", "base_url": None},
        },
    }


@pytest.fixture(autouse=True)
def force_login_includes_the_second_factor(monkeypatch):
    """`client.force_login(user)` means "signed in"; for a backoffice account that includes the TOTP
    code (anagrafica.auth.secondo_fattore), as if typed. Tests of the second factor itself sign in
    through the real forms instead."""
    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        pass_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Pages render without `collectstatic`: with DEBUG off the manifest storage would need one."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def celery_eager(request, settings):
    """Tasks run at once in the test's process, unless the test is marked `worker` (a real worker
    on Redis, see tests/worker/). The Celery app read its configuration at start-up, so it is set too."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    from aminder.celery import app

    previous = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


# Data written by migrations. A transactional test (threads, a real worker, the browser) empties
# every table when it ends, so it is loaded again, committed, before the next test starts.
DATA_MIGRATIONS = [
    ("anagrafica.migrations.0002_reference_data", "load"),
    ("consuntivi.migrations.0003_massimali_inps", "seed"),
    ("claims.migrations.0008_misura_piemonte_2020", "crea"),
]
_db_blocker = None


@pytest.fixture(scope="session", autouse=True)
def _remember_db_blocker(django_db_blocker):
    global _db_blocker
    _db_blocker = django_db_blocker


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    marker = item.get_closest_marker("django_db")
    transactional = {"transactional_db", "live_server"} & set(item.fixturenames) or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if transactional and _db_blocker is not None:
        with _db_blocker.unblock():
            _reload_migration_data()
    return result


def _reload_migration_data() -> None:
    from django.apps import apps

    from anagrafica.models import CentroImpiego

    if CentroImpiego.objects.exists():
        return
    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


@pytest.fixture
def legale_rappresentante(db):
    return UserFactory(first_name="Mario", last_name="Rossi")


@pytest.fixture
def azienda(legale_rappresentante):
    return AziendaFactory(lr_codice_fiscale=legale_rappresentante.codice_fiscale)


@pytest.fixture
def sede(azienda):
    return SedeFactory(azienda=azienda)


@pytest.fixture
def funzionario(db):
    return UserFactory(username="funzionario", funzionario=True)


@pytest.fixture
def officer_client(client, funzionario):
    """The test client signed in as the regional officer (both factors: see `pass_second_factor`)."""
    client.force_login(funzionario)
    return client
