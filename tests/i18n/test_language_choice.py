"""Which language a person reads: the profile's, else the browser's, else English; e-mails and
calendar entries in the recipient's language; organizer pages in English."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from attendees import services
from matching.models import Seat
from matching.services import lifecycle
from tests.attendees.helpers import sign_in
from tests.matching.scenario import build_round

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
THURSDAY_EVENING = dt.datetime(2030, 5, 2, 19, 0, tzinfo=PARIS)

# The round of each page below, Thursday 2 May 2030 from 19:00 to 21:00, in each language.
WHEN = {
    "en": "Thursday 2 May, 19:00–21:00",
    "es": "jueves 2 de mayo, 19:00–21:00",
    "de": "Donnerstag, 2. Mai, 19:00–21:00",
    "fr": "jeudi 2 mai, 19:00–21:00",
}
MY_ROUNDS = {"en": "My rounds", "es": "Mis rondas", "de": "Meine Runden", "fr": "Mes soirées"}


@pytest.fixture
def ann(world):
    """Ann, signed in, whose round is on a known evening."""
    world.round.conference.time_zone = "Europe/Paris"
    world.round.conference.save(update_fields=["time_zone"])
    type(world.round).objects.filter(pk=world.round.pk).update(
        starts_at=THURSDAY_EVENING, ends_at=THURSDAY_EVENING + dt.timedelta(hours=2)
    )
    return world.ann


def home(client, **headers):
    response = client.get(reverse("dashboard:home"), headers=headers)
    assert response.status_code == 200
    return response, response.content.decode()


@pytest.mark.parametrize(
    ("profile", "browser", "expected"),
    [
        ("de", "fr", "de"),  # the profile wins over the browser
        ("es", "", "es"),
        ("", "fr-CA,fr;q=0.9,en;q=0.5", "fr"),  # no profile language: the browser's
        ("", "de-DE", "de"),
        ("", "it,pt;q=0.8", "en"),  # a language we do not have: the default
        ("", "", "en"),
    ],
)
def test_the_profile_language_wins_then_the_browser_then_english(
    client, ann, profile, browser, expected
):
    ann.language = profile
    ann.save(update_fields=["language"])
    sign_in(client, ann)

    response, html = home(client, **({"accept-language": browser} if browser else {}))

    assert response["Content-Language"] == expected
    assert f'<html lang="{expected}">' in html
    assert f">{MY_ROUNDS[expected]}</a>" in html
    assert WHEN[expected] in html


def test_signed_out_pages_follow_the_browser(client):
    response = client.get(reverse("dashboard:login"), headers={"accept-language": "es"})

    html = response.content.decode()
    assert "Envíame un enlace de acceso" in html
    assert "Tu dirección de correo" in html  # a form label from Python


def test_organizer_pages_stay_english_whatever_the_browser_says(client, scenario, organizer):
    client.force_login(organizer)

    response = client.get(reverse("organize:index"), headers={"accept-language": "fr"})

    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()


def test_the_profile_page_sets_the_language_and_answers_in_it(client, ann):
    sign_in(client, ann)
    page = client.get(reverse("dashboard:profile")).content.decode()
    assert '<option value="" selected>The language of my browser</option>' in page
    assert '<option value="fr">Français</option>' in page

    response = client.post(
        reverse("dashboard:profile"),
        {"full_name": ann.full_name, "organization": "", "bio": "", "language": "fr"},
        follow=True,
    )

    ann.refresh_from_db()
    assert ann.language == "fr"
    html = response.content.decode()
    assert "Votre profil est enregistré." in html
    assert '<option value="fr" selected>Français</option>' in html


def test_the_profile_page_refuses_a_language_we_do_not_have(client, ann):
    sign_in(client, ann)

    response = client.post(
        reverse("dashboard:profile"),
        {"full_name": ann.full_name, "organization": "", "bio": "", "language": "it"},
    )

    assert response.status_code == 400
    assert "Select a valid choice. it is not one of the available choices." in (
        response.content.decode()
    )
    ann.refresh_from_db()
    assert ann.language == ""


def test_a_service_refuses_a_language_we_do_not_have(ann):
    with pytest.raises(services.ServiceError) as refused:
        services.person_update(person=ann, data={"language": "xx"})
    assert refused.value.field == "language"
    assert refused.value.message == (
        "Choose one of these languages: en, es, de, fr, or none for your browser's."
    )


def test_the_calendar_download_is_in_the_readers_language(client, world, ann):
    ann.language = "de"
    ann.save(update_fields=["language"])
    sign_in(client, ann)

    response = client.get(reverse("dashboard:round_calendar", args=[world.round.pk]))

    ics = response.content.decode().replace("\r\n ", "")
    assert "SUMMARY:Opening night drinks: Tisch T1" in ics
    assert "DESCRIPTION:Ihr Tisch: T1. Mit " in ics


# E-mails ---------------------------------------------------------------------------------------


def test_the_sign_in_link_is_written_in_the_recipients_language_not_the_browsers(
    client, ann, django_capture_on_commit_callbacks
):
    ann.language = "es"
    ann.save(update_fields=["language"])

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("dashboard:login"), {"email": ann.email}, headers={"accept-language": "de"}
        )

    (message,) = mail.outbox
    assert message.subject == "Tu enlace de acceso a Drink Tables"
    assert message.body.startswith("Hola, Ann:\n\nAbre este enlace para entrar en Drink Tables:")
    assert "Funciona una sola vez, durante 15 minutos." in message.body


def test_without_a_profile_language_the_sign_in_link_is_in_the_page_s_language(
    client, ann, django_capture_on_commit_callbacks
):
    # A first sign-in never has a profile language yet: the page asked on is all we know.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("dashboard:login"), {"email": ann.email}, headers={"accept-language": "de"}
        )

    (message,) = mail.outbox
    assert message.subject == "Ihr Anmeldelink für Drink Tables"


def test_without_a_profile_language_other_e_mails_are_english(
    ann, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.email_change_request(
            person=ann, email="ann.new@example.org", base_url="http://testserver/"
        )

    (message,) = mail.outbox
    assert message.subject == "Confirm your new Drink Tables address"


def test_the_address_change_link_is_in_the_recipients_language(
    ann, django_capture_on_commit_callbacks
):
    ann.language = "fr"
    ann.save(update_fields=["language"])

    with django_capture_on_commit_callbacks(execute=True):
        services.email_change_request(
            person=ann, email="ann.new@example.org", base_url="http://testserver/"
        )

    (message,) = mail.outbox
    assert message.to == ["ann.new@example.org"]
    assert message.subject == "Confirmez votre nouvelle adresse pour Drink Tables"
    assert message.body.startswith("Bonjour Ann,\n\nOuvrez ce lien pour vous connecter")


@pytest.fixture
def published(organizer, solve, django_capture_on_commit_callbacks):
    """A round on a known evening, matched; ``publish()`` sends the table notices."""
    scenario = build_round(organizer=organizer, starts_at=THURSDAY_EVENING)

    def publish():
        with django_capture_on_commit_callbacks(execute=True):
            lifecycle.round_publish(round_id=scenario.round.pk, by=None)
        return scenario

    solve(scenario.round)
    return scenario, publish


def test_table_notices_and_their_calendar_entries_are_in_each_recipients_language(published):
    scenario, publish = published
    seated = Seat.objects.filter(run__round=scenario.round).select_related("person")
    readers = dict(zip(["es", "de", "fr", ""], [seat.person for seat in seated[:4]], strict=True))
    for language, person in readers.items():
        person.language = language
        person.save(update_fields=["language"])

    publish()
    scenario.round.refresh_from_db()

    name = scenario.round.name
    expected = {  # subject, sentence, calendar entry's summary
        "es": ("Tu mesa en {n}: {t}", "Te sientas en la mesa {t} en {n}.", "{n}: mesa {t}"),
        "de": ("Ihr Tisch bei {n}: {t}", "Sie sitzen bei {n} an Tisch {t}.", "{n}: Tisch {t}"),
        "fr": ("Votre table à {n} : {t}", "Vous êtes à la table {t} à {n}.", "{n} : table {t}"),
        "": ("Your table at {n}: {t}", "You sit at table {t} at {n}.", "{n}: table {t}"),
    }
    for language, person in readers.items():
        seat = Seat.objects.select_related("table").get(
            run=scenario.round.published_run, person=person
        )
        subject, sentence, summary = (
            text.format(n=name, t=seat.table.label) for text in expected[language]
        )
        (message,) = [m for m in mail.outbox if m.to == [person.email]]
        assert message.subject == subject
        assert sentence in message.body
        assert f"{WHEN[language or 'en']} CEST (Europe/Paris)" in message.body
        ((_filename, ics, _mimetype),) = message.attachments
        assert f"SUMMARY:{summary}\r\n" in ics.replace("\r\n ", "")


def test_a_cancelled_round_is_announced_in_each_recipients_language(
    published, django_capture_on_commit_callbacks
):
    scenario, publish = published
    publish()
    person = Seat.objects.filter(run__round=scenario.round).first().person
    person.language = "de"
    person.save(update_fields=["language"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.round_cancel(round_id=scenario.round.pk, by=None)

    (message,) = [m for m in mail.outbox if m.to == [person.email]]
    assert message.subject == f"Abgesagt: {scenario.round.name}"
    assert f"{scenario.round.name} ({WHEN['de']} CEST) ist abgesagt" in message.body


def test_an_error_page_speaks_the_readers_language(client, ann):
    ann.language = "fr"
    ann.save(update_fields=["language"])
    sign_in(client, ann)

    response = client.get(reverse("dashboard:round", args=[987654]))

    assert response.status_code == 404
    html = response.content.decode()
    assert "<h1>Page introuvable</h1>" in html
    assert ">Aller à vos soirées</a>" in html


def test_the_network_names_a_former_attendee_in_the_readers_language(client, world, ann):
    from attendees.services import account_delete

    account_delete(person=world.dana)
    ann.language = "es"
    ann.save(update_fields=["language"])
    sign_in(client, ann)

    html = client.get(reverse("dashboard:network")).content.decode()

    assert "Un antiguo asistente" in html
    assert "A former attendee" not in html
