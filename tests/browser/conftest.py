"""Real Chromium (the system's, never a downloaded one) driven by Playwright: one
browser for the session, a fresh phone-sized context for each page a test opens."""

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
# A 4xx answer the page expects (422 for bad input, 409 for a taken time) is logged by
# Chromium as a failed resource; that is the app working, not a script error.
EXPECTED_CONSOLE_ERROR = re.compile(
    r"^Failed to load resource: the server responded with a status of (409|422)\b"
)


def chromium_path():
    """Chromium from VUORO_CHROMIUM, Debian's /usr/bin/chromium, or the PATH."""
    for candidate in (os.environ.get("VUORO_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium: install Debian's chromium or set VUORO_CHROMIUM "
                    "to its path (Playwright's own browser download is not used)")
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, server):
    """open_page(javascript=True, viewport=PHONE): a page in a context of its own (its
    own cookies, like a separate browser) on the test server, in Finnish.

    Every script error and Content-Security-Policy violation on those pages fails the
    test when it ends."""
    contexts, problems = [], []

    def open_one(javascript=True, viewport=PHONE):
        context = browser.new_context(
            base_url=server.url,
            viewport=viewport,
            locale="fi-FI",
            timezone_id="Europe/Helsinki",
            java_script_enabled=javascript,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on("console", lambda message: _note_console_error(message, problems))
        return page

    yield open_one
    for context in contexts:
        context.close()
    assert not problems, "the browser reported:\n" + "\n".join(problems)


def _note_console_error(message, problems):
    if message.type == "error" and not EXPECTED_CONSOLE_ERROR.match(message.text):
        problems.append(f"console error: {message.text} ({message.location})")
