"""A person changes the address they sign in with themselves, confirmed from the new address.

Their identity is theirs (docs/security.md): organizers cannot change it once they have signed
in, so this is the way it changes.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from attendees import services
from attendees.models import EmailChange, LoginLink, Person
from config.exceptions import Conflict, ServiceError
from tests.api.support import attendee_of
from tests.factories import ConferenceFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _link() -> str:
    return re.search(r"/profile/email/confirm/[^/\s]+/", mail.outbox[-1].body).group(0)


@pytest.fixture
def ann(db):
    person = attendee_of(ConferenceFactory(), full_name="Ann Lee")
    Person.objects.filter(pk=person.pk).update(email="ann@example.org")
    person.refresh_from_db()
    return person


def test_the_address_changes_once_the_new_one_confirms(
    client, ann, django_capture_on_commit_callbacks
):
    client.force_login(ann.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboard:email_change"), {"email": "Ann.Lee@New.example"})

    assert response["Location"] == reverse("dashboard:profile")
    assert mail.outbox[-1].to == ["ann.lee@new.example"]
    ann.refresh_from_db()
    assert ann.email == "ann@example.org"  # not before the link is opened
    link = _link()
    assert "Confirm" in client.get(link).content.decode()  # a click first (mail scanners)

    confirmed = client.post(link)

    assert confirmed.status_code == 200
    ann.refresh_from_db()
    ann.user.refresh_from_db()
    assert (ann.email, ann.user.email) == ("ann.lee@new.example", "ann.lee@new.example")
    assert client.post(link).status_code == 400  # once only


def test_the_answer_is_the_same_when_the_address_is_someone_elses(
    ann, django_capture_on_commit_callbacks
):
    PersonFactory(email="bo@example.org", full_name="Bo Other")
    with django_capture_on_commit_callbacks(execute=True):
        taken = services.email_change_request(
            person=ann, email="bo@example.org", base_url="http://t"
        )
        free = services.email_change_request(
            person=ann, email="cy@example.org", base_url="http://t"
        )

    assert (type(taken), type(free)) == (services.EmailChangeRequested,) * 2
    # Only whoever reads bo@example.org's mail learns, on confirming, that it is taken.
    token = mail.outbox[0].body.split("/confirm/")[1].split("/")[0]
    with pytest.raises((Conflict, ServiceError)):
        services.email_change_confirm(token=token)  # superseded by the later request
    with pytest.raises(Conflict, match="Another account signs in with this address"):
        EmailChange.objects.filter(new_email="cy@example.org").update(new_email="bo@example.org")
        services.email_change_confirm(token=mail.outbox[1].body.split("/confirm/")[1].split("/")[0])
    ann.refresh_from_db()
    assert ann.email == "ann@example.org"


def test_old_sign_in_links_stop_working(ann, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.login_link_request(email="ann@example.org", ip=None, base_url="http://t")
        services.email_change_request(person=ann, email="ann2@example.org", base_url="http://t")
    services.email_change_confirm(token=mail.outbox[-1].body.split("/confirm/")[1].split("/")[0])

    assert not LoginLink.objects.filter(email="ann@example.org").exists()


def test_look_alikes_and_the_same_address_are_refused(ann):
    for email, message in [
        ("ann@example.org", "already sign in"),
        ("admın@example.org", "only look like Latin"),
        ("not an address", "not an e-mail address"),
    ]:
        with pytest.raises(ServiceError, match=message):
            services.email_change_request(person=ann, email=email, base_url="http://t")


def test_the_api_asks_for_the_change_and_limits_it(ann, django_capture_on_commit_callbacks):
    api = APIClient()
    api.force_authenticate(ann.user)
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            api.post("/api/v1/me/email/", {"email": f"ann{n}@example.org"}, format="json")
            for n in range(services.EMAIL_CHANGE_RATE_PER_PERSON + 1)
        ]

    assert [a.status_code for a in answers] == [202] * services.EMAIL_CHANGE_RATE_PER_PERSON + [429]
    assert answers[0].json()["new_email"] == "ann0@example.org"
    assert answers[-1]["Retry-After"] == "3600"
    assert Person.objects.get(pk=ann.pk).email == "ann@example.org"


def test_the_profile_page_offers_it_and_shows_errors(client, ann):
    client.force_login(ann.user)
    assert 'name="email"' in client.get(reverse("dashboard:profile")).content.decode()

    response = client.post(reverse("dashboard:email_change"), {"email": "ann@example.org"})

    assert response.status_code == 400
    assert "You already sign in with this address." in response.content.decode()
