import uuid

import pytest

from tests.anagrafica.spid_idp import CieTestIdentityProvider, SpidTestIdentityProvider


@pytest.fixture
def spid_idp(settings, tmp_path):
    """A pysaml2 identity provider whose metadata the application trusts, keys made for the test."""
    settings.SAML_CONFIG_DIR = tmp_path / "saml"
    return SpidTestIdentityProvider(settings.SAML_CONFIG_DIR)


@pytest.fixture
def cie_idp(settings, spid_idp):
    """The CIE identity provider beside the SPID one, in the same metadata folder, with its own keys."""
    return CieTestIdentityProvider(settings.SAML_CONFIG_DIR)


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """Each test counts its own sign-in failures and used assertions (the cache is Redis in CI)."""
    default = settings.CACHES["default"]
    settings.CACHES = {**settings.CACHES, "default": {**default, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}
