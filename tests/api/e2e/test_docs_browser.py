"""The API docs page in a real browser (Debian's chromium): Swagger UI renders the schema from
vendored files under the strict Content-Security-Policy, and a signed-in user can try a call."""

import pytest
from playwright.sync_api import expect

from tests.api.support import attendee_of
from tests.e2e.browser import ARTIFACTS, sign_in


@pytest.fixture
def docs_page(browser, live_server):
    """A desktop-sized page; fails the test on a JavaScript error, a CSP violation or a
    resource that does not load."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on(
        "console",
        lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
    )
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on(
        "request",
        lambda r: (
            problems.append(f"off-site request {r.url}")
            if not r.url.startswith(live_server.url)
            else None
        ),
    )
    yield page
    context.close()
    assert problems == [], "\n".join(problems)


def test_docs_render_the_schema_and_try_a_call_with_the_session(docs_page, live_server, conference):
    ann = attendee_of(conference, full_name="Ann Attendee")
    sign_in(docs_page, live_server, ann.user)
    docs_page.goto("/api/v1/docs/")
    # The schema is generated on each request: allow it time on a busy CI machine.
    expect(docs_page.get_by_role("heading", name="Drink Tables API")).to_be_visible(timeout=60_000)
    operation = docs_page.locator("#operations-me-me_retrieve")
    expect(operation).to_be_visible()
    expect(docs_page.locator("#operations-organizers-rounds_runs_create")).to_be_visible()
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_have_text("200", timeout=30_000)
    expect(operation.locator(".live-responses-table")).to_contain_text("Ann Attendee")
    operation.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(exist_ok=True)
    docs_page.screenshot(path=str(ARTIFACTS / "api-docs.png"))
