"""Browser-test plumbing: Debian's chromium driven by Playwright against pytest-django's
live server, on a 390 px wide phone screen.

Use the ``page`` fixture (a fresh browser context per test) with the helpers of
``tests/e2e/browser.py``. Every test fails on a JavaScript error, a failed request or a
Content-Security-Policy violation in the browser (all reach the console as errors). The
browser starts once per test module: Playwright's sync API keeps an event loop in the test
thread, so Django's ORM is allowed to run "async-unsafe" only while it does.
"""

import os
import shutil

import pytest

from .browser import CHROMIUM_ARGS, PHONE


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(
        executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()
    playwright.stop()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, mailoutbox):
    """A phone-sized page on the live server; fails the test on a JavaScript error, a CSP
    violation or a sub-resource (script, style, image, fetch) that fails to load."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport=PHONE,
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        accept_downloads=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))

    def console(message):
        # A failed request is reported below with its URL; a page a test opens on purpose
        # with an error status (an expired link) is that test's business.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console error: {message.text}")

    def response(reply):
        if reply.status >= 400 and reply.request.resource_type != "document":
            problems.append(f"{reply.status} for {reply.request.resource_type} {reply.url}")

    page.on("console", console)
    page.on("response", response)
    yield page
    context.close()
    assert problems == [], "\n".join(problems)
