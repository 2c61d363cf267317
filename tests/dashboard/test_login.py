"""Signing in with a one-time e-mail link, and the password sign-in for staff."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from attendees import services
from attendees.models import LoginLink
from attendees.tasks import send_login_link
from config.exceptions import ServiceError
from tests.factories import OrganizerFactory, PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+/login/link/(?P<token>[\w-]+)/")


def request_link(email: str, *, ip: str = "192.0.2.1", capture) -> None:
    with capture(execute=True):
        services.login_link_request(email=email, ip=ip, base_url="http://testserver/")


def token_from_outbox() -> str:
    return LINK.search(mail.outbox[-1].body)["token"]


def test_a_registered_person_gets_a_link_that_signs_them_in_once(
    django_capture_on_commit_callbacks,
):
    person = PersonFactory(email="ann@example.org", full_name="Ann Lee")

    request_link("  Ann@Example.org ", capture=django_capture_on_commit_callbacks)

    assert [m.to for m in mail.outbox] == [["ann@example.org"]]
    assert mail.outbox[0].body.startswith("Hello Ann,")
    user = services.login_link_consume(token=token_from_outbox())
    person.refresh_from_db()
    assert person.user == user
    assert user.email == "ann@example.org" and not user.has_usable_password()
    with pytest.raises(ServiceError, match="expired or was already used"):
        services.login_link_consume(token=token_from_outbox())


def test_only_the_hash_of_the_secret_is_stored(django_capture_on_commit_callbacks):
    PersonFactory(email="ann@example.org")
    request_link("ann@example.org", capture=django_capture_on_commit_callbacks)

    token = token_from_outbox()
    stored = LoginLink.objects.get()
    assert token not in stored.token_hash and stored.token_hash == services.hash_secret(token)


def test_an_unknown_address_gets_the_same_answer_and_no_mail(
    client, django_capture_on_commit_callbacks
):
    PersonFactory(email="ann@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("dashboard:login"), {"email": "ann@example.org"})
        unknown = client.post(reverse("dashboard:login"), {"email": "nobody@example.org"})

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known["Location"] == reverse("dashboard:login_sent")
    assert [m.to for m in mail.outbox] == [["ann@example.org"]]
    assert not LoginLink.objects.filter(email="nobody@example.org").exists()


def test_the_link_expires_after_fifteen_minutes(django_capture_on_commit_callbacks):
    PersonFactory(email="ann@example.org")
    request_link("ann@example.org", capture=django_capture_on_commit_callbacks)
    LoginLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    with pytest.raises(ServiceError, match="expired"):
        services.login_link_consume(token=token_from_outbox())


def test_a_new_link_lives_fifteen_minutes(django_capture_on_commit_callbacks):
    PersonFactory(email="ann@example.org")
    request_link("ann@example.org", capture=django_capture_on_commit_callbacks)

    link = LoginLink.objects.get()
    assert link.expires_at - link.created_at == pytest.approx(
        dt.timedelta(minutes=15), abs=dt.timedelta(seconds=2)
    )


def test_requests_are_limited_per_address_whether_registered_or_not(
    django_capture_on_commit_callbacks,
):
    PersonFactory(email="ann@example.org")
    for address in ("ann@example.org", "nobody@example.org"):
        for number in range(5):
            request_link(
                address, ip=f"198.51.100.{number}", capture=django_capture_on_commit_callbacks
            )
        with pytest.raises(services.LoginRateLimited):
            request_link(address, ip="198.51.100.99", capture=django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 5


def test_requests_for_unknown_addresses_are_limited_per_ip_address(
    django_capture_on_commit_callbacks, settings
):
    for number in range(settings.LOGIN_LINK_RATE_PER_IP_UNKNOWN):
        request_link(f"p{number}@example.org", capture=django_capture_on_commit_callbacks)
    with pytest.raises(services.LoginRateLimited):
        request_link("p99@example.org", capture=django_capture_on_commit_callbacks)


def test_the_login_page_answers_429_when_limited(client, settings):
    for number in range(settings.LOGIN_LINK_RATE_PER_IP_UNKNOWN):
        client.post(
            reverse("dashboard:login"),
            {"email": f"a{number}@example.org"},
            REMOTE_ADDR="203.0.113.5",
        )

    response = client.post(
        reverse("dashboard:login"), {"email": "b@example.org"}, REMOTE_ADDR="203.0.113.5"
    )

    assert response.status_code == 429
    assert "Too many sign-in links" in response.content.decode()


def test_a_deleted_person_gets_no_link(django_capture_on_commit_callbacks):
    person = PersonFactory(email="ann@example.org")
    services.account_delete(person=person)

    request_link("ann@example.org", capture=django_capture_on_commit_callbacks)

    assert mail.outbox == []


def test_sending_twice_sends_once_and_a_used_link_is_left_alone(
    django_capture_on_commit_callbacks,
):
    PersonFactory(email="ann@example.org")
    request_link("ann@example.org", capture=django_capture_on_commit_callbacks)
    link = LoginLink.objects.get()

    send_login_link.delay(link_id=link.pk, base_url="http://testserver")
    send_login_link.delay(link_id=link.pk + 1000, base_url="http://testserver")

    assert len(mail.outbox) == 1


def test_a_failing_mail_server_releases_the_link_for_a_retry(django_capture_on_commit_callbacks):
    PersonFactory(email="ann@example.org")
    with override_settings(EMAIL_BACKEND="tests.attendees.test_login.FailingBackend"):
        request_link("ann@example.org", capture=django_capture_on_commit_callbacks)
    link = LoginLink.objects.get()
    assert link.sent_at is None

    assert services.login_link_send(link_id=link.pk, base_url="http://testserver") is True
    assert len(mail.outbox) == 1
    services.login_link_consume(token=token_from_outbox())


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("mail server down")


def test_a_link_never_sent_cannot_be_used(django_capture_on_commit_callbacks):
    PersonFactory(email="ann@example.org")
    with django_capture_on_commit_callbacks(execute=False):
        services.login_link_request(email="ann@example.org", ip=None, base_url="http://t")
    link = LoginLink.objects.get()

    assert link.sent_at is None
    with pytest.raises(ServiceError):
        services.login_link_consume(token="")


def test_first_use_links_an_existing_attendee_account_with_the_same_email(
    django_capture_on_commit_callbacks,
):
    existing = UserFactory(username="ann", email="Ann@example.org")
    person = PersonFactory(email="ann@example.org")
    request_link("ann@example.org", capture=django_capture_on_commit_callbacks)

    assert services.login_link_consume(token=token_from_outbox()) == existing
    person.refresh_from_db()
    assert person.user == existing


def test_a_staff_account_is_never_taken_over_by_an_email_link(django_capture_on_commit_callbacks):
    staff = OrganizerFactory(username="olivia", email="olivia@example.org")
    PersonFactory(email="olivia@example.org")
    request_link("olivia@example.org", capture=django_capture_on_commit_callbacks)

    user = services.login_link_consume(token=token_from_outbox())

    assert user != staff and not user.is_staff
    assert get_user_model().objects.filter(email__iexact="olivia@example.org").count() == 2


def test_signing_in_through_the_pages(client, django_capture_on_commit_callbacks):
    PersonFactory(email="ann@example.org", full_name="Ann Lee")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dashboard:login"), {"email": "ann@example.org"})
    url = reverse("dashboard:login_link", args=[token_from_outbox()])

    confirm = client.get(url)  # a mail scanner fetching the link uses nothing up
    assert confirm.status_code == 200 and b"Sign in" in confirm.content
    assert client.get(reverse("dashboard:home")).status_code == 302

    signed_in = client.post(url)
    assert signed_in["Location"] == reverse("dashboard:home")
    assert "Hello, Ann" in client.get(reverse("dashboard:home")).content.decode()

    again = client.post(url)
    assert again.status_code == 400 and b"no longer works" in again.content


def test_an_unknown_token_shows_how_to_get_a_new_link(client):
    response = client.get(reverse("dashboard:login_link", args=["not-a-token"]))

    assert response.status_code == 400
    assert reverse("dashboard:login") in response.content.decode()


def test_an_invalid_address_is_explained(client):
    response = client.post(reverse("dashboard:login"), {"email": "not an address"})

    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()


def test_sign_out_is_a_post_and_ends_the_session(client):
    user = UserFactory()
    client.force_login(user)

    assert client.get(reverse("dashboard:logout")).status_code == 405
    response = client.post(reverse("dashboard:logout"))

    assert response["Location"] == reverse("dashboard:login")
    assert "_auth_user_id" not in client.session


def test_staff_sign_in_with_a_password(client):
    OrganizerFactory(username="olivia")

    response = client.post(
        reverse("dashboard:staff_login"),
        {"username": "olivia", "password": "correct horse battery"},
    )

    assert response.status_code == 302
    home = client.get(reverse("dashboard:home"))
    assert "No attendee profile" in home.content.decode()


def staff_sign_in(username: str, password: str, ip: str = "198.51.100.7"):
    from django.test import Client

    client = Client()
    response = client.post(
        reverse("dashboard:staff_login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )
    return client, response


def test_a_wrong_staff_password_is_a_400_with_the_form_again():
    OrganizerFactory(username="olivia")

    client, response = staff_sign_in("olivia", "wrong")

    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_staff_password_guessing_is_limited_per_username(settings):
    settings.STAFF_LOGIN_RATE_PER_USERNAME = 3
    OrganizerFactory(username="olivia")
    for number in range(3):
        assert staff_sign_in("Olivia", "wrong", ip=f"198.51.100.{number}")[1].status_code == 400

    client, response = staff_sign_in("olivia", "correct horse battery", ip="198.51.100.99")

    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "Too many failed sign-in attempts. Wait an hour" in response.content.decode()
    assert "_auth_user_id" not in client.session
    OrganizerFactory(username="oscar")
    assert staff_sign_in("oscar", "correct horse battery")[1].status_code == 302


def test_staff_password_guessing_is_limited_per_ip_address(settings):
    settings.STAFF_LOGIN_RATE_PER_IP = 3
    OrganizerFactory(username="olivia")
    for number in range(3):
        assert staff_sign_in(f"guess{number}", "wrong")[1].status_code == 400

    assert staff_sign_in("olivia", "correct horse battery")[1].status_code == 429
    assert staff_sign_in("olivia", "correct horse battery", ip="192.0.2.50")[1].status_code == 302


def test_successful_staff_sign_ins_do_not_count(settings):
    settings.STAFF_LOGIN_RATE_PER_USERNAME = 2
    settings.STAFF_LOGIN_RATE_PER_IP = 2
    OrganizerFactory(username="olivia")

    statuses = [staff_sign_in("olivia", "correct horse battery")[1].status_code for _ in range(4)]

    assert statuses == [302, 302, 302, 302]


def test_sign_out_everywhere_ends_every_session_of_an_attendee(client):
    from django.test import Client

    from tests.attendees.helpers import sign_in

    person = PersonFactory()
    phone, laptop = sign_in(client, person), sign_in(Client(), person)

    response = phone.post(reverse("dashboard:sign_out_everywhere"))

    assert response["Location"] == reverse("dashboard:login")
    for device in (phone, laptop):
        assert device.get(reverse("dashboard:home")).status_code == 302


def test_an_account_with_a_password_is_told_to_change_it_instead(client):
    organizer = OrganizerFactory()
    PersonFactory(user=organizer)
    client.force_login(organizer)

    response = client.post(reverse("dashboard:sign_out_everywhere"), follow=True)

    assert "change it to sign out on your other devices" in response.content.decode()
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_behind_a_proxy_each_client_address_has_its_own_limit(client, settings):
    settings.NUM_PROXIES = 1
    settings.LOGIN_LINK_RATE_PER_IP_UNKNOWN = 2
    url = reverse("dashboard:login")

    def ask(forwarded: str) -> int:
        return client.post(
            url,
            {"email": "a@example.org"},
            REMOTE_ADDR="10.0.0.2",  # the proxy
            HTTP_X_FORWARDED_FOR=forwarded,
        ).status_code

    assert [ask("203.0.113.5") for _ in range(3)] == [302, 302, 429]
    assert ask("203.0.113.6") == 302
    # What the client writes in the header itself comes before the proxy's entry: no escape.
    assert ask("198.51.100.1, 203.0.113.5") == 429


def test_without_proxies_the_forwarded_header_is_ignored(client, settings):
    settings.LOGIN_LINK_RATE_PER_IP_UNKNOWN = 2
    url = reverse("dashboard:login")

    statuses = [
        client.post(
            url,
            {"email": "a@example.org"},
            REMOTE_ADDR="203.0.113.5",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number}",
        ).status_code
        for number in range(3)
    ]

    assert statuses == [302, 302, 429]


def test_a_link_goes_out_in_the_language_of_the_page_asked_on_when_the_profile_has_none(
    client, django_capture_on_commit_callbacks
):
    PersonFactory(email="ann@example.org", full_name="Ann Lee")  # no language chosen

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("dashboard:login"), {"email": "ann@example.org"}, HTTP_ACCEPT_LANGUAGE="de"
        )

    assert mail.outbox[-1].subject == "Ihr Anmeldelink für Drink Tables"


def test_the_profile_s_language_wins_over_the_page_s(client, django_capture_on_commit_callbacks):
    PersonFactory(email="ann@example.org", full_name="Ann Lee", language="fr")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("dashboard:login"), {"email": "ann@example.org"}, HTTP_ACCEPT_LANGUAGE="de"
        )

    assert mail.outbox[-1].subject == "Votre lien de connexion à Drink Tables"


def test_a_language_the_site_does_not_have_falls_back_to_the_default(
    django_capture_on_commit_callbacks,
):
    PersonFactory(email="ann@example.org", full_name="Ann Lee")

    with django_capture_on_commit_callbacks(execute=True):
        services.login_link_request(
            email="ann@example.org", ip=None, base_url="http://t", language="xx-yy"
        )

    assert mail.outbox[-1].subject == "Your Drink Tables sign-in link"
