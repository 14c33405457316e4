import pytest

from tests.anagrafica.spid_idp import SpidTestIdentityProvider


@pytest.fixture
def spid_idp(settings, tmp_path):
    """A pysaml2 identity provider whose metadata the application trusts, keys made for the test."""
    settings.SAML_CONFIG_DIR = tmp_path / "saml"
    return SpidTestIdentityProvider(settings.SAML_CONFIG_DIR)
