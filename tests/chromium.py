"""A real headless Chromium (Debian's package) driven by Playwright; never a downloaded browser.

One browser for the whole run, shared by the browser tests and the security suite (the root
``conftest.py`` offers the fixture): Playwright's sync API allows one instance per thread.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.services import services_required

CHROMIUM = Path(os.environ.get("LIFEBUOY_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures here
# are still plain synchronous calls, so Django's async guard does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if services_required():
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def chromium(chromium_browser: object) -> Iterator[object]:
    """The browser, for one test: the contexts the test opened are closed when it ends, so no
    page of an earlier test keeps polling the live server (and printing its errors into a
    later test's captured output)."""
    yield chromium_browser
    for context in list(chromium_browser.contexts):  # type: ignore[attr-defined]
        context.close()
