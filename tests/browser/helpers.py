"""Steps and checks shared by the browser journeys: viewports, signing in and out, and
what the browser's console recorded."""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from typing import TypedDict

from django.urls import reverse
from playwright.sync_api import ConsoleMessage, Page, expect
from playwright.sync_api import Error as PlaywrightError

from tests.factories import PASSWORD


class ViewportSize(TypedDict):
    width: int
    height: int


DESKTOP: ViewportSize = {"width": 1280, "height": 800}
MOBILE: ViewportSize = {"width": 375, "height": 667}

SIGN_IN_PATH = "/account/sign-in/"

# Chromium's console wording when the Content-Security-Policy blocks something.
_CSP_WORDS = re.compile(r"Content[ -]Security[ -]Policy", re.IGNORECASE)


@dataclass
class BrowserLog:
    """What one page's console and uncaught exceptions recorded since it opened."""

    console: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return [text for text in self.console if _CSP_WORDS.search(text)]

    def problems(self) -> list[str]:
        """CSP violations, console errors and uncaught exceptions, each once."""
        seen: dict[str, None] = {}
        for text in [*self.csp_violations(), *self.console_errors, *self.page_errors]:
            seen.setdefault(text, None)
        return list(seen)


_LOGS: weakref.WeakKeyDictionary[Page, BrowserLog] = weakref.WeakKeyDictionary()


def watch_console(page: Page) -> BrowserLog:
    """Record the page's console messages and uncaught exceptions from now on."""
    log = BrowserLog()

    def on_console(message: ConsoleMessage) -> None:
        location = message.location.get("url", "") if message.location else ""
        text = f"console.{message.type}: {message.text}" + (f" ({location})" if location else "")
        log.console.append(text)
        if message.type == "error":
            log.console_errors.append(text)

    def on_page_error(error: PlaywrightError) -> None:
        log.page_errors.append(f"uncaught {error.name or 'error'}: {error.message}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    _LOGS[page] = log
    return log


def browser_log(page: Page) -> BrowserLog:
    """The console record of a page made by the ``page``/``new_page`` fixtures."""
    try:
        return _LOGS[page]
    except KeyError:
        raise AssertionError("This page's console was not watched: make it with new_page") from None


def assert_no_browser_errors(page: Page, context_label: str) -> None:
    """Fail listing every CSP violation, console error and uncaught exception so far."""
    problems = browser_log(page).problems()
    assert not problems, f"{context_label}: the browser reported problems:\n" + "\n".join(
        f"  - {problem}" for problem in problems
    )


def submit_sign_in(page: Page, live_server, email: str, password: str = PASSWORD) -> None:
    """Open the sign-in page, fill in the email address and password, and press Sign in."""
    page.goto(live_server.url + reverse("accounts:sign-in"))
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_in(page: Page, live_server, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form and wait until the service shows the person signed in."""
    submit_sign_in(page, live_server, email, password)
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    expect(page).not_to_have_url(re.compile(re.escape(SIGN_IN_PATH)))


def sign_out(page: Page) -> None:
    """Press Sign out and wait for the sign-in page."""
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(SIGN_IN_PATH) + "$"))
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_have_count(0)
