import pytest

from tests.anagrafica.factories import AziendaFactory, SedeFactory, UserFactory


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


@pytest.fixture(autouse=True)
def reference_data(request):
    """Comuni and CPI come from a data migration, but a transactional test empties every table
    when it ends: put them back for the tests that use the database."""
    if not request.node.get_closest_marker("django_db") and not {"db", "transactional_db"} & set(
        request.fixturenames
    ):
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
    from anagrafica.models import CentroImpiego, Comune, Provincia
    from anagrafica.reference import load_piemonte

    if not CentroImpiego.objects.exists():
        load_piemonte(Provincia, Comune, CentroImpiego)


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
