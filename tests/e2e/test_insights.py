"""The insights page in a browser (issue 15.5): on a 390 px phone and a desktop screen, no
table cut off, the what-if started from the page and its progress polled with htmx."""

import pytest
from django.utils import timezone

from matching.enums import RunStatus
from matching.models import WhatIfSimulation
from tests.organize.test_newcomer_outcomes import ThreeEditions

from .browser import check_page, screenshot, sign_in

DESKTOP = {"width": 1280, "height": 900}

# Every scrollable table container: the table fits in it, or it scrolls sideways (and the
# container itself ends inside the page), so no column is cut off.
TABLES_REACHABLE = """() => [...document.querySelectorAll('table.data')].map((table) => {
  const box = table.closest('.table-scroll');
  const page = document.documentElement.clientWidth;
  if (!box) return {caption: table.caption?.textContent, ok: table.scrollWidth <= page};
  const scrolls = ['auto', 'scroll'].includes(getComputedStyle(box).overflowX);
  const fits = table.scrollWidth <= box.clientWidth + 1;
  const inside = box.getBoundingClientRect().right <= page + 1;
  return {caption: table.caption?.textContent, ok: inside && (fits || scrolls),
          fits, scrolls, inside, table: table.scrollWidth, box: box.clientWidth};
})"""


@pytest.fixture
def series(transactional_db):
    return ThreeEditions()


def _assert_no_table_cut_off(page, *, must_fit: bool):
    tables = page.evaluate(TABLES_REACHABLE)
    assert tables and all(t["ok"] for t in tables), tables
    if must_fit:  # a desktop screen shows every column without scrolling
        assert all(t.get("fits", True) for t in tables), tables


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_the_insights_page_shows_every_column_and_runs_the_what_if(
    page, live_server, series, screen
):
    if screen == "desktop":
        page.set_viewport_size(DESKTOP)
    sign_in(page, live_server, series.organizer)
    page.goto("/organize/conferences/summit-2026/insights/")

    page.get_by_role("button", name="Simulate the next three editions").click()
    page.wait_for_selector("#chart-whatif-title", state="attached")

    assert page.get_by_role("heading", name="What became of each edition's newcomers").is_visible()
    assert page.locator("table.whatif-table tbody tr").count() == 12  # 3 seatings × 4 editions
    # The editions table's last column is reachable (it used to be cut off after the fourth).
    last_column = page.get_by_role("columnheader", name="Ties per attendee", exact=True)
    last_column.scroll_into_view_if_needed()
    assert last_column.is_visible()
    _assert_no_table_cut_off(page, must_fit=screen == "desktop")
    if screen == "phone":
        check_page(page, "insights-phone")
    else:
        screenshot(page, "insights-desktop")


def test_the_what_if_progress_is_polled_until_it_is_done(page, live_server, series):
    conference = series.editions[-1]
    simulation = WhatIfSimulation.objects.create(
        conference=conference, status=RunStatus.RUNNING, progress=30, heartbeat_at=timezone.now()
    )
    sign_in(page, live_server, series.organizer)
    page.goto("/organize/conferences/summit-2026/insights/")
    assert page.locator("#whatif-progress").get_attribute("value") == "30"
    assert page.get_by_role("button", name="Simulate the next three editions").is_disabled()

    WhatIfSimulation.objects.filter(pk=simulation.pk).update(progress=60)
    page.wait_for_selector("#whatif-progress[value='60']")
    WhatIfSimulation.objects.filter(pk=simulation.pk).update(
        status=RunStatus.FAILED, error="The worker ran out of memory.", finished_at=timezone.now()
    )

    page.wait_for_selector("text=The what-if failed.")  # htmx reloaded the page
    assert page.get_by_role("button", name="Simulate the next three editions").is_enabled()
