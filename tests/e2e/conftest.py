"""End-to-end harness: Debian's Chromium driven by Playwright against pytest-django's live server.

Fixtures for tests in tests/e2e/:
- `page`: a fresh browser tab (Italian locale, desktop viewport), whose relative URLs go to the live
  server (`page.goto("/accessibilita/")`); the test fails if the page breaks the
  Content-Security-Policy or throws a JavaScript error.
- `login_as(page, user)`: signs `user` in by creating a session, without the sign-in UI.
- `axe_check(page)`: runs axe-core on the current page at its width and again at a phone's (390 px),
  then checks at 320 px that nothing scrolls sideways; fails on violations of impact serious or
  critical, or on an element wider than the screen, listing them (not on the Django admin's pages,
  a desktop tool). The viewport is put back after.
- `assert_fits_width(page)`: the page at its current width does not scroll sideways.
- `screenshot(page, name)`: saves test-artifacts/screenshots/<name>.png (the whole page).

Every e2e test runs on a transactional database restored from a snapshot of the migrated one
(reference data included), because the live server's thread needs committed data.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings as django_settings
from django.test import Client

# Playwright's sync API runs an event loop in this thread: Django's ORM must be allowed here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
# The network is closed: no background requests, no component updates.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--lang=it-IT",
]
ROOT = Path(__file__).resolve().parents[2]
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
BLOCKING_IMPACTS = {"serious", "critical"}
# The phone of the issue 18 review (axe runs there too) and the narrowest screen a page must fit.
PHONE = {"width": 390, "height": 844}
NARROWEST = {"width": 320, "height": 640}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict, live_server) -> dict:
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "locale": "it-IT",
        "timezone_id": "Europe/Rome",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture(scope="session", autouse=True)
def _reference_data_back_after_e2e(django_db_setup, django_db_blocker) -> Iterator[None]:
    """A transactional test empties the database when it ends; put the migrated data (comuni, CPI,
    content types) back at the end of the session, so a reused test database stays complete."""
    yield
    from django.apps import apps
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connection

    from anagrafica.models import Provincia

    with django_db_blocker.unblock():
        serialized = getattr(connection, "_test_serialized_contents", None)
        if serialized and not Provincia.objects.exists():
            # Rows created lazily since the last flush (content types) would clash: start empty.
            call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
            connection.creation.deserialize_db_from_string(serialized)
            # The rows came back with their ids: move the sequences past them, or the next run on the
            # reused database collides with them (duplicate key on the first new Misura).
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                    cursor.execute(sql)


@pytest.fixture(autouse=True)
def _e2e_environment(django_db_serialized_rollback, live_server, settings) -> None:
    """Committed data restored from the migrated snapshot; cookies over the live server's plain HTTP."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def page(page):
    """The plugin's page, failing the test on a CSP violation or an uncaught JavaScript error."""
    problems: list[str] = []

    def on_console(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"CSP: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"JavaScript: {error}"))
    yield page
    if problems:
        pytest.fail("La pagina ha prodotto errori nel browser:\n" + "\n".join(problems))


@pytest.fixture
def login_as(live_server) -> Callable:
    """`login_as(page, user)`: a signed-in session for `user`, as if they had just signed in."""

    def _login_as(page, user):
        client = Client()
        client.force_login(user)
        session_cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": session_cookie.value,
                    "url": live_server.url,
                }
            ]
        )
        return page

    return _login_as


def _describe(violation: dict) -> str:
    targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
    return f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})\n    {targets}"


# The widest elements that stick out of the viewport, to name them when a page scrolls sideways.
_OVERFLOWING = """() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    const clipped = (el) => {
        for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
            if (getComputedStyle(up).overflowX !== "visible") return true;
        }
        return false;
    };
    for (const el of document.querySelectorAll("body *")) {
        const position = getComputedStyle(el).position;
        if (clipped(el) && position !== "absolute" && position !== "fixed") continue;
        const box = el.getBoundingClientRect();
        if (box.width && box.right > width + 1) {
            const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
                + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
            out.push(`${name} (right ${Math.round(box.right)} px)`);
        }
    }
    return out.slice(0, 8);
}"""


def assert_fits_width(page) -> None:
    """No sideways scrolling: the document is no wider than the screen."""
    scroll_width, client_width = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]"
    )
    if scroll_width > client_width:
        pytest.fail(
            f"{page.url} scorre in orizzontale a {client_width} px (larghezza {scroll_width} px):\n    "
            + "\n    ".join(page.evaluate(_OVERFLOWING))
        )


def resize(page, viewport: dict) -> None:
    """Set the viewport and let the page react (resize handlers, Chart.js) before anything is checked."""
    page.set_viewport_size(viewport)
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def _run_axe(page, context: str | None) -> list[dict]:
    page.evaluate(AXE_SOURCE)
    results = page.evaluate(
        """async (context) => {
            return await axe.run(context || document, {
                // No CSSOM preload: axe would re-inject @import-ed sheets (the admin's forms.css
                // imports widgets.css) as inline <style>, which the page's CSP rightly refuses.
                preload: false,
                runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
                resultTypes: ["violations"],
            });
        }""",
        context,
    )
    return results["violations"]


@pytest.fixture
def axe_check() -> Callable:
    """`axe_check(page)`: axe-core on the page as it is now, at its width and at a phone's; serious or
    critical violations fail, and so does a page that scrolls sideways at 320 px.

    axe is evaluated through the DevTools protocol, which the page's CSP does not restrict, so the
    page under test keeps its real policy. `phone=False` checks the current width only.
    """

    def _axe_check(page, *, context: str | None = None, phone: bool = True) -> list[dict]:
        original = page.viewport_size
        widths = [original, PHONE] if phone and original != PHONE else [original]
        violations: list[dict] = []
        blocking: list[str] = []
        for viewport in widths:
            if viewport != page.viewport_size:
                resize(page, viewport)
            found = _run_axe(page, context)
            violations += found
            width = viewport["width"] if viewport else "?"
            blocking += [f"{width} px {_describe(v)}" for v in found if v["impact"] in BLOCKING_IMPACTS]
            others = [v for v in found if v["impact"] not in BLOCKING_IMPACTS]
            if others:
                print(f"axe, violazioni minori a {width} px su", page.url, *map(_describe, others), sep="\n")
        try:
            if blocking:
                pytest.fail(
                    f"axe-core: {len(blocking)} violazioni gravi o critiche su {page.url}\n"
                    + "\n".join(blocking)
                )
            # The Django admin is the officers' desktop tool: its tabular inlines may scroll sideways on
            # a phone (axe still runs there at 390 px); the company side's pages must fit.
            if phone and not urlparse(page.url).path.startswith("/admin/"):
                resize(page, NARROWEST)
                assert_fits_width(page)
        finally:
            if original and page.viewport_size != original:
                resize(page, original)
        return violations

    return _axe_check


@pytest.fixture
def screenshot() -> Callable:
    """`screenshot(page, "domanda-riepilogo")`: the whole page, in test-artifacts/screenshots/."""

    def _screenshot(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _screenshot
