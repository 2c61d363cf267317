"""Sign-in links at a venue: hundreds of registered attendees behind one IP address get their
link, while one address asked for again and again and a client spraying addresses are stopped,
and no answer tells a registered address from an unknown one."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from attendees.models import Person
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

VENUE_IP = "203.0.113.80"


def ask(client, email: str, *, ip: str = VENUE_IP):
    return client.post(reverse("dashboard:login"), {"email": email}, REMOTE_ADDR=ip)


def test_three_hundred_registered_attendees_behind_one_address_all_get_their_link(
    client, django_capture_on_commit_callbacks
):
    Person.objects.bulk_create(
        Person(email=f"guest{number}@example.org", full_name=f"Guest {number}")
        for number in range(300)
    )

    with django_capture_on_commit_callbacks(execute=True):
        statuses = {ask(client, f"guest{number}@example.org").status_code for number in range(300)}

    assert statuses == {302}
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        f"guest{number}@example.org" for number in range(300)
    )


def test_a_full_venue_also_gets_room_for_its_typos(client, settings):
    Person.objects.bulk_create(
        Person(email=f"guest{number}@example.org", full_name=f"Guest {number}")
        for number in range(300)
    )
    for number in range(300):
        ask(client, f"guest{number}@example.org")
    typos = settings.LOGIN_LINK_RATE_PER_IP_UNKNOWN + int(
        300 * settings.LOGIN_LINK_UNKNOWN_PER_KNOWN
    )

    statuses = [ask(client, f"guest{number}@exmaple.org").status_code for number in range(typos)]

    assert statuses == [302] * typos
    assert ask(client, "one-more@exmaple.org").status_code == 429


def test_one_address_asked_for_again_and_again_is_limited(
    client, settings, django_capture_on_commit_callbacks
):
    PersonFactory(email="ann@example.org")
    allowed = settings.LOGIN_LINK_RATE_PER_EMAIL

    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            ask(client, "ann@example.org", ip=f"198.51.100.{number}").status_code
            for number in range(allowed + 1)
        ]

    assert statuses == [302] * allowed + [429]
    assert len(mail.outbox) == allowed
    # Others behind the same addresses are not held up by Ann's limit.
    PersonFactory(email="bob@example.org")
    assert ask(client, "bob@example.org", ip="198.51.100.0").status_code == 302


def test_a_client_spraying_unknown_addresses_is_stopped(client, settings):
    PersonFactory(email="ann@example.org")
    budget = settings.LOGIN_LINK_RATE_PER_IP_UNKNOWN

    statuses = [ask(client, f"guess{number}@example.org").status_code for number in range(100)]

    assert statuses == [302] * budget + [429] * (100 - budget)
    # Once stopped, the address is refused whatever it asks, registered or not, so the refusal
    # says nothing about the address asked for.
    refused = ask(client, "ann@example.org")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    assert ask(client, "guess0@example.org", ip="198.51.100.7").status_code == 302


def test_a_client_spraying_registered_addresses_is_stopped(client, settings):
    settings.LOGIN_LINK_RATE_PER_IP_KNOWN = 10
    Person.objects.bulk_create(
        Person(email=f"guest{number}@example.org", full_name=f"Guest {number}")
        for number in range(12)
    )

    statuses = [ask(client, f"guest{number}@example.org").status_code for number in range(12)]

    assert statuses == [302] * 10 + [429] * 2
    assert ask(client, "nobody@example.org").status_code == 429


CSRF_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"')


def _answer(response, email: str) -> tuple[int, str, str]:
    """The answer with what differs for any two requests taken out: the address typed back
    into the form and the CSRF token."""
    body = CSRF_TOKEN.sub("", response.content.decode().replace(email, "ADDRESS"))
    return response.status_code, response.get("Location", ""), body


def test_the_answers_do_not_say_whether_an_address_is_registered(client, settings):
    PersonFactory(email="ann@example.org")
    settings.LOGIN_LINK_RATE_PER_EMAIL = 2

    known = [
        _answer(ask(client, "ann@example.org", ip="198.51.100.1"), "ann@example.org")
        for _ in range(3)
    ]
    unknown = [
        _answer(ask(client, "nobody@example.org", ip="198.51.100.2"), "nobody@example.org")
        for _ in range(3)
    ]

    assert known == unknown
    assert [status for status, _, _ in known] == [302, 302, 429]
    assert known[0][1] == reverse("dashboard:login_sent")
    sent = client.get(reverse("dashboard:login_sent")).content.decode()
    assert "Check your e-mail" in sent
