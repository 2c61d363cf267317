"""Helpers for browser tests (the fixtures are in conftest.py): sign in, check a page.

- ``sign_in(page, live_server, user)`` puts a signed-in session cookie in the browser;
- ``check_page(page, "name")`` runs the checks every page must pass (axe-core finds no serious
  or critical violation, nothing wider than the screen) and saves a screenshot to
  ``test-artifacts/name.png``.
"""

import json
from pathlib import Path

from django.conf import settings
from django.test import Client

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
AXE_URL = "/static/vendor/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING_IMPACTS = {"serious", "critical"}


def sign_in(page, live_server, user) -> None:
    """Sign ``user`` in by handing the browser a session cookie (the e-mail link has its own
    test)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def assert_accessible(page) -> None:
    """axe-core (vendored, loaded like any script of ours) finds nothing serious or critical."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE_URL)
    result = page.evaluate(
        "async (tags) => await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    blocking = [v for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS]
    assert blocking == [], json.dumps(
        [
            {
                "rule": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["html"][:200] for n in v["nodes"][:5]],
            }
            for v in blocking
        ],
        indent=2,
    )


def assert_fits_the_screen(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px screen"


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def check_page(page, name: str) -> None:
    """What every page must pass: accessible, no sideways scrolling at 390 px; then a
    screenshot."""
    assert_accessible(page)
    assert_fits_the_screen(page)
    screenshot(page, name)
