"""Accessibility checks with axe-core, against WCAG 2.0, 2.1 and 2.2 at levels A and AA.

axe-core comes from npm; ``npm run build`` copies it to build/axe.min.js. It is evaluated
through the DevTools protocol, which the site's Content-Security-Policy does not govern,
so the page is checked under the same policy a user gets.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

AXE_PATH = Path(__file__).resolve().parents[2] / "build" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa")
FAILING_IMPACTS = frozenset({"serious", "critical"})
NODES_SHOWN = 3


@functools.cache
def _axe_source() -> str:
    if not AXE_PATH.exists():
        message = f"axe-core is missing at {AXE_PATH}: run 'npm ci && npm run build'"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return AXE_PATH.read_text(encoding="utf-8")


# GOV.UK Frontend's conditional reveals set aria-expanded on radios and checkboxes; the
# Design System keeps it on purpose (alphagov/govuk-frontend#979). Only that attribute on
# those two roles is allowed beyond axe's defaults.
GOVUK_EXTRA_ALLOWED_ATTRS = {"radio": ["aria-expanded"], "checkbox": ["aria-expanded"]}


# A form submitted just before the check may still be replacing the document; axe then
# reads a document that is going away. The check waits for the new page and runs again.
NAVIGATION_ERRORS = ("Execution context was destroyed", "reading 'documentElement'")
ATTEMPTS = 3


def axe_violations(page: Page, *, tags: tuple[str, ...] = WCAG_TAGS) -> list[dict[str, Any]]:
    """Every axe-core violation of the given rule tags on the page once it has loaded."""
    for attempt in range(1, ATTEMPTS + 1):
        page.wait_for_load_state("load")
        try:
            return _run_axe(page, tags)
        except PlaywrightError as error:
            if attempt == ATTEMPTS or not any(m in str(error) for m in NAVIGATION_ERRORS):
                raise
    raise AssertionError("unreachable")


def _run_axe(page: Page, tags: tuple[str, ...]) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
        page.evaluate(
            "(options) => axe.configure({checks: [{id: 'aria-allowed-attr', options}]})",
            GOVUK_EXTRA_ALLOWED_ATTRS,
        )
    results = page.evaluate(
        """async (tags) => await axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        list(tags),
    )
    return results["violations"]


def format_violation(violation: dict[str, Any]) -> str:
    nodes = violation["nodes"]
    targets = ", ".join(
        " >> ".join(str(part) for part in node["target"]) for node in nodes[:NODES_SHOWN]
    )
    more = f" and {len(nodes) - NODES_SHOWN} more" if len(nodes) > NODES_SHOWN else ""
    return (
        f"  - [{violation['impact']}] {violation['id']}: {violation['help']}\n"
        f"    {violation['helpUrl']}\n"
        f"    on {len(nodes)} element(s): {targets}{more}"
    )


def assert_accessible(page: Page, context_label: str) -> None:
    """Fail listing every serious or critical WCAG 2.x A/AA violation axe-core finds."""
    failing = [v for v in axe_violations(page) if v.get("impact") in FAILING_IMPACTS]
    assert not failing, (
        f"{context_label} ({page.url}): {len(failing)} serious or critical accessibility "
        "violation(s):\n" + "\n".join(format_violation(v) for v in failing)
    )
