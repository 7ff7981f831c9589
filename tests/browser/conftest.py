"""Browser tests: Debian's Chromium driven by Playwright's sync API against the live server.

Fixtures for tests in this folder:

- ``page``: a fresh page (own browser context, so own cookies) at 1280x800, with the
  console and page errors recorded (see ``helpers.browser_errors``).
- ``mobile_page``: the same at 375x667, for the narrow layout.
- ``new_page(viewport=DESKTOP, **context_options)``: make more pages, for a journey with
  two people signed in at once or a different viewport; all closed after the test.
- ``live_server`` (pytest-django): ``live_server.url`` is the site's root.

Everything here is marked ``browser`` and runs after the rest of the suite (see
``pytest_collection_modifyitems``): Playwright's sync API keeps an asyncio event loop
running in the test thread from the moment it starts, so Django would refuse ORM calls
there (SynchronousOnlyOperation) unless DJANGO_ALLOW_ASYNC_UNSAFE is set; it is set only
while Playwright runs, and running browser tests last keeps it away from other tests.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.browser.helpers import DESKTOP, MOBILE, ViewportSize, watch_console

BROWSER_DIR = Path(__file__).resolve().parent
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
# A failed browser test leaves a screenshot and the page's HTML here (ignored by git).
ARTIFACTS_DIR = Path(
    os.environ.get("BROWSER_ARTIFACTS_DIR", BROWSER_DIR.parents[1] / "test-results" / "browser")
)
# Generous for a loaded CI machine, short enough that a missing element fails quickly.
ACTION_TIMEOUT_MS = 10_000


def _in_ci() -> bool:
    return bool(os.environ.get("CI"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark everything in tests/browser as ``browser`` and run it after every other test."""
    browser_items, other_items = [], []
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            browser_items.append(item)
        else:
            other_items.append(item)
    # Stable: pytest-django's own ordering (db, then transactional) holds within each part.
    items[:] = other_items + browser_items


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Keep each phase's report on the item, so page fixtures know a test failed."""
    report = yield
    setattr(item, f"_browser_report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    """Playwright's sync API, for the whole session, with Django's async guard relaxed."""
    with pytest.MonkeyPatch.context() as patch:
        # The ORM runs in the test thread while Playwright's event loop is running there.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless. Skipped locally if it is missing; in CI that fails."""
    if not CHROMIUM.exists():
        message = (
            f"Chromium is not installed at {CHROMIUM}: run 'make chromium' "
            "(or 'sudo apt-get install chromium'), or set CHROMIUM_PATH"
        )
        if _in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    browser = playwright_instance.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_page(
    request: pytest.FixtureRequest, browser: Browser, live_server, transactional_db
) -> Iterator[Callable[..., Page]]:
    """Make pages, each in its own browser context; the console is watched from the start."""
    contexts: list[BrowserContext] = []
    pages: list[Page] = []

    def make(viewport: ViewportSize = DESKTOP, **context_options: Any) -> Page:
        context = browser.new_context(
            viewport=dict(viewport), base_url=live_server.url, **context_options
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        watch_console(page)
        pages.append(page)
        return page

    yield make

    failed = any(
        getattr(getattr(request.node, f"_browser_report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    if failed:
        _save_artifacts(request.node.nodeid, pages)
    for context in contexts:
        context.close()


def _save_artifacts(nodeid: str, pages: list[Page]) -> None:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")
    for number, page in enumerate(pages, start=1):
        if page.is_closed():
            continue
        name = stem if len(pages) == 1 else f"{stem}-{number}"
        try:
            page.screenshot(path=ARTIFACTS_DIR / f"{name}.png", full_page=True)
            (ARTIFACTS_DIR / f"{name}.html").write_text(page.content(), encoding="utf-8")
        except (PlaywrightError, OSError) as error:
            # A failed screenshot must not hide the test's own failure.
            print(f"Could not save browser artifacts for {nodeid}: {error}")


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A desktop-sized page (1280x800) in a fresh browser context."""
    return new_page()


@pytest.fixture
def mobile_page(new_page: Callable[..., Page]) -> Page:
    """A phone-sized page (375x667) in a fresh browser context."""
    return new_page(viewport=MOBILE)
