"""The attendee's circle and "stay in touch" on a 390 px phone (issue 15.4, 15.6)."""

import pytest
from playwright.sync_api import expect

from attendees.models import ContactOffer
from tests.attendees.helpers import World

from .browser import check_page, sign_in
from .test_dashboard import user_of


@pytest.fixture
def world(transactional_db):
    return World()


def test_my_circle_on_a_phone_links_people_and_highlights_who_i_welcomed(page, live_server, world):
    world.hold()
    sign_in(page, live_server, user_of(world.ann))
    page.goto("/network/")

    circle = page.locator("#network-circle")
    expect(circle).to_have_attribute("data-people", "3")
    expect(circle).to_have_attribute("data-links", "1")  # Dana and Omar met at ISTE 2011
    expect(circle.locator("text", has_text="Nia Obi")).to_contain_text("you welcomed them")
    # Every name is inside the drawing, none cut at the right edge.
    overflow = page.evaluate(
        """() => {
          const svg = document.querySelector('.circle-chart').getBoundingClientRect();
          return [...document.querySelectorAll('.circle-name')]
            .filter((t) => t.getBoundingClientRect().right > svg.right + 1)
            .map((t) => t.textContent);
        }"""
    )
    assert overflow == []
    check_page(page, "11-network-circle")


def test_offering_my_contact_to_a_tablemate_on_a_phone(page, live_server, world):
    world.hold()
    sign_in(page, live_server, user_of(world.ann))
    page.goto(f"/rounds/{world.round.pk}/")

    expect(page.get_by_role("heading", name="Stay in touch")).to_be_visible()
    toggle = page.get_by_role("button", name="Offer my contact to Nia Obi")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(page.get_by_role("button", name="Offer my contact to Nia Obi")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator(f"#offer-{world.nia.pk}")).to_contain_text("Offered")
    assert ContactOffer.objects.filter(from_person=world.ann, to_person=world.nia).exists()
    check_page(page, "12-stay-in-touch")

    page.get_by_role("button", name="Offer my contact to Nia Obi").click()  # withdraw
    expect(page.get_by_role("button", name="Offer my contact to Nia Obi")).to_have_attribute(
        "aria-pressed", "false"
    )
    assert not ContactOffer.objects.exists()
