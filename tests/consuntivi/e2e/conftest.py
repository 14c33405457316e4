"""The browser harness of tests/e2e (Chromium through Playwright, live server, axe-core, CSP watch)
for the consuntivi journey."""

from tests.e2e.conftest import (  # noqa: F401
    _e2e_environment,
    _reference_data_back_after_e2e,
    axe_check,
    browser_context_args,
    browser_type_launch_args,
    login_as,
    page,
    screenshot,
)
