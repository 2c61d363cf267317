"""The round lifecycle (matching.services.lifecycle): the transition table, tested once, and
the doors that go through it (the plan page, the admin's actions, the API)."""

import datetime as dt
import logging

import pytest
from django.urls import reverse
from django.utils import timezone

from conferences.enums import RoundStatus as S
from conferences.models import MeetupRound
from config.exceptions import Conflict, NotFound
from matching.enums import RoundAction
from matching.services import lifecycle
from tests.factories import MatchingRunFactory, MeetupRoundFactory, OrganizerFactory

pytestmark = pytest.mark.django_db

# Every (from, to) pair: the action that takes it, or the message that refuses it.
TABLE = {
    (S.DRAFT, S.DRAFT): "This round is already a draft.",
    (S.DRAFT, S.OPEN): RoundAction.OPEN,
    (S.DRAFT, S.MATCHED): "Only a published round can be unpublished.",
    (S.DRAFT, S.PUBLISHED): "There is no finished plan to publish yet: run the matching first.",
    (S.DRAFT, S.HELD): "Publish the plan before marking the round held.",
    (S.DRAFT, S.CANCELLED): RoundAction.CANCEL,
    (S.OPEN, S.DRAFT): RoundAction.DRAFT,
    (S.OPEN, S.OPEN): "This round is already open for RSVPs.",
    (S.OPEN, S.MATCHED): RoundAction.MATCH,
    (S.OPEN, S.PUBLISHED): "There is no finished plan to publish yet: run the matching first.",
    (S.OPEN, S.HELD): "Publish the plan before marking the round held.",
    (S.OPEN, S.CANCELLED): RoundAction.CANCEL,
    (S.MATCHED, S.DRAFT): "A matched round cannot go back to draft.",
    (S.MATCHED, S.OPEN): RoundAction.REOPEN,
    (S.MATCHED, S.MATCHED): "Only a published round can be unpublished.",
    (S.MATCHED, S.PUBLISHED): RoundAction.PUBLISH,
    (S.MATCHED, S.HELD): "Publish the plan before marking the round held.",
    (S.MATCHED, S.CANCELLED): RoundAction.CANCEL,
    (S.PUBLISHED, S.DRAFT): "A published round cannot go back to draft.",
    (S.PUBLISHED, S.OPEN): "A published round cannot go back to open; unpublish it first.",
    (S.PUBLISHED, S.MATCHED): RoundAction.UNPUBLISH,
    (S.PUBLISHED, S.PUBLISHED): RoundAction.PUBLISH,
    (S.PUBLISHED, S.HELD): RoundAction.HELD,
    (S.PUBLISHED, S.CANCELLED): RoundAction.CANCEL,
    (S.HELD, S.DRAFT): "This round has been held; it cannot go back to draft.",
    (S.HELD, S.OPEN): "This round has been held; it cannot go back to open.",
    (S.HELD, S.MATCHED): "This round has been held; it cannot go back to matched.",
    (S.HELD, S.PUBLISHED): "This round is held; its plan can no longer be published.",
    (S.HELD, S.HELD): RoundAction.HELD,
    (S.HELD, S.CANCELLED): "This round has been held; it can no longer be cancelled.",
    (S.CANCELLED, S.DRAFT): RoundAction.RESTORE,
    (S.CANCELLED, S.OPEN): (
        "A cancelled round is restored as a draft first; then open it for RSVPs."
    ),
    (S.CANCELLED, S.MATCHED): "Only a published round can be unpublished.",
    (S.CANCELLED, S.PUBLISHED): "This round is cancelled; its plan can no longer be published.",
    (S.CANCELLED, S.HELD): "This round is cancelled; it cannot be marked held.",
    (S.CANCELLED, S.CANCELLED): "This round is already cancelled.",
}


def test_the_table_names_every_pair_of_statuses():
    assert set(TABLE) == {(a, b) for a in S for b in S}


def a_round_in(status: S):
    """A round in ``status`` whose guards all pass: it has started, and it has a succeeded
    run without broken constraints (published when the status shows a plan)."""
    started = timezone.now() - dt.timedelta(hours=1)
    meetup_round = MeetupRoundFactory(
        status=S.DRAFT, starts_at=started, ends_at=started + dt.timedelta(hours=2)
    )
    run = MatchingRunFactory(round=meetup_round, metrics={"violations": {"capacity": 0}})
    plan = {"published_run": run, "published_at": timezone.now()}
    MeetupRound.objects.filter(pk=meetup_round.pk).update(
        status=status, **(plan if status in (S.PUBLISHED, S.HELD) else {})
    )
    meetup_round.refresh_from_db()
    return meetup_round


@pytest.mark.parametrize(("source", "target"), sorted(TABLE))
def test_each_move_is_allowed_or_refused_with_its_message(source, target):
    meetup_round = a_round_in(source)
    expected = TABLE[(source, target)]

    if not isinstance(expected, RoundAction):
        with pytest.raises(Conflict) as refused:
            lifecycle.round_transition(round_id=meetup_round.pk, to=target, by=None)
        assert refused.value.message == expected
        meetup_round.refresh_from_db()
        assert meetup_round.status == source
    else:
        done = lifecycle.round_transition(round_id=meetup_round.pk, to=target, by=None)
        assert (done.action, done.previous, done.status) == (expected, source, target)
        meetup_round.refresh_from_db()
        assert meetup_round.status == target


def test_the_transition_table_is_read_from_the_moves():
    allowed = {pair for pair, expected in TABLE.items() if isinstance(expected, RoundAction)}
    assert {
        (source, target)
        for source, targets in lifecycle.ROUND_TRANSITIONS.items()
        for target in targets
    } == allowed


def test_only_the_system_marks_a_round_matched():
    meetup_round = a_round_in(S.OPEN)
    organizer = OrganizerFactory(conferences=[meetup_round.conference])
    with pytest.raises(Conflict, match="when a matching run stores its plan"):
        lifecycle.round_transition(round_id=meetup_round.pk, to=S.MATCHED, by=organizer)


def test_a_round_of_another_conference_is_not_found():
    meetup_round = a_round_in(S.DRAFT)
    stranger = OrganizerFactory(conferences=[MeetupRoundFactory().conference])
    with pytest.raises(NotFound):
        lifecycle.round_transition(round_id=meetup_round.pk, to=S.OPEN, by=stranger)
    meetup_round.refresh_from_db()
    assert meetup_round.status == S.DRAFT


def test_an_unknown_status_is_a_clear_error():
    meetup_round = a_round_in(S.DRAFT)
    with pytest.raises(Exception, match="'finished' is not a round status"):
        lifecycle.round_transition(round_id=meetup_round.pk, to="finished", by=None)


def test_publishing_a_plan_that_breaks_a_hard_constraint_is_refused():
    meetup_round = a_round_in(S.MATCHED)
    meetup_round.runs.update(metrics={"violations": {"capacity": 1}})
    with pytest.raises(Conflict, match="breaks a hard constraint"):
        lifecycle.round_transition(round_id=meetup_round.pk, to=S.PUBLISHED, by=None)


def test_held_waits_for_the_evening():
    meetup_round = a_round_in(S.PUBLISHED)
    meetup_round.starts_at = timezone.now() + dt.timedelta(hours=1)
    meetup_round.ends_at = meetup_round.starts_at + dt.timedelta(hours=2)
    meetup_round.save()
    with pytest.raises(Conflict, match="has not started yet"):
        lifecycle.round_transition(round_id=meetup_round.pk, to=S.HELD, by=None)


def test_restoring_a_cancelled_round_drops_the_plan_it_had_published():
    meetup_round = a_round_in(S.PUBLISHED)
    lifecycle.round_transition(round_id=meetup_round.pk, to=S.CANCELLED, by=None)
    lifecycle.round_transition(round_id=meetup_round.pk, to=S.DRAFT, by=None)
    meetup_round.refresh_from_db()
    assert (meetup_round.status, meetup_round.published_run, meetup_round.published_at) == (
        S.DRAFT,
        None,
        None,
    )


# What a page offers ------------------------------------------------------------------------


def offers(meetup_round, user=None):
    return [
        (offer.action, offer.to)
        for offer in lifecycle.allowed_actions(round=meetup_round, user=user)
    ]


def test_allowed_actions_offer_only_moves_of_the_table():
    assert offers(a_round_in(S.DRAFT)) == [
        (RoundAction.OPEN, S.OPEN),
        (RoundAction.CANCEL, S.CANCELLED),
    ]
    assert offers(a_round_in(S.OPEN)) == [
        (RoundAction.DRAFT, S.DRAFT),
        (RoundAction.CANCEL, S.CANCELLED),
    ]
    assert offers(a_round_in(S.MATCHED)) == [
        (RoundAction.REOPEN, S.OPEN),
        (RoundAction.PUBLISH, S.PUBLISHED),
        (RoundAction.CANCEL, S.CANCELLED),
    ]
    # Its only succeeded run is the published plan: nothing else to publish.
    assert offers(a_round_in(S.PUBLISHED)) == [
        (RoundAction.UNPUBLISH, S.MATCHED),
        (RoundAction.HELD, S.HELD),
        (RoundAction.CANCEL, S.CANCELLED),
    ]
    assert offers(a_round_in(S.HELD)) == []
    assert offers(a_round_in(S.CANCELLED)) == [(RoundAction.RESTORE, S.DRAFT)]
    for (action, to), offer in zip(
        offers(a_round_in(S.MATCHED)),
        lifecycle.allowed_actions(round=a_round_in(S.MATCHED), user=None),
        strict=True,
    ):
        assert lifecycle.move_for(S.MATCHED, to).action == action
        assert offer.label and offer.confirm


def test_a_publish_offer_says_how_many_people_it_e_mails():
    meetup_round = a_round_in(S.MATCHED)
    (publish,) = [
        offer
        for offer in lifecycle.allowed_actions(round=meetup_round, user=None, pending_notices=3)
        if offer.action == RoundAction.PUBLISH
    ]
    run = meetup_round.runs.get()
    assert publish.confirm == (
        f"Publish run #{run.pk} as the plan of {meetup_round.name}? "
        "This e-mails 3 attendees their table."
    )


def test_someone_who_does_not_organize_the_round_is_offered_nothing():
    meetup_round = a_round_in(S.DRAFT)
    stranger = OrganizerFactory(conferences=[MeetupRoundFactory().conference])
    assert offers(meetup_round, stranger) == []
    organizer = OrganizerFactory(conferences=[meetup_round.conference])
    assert offers(meetup_round, organizer) == [
        (RoundAction.OPEN, S.OPEN),
        (RoundAction.CANCEL, S.CANCELLED),
    ]


# Each door goes through the lifecycle: the move is logged by it, with the acting user --------


def moves_logged(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "matching.services.lifecycle"
    ]


@pytest.fixture
def organizer_round():
    meetup_round = a_round_in(S.DRAFT)
    organizer = OrganizerFactory(conferences=[meetup_round.conference])
    return organizer, meetup_round


def test_the_plan_page_buttons_go_through_the_lifecycle(client, organizer_round, caplog):
    organizer, meetup_round = organizer_round
    client.force_login(organizer)
    caplog.set_level(logging.INFO, logger="matching.services.lifecycle")

    page = client.get(reverse("organize:round_plan", args=[meetup_round.pk])).content.decode()
    for name in ("round_open", "round_cancel"):
        assert reverse(f"organize:{name}", args=[meetup_round.pk]) in page
    client.post(reverse("organize:round_open", args=[meetup_round.pk]))
    client.post(reverse("organize:round_draft", args=[meetup_round.pk]))
    client.post(reverse("organize:round_cancel", args=[meetup_round.pk]))
    client.post(reverse("organize:round_draft", args=[meetup_round.pk]))

    assert moves_logged(caplog) == [
        f"round {meetup_round.pk}: open (draft → open) by user {organizer.pk}",
        f"round {meetup_round.pk}: draft (open → draft) by user {organizer.pk}",
        f"round {meetup_round.pk}: cancel (draft → cancelled) by user {organizer.pk}",
        f"round {meetup_round.pk}: restore (cancelled → draft) by user {organizer.pk}",
    ]


def test_the_admin_actions_go_through_the_lifecycle(client, organizer_round, caplog):
    organizer, meetup_round = organizer_round
    client.force_login(organizer)
    caplog.set_level(logging.INFO, logger="matching.services.lifecycle")
    changelist = reverse("admin:conferences_meetupround_changelist")

    for action in ("open_rounds", "draft_rounds", "cancel_rounds", "draft_rounds"):
        client.post(
            changelist, {"action": action, "_selected_action": [meetup_round.pk], "post": "yes"}
        )

    assert moves_logged(caplog) == [
        f"round {meetup_round.pk}: open (draft → open) by user {organizer.pk}",
        f"round {meetup_round.pk}: draft (open → draft) by user {organizer.pk}",
        f"round {meetup_round.pk}: cancel (draft → cancelled) by user {organizer.pk}",
        f"round {meetup_round.pk}: restore (cancelled → draft) by user {organizer.pk}",
    ]


def test_the_admin_form_cannot_write_the_status(client, organizer_round):
    organizer, meetup_round = organizer_round
    client.force_login(organizer)
    url = reverse("admin:conferences_meetupround_change", args=[meetup_round.pk])
    local = timezone.localtime(meetup_round.starts_at)
    ends = timezone.localtime(meetup_round.ends_at)

    response = client.post(
        url,
        {
            "conference": meetup_round.conference_id,
            "name": "Renamed",
            "starts_at_0": local.strftime("%Y-%m-%d"),
            "starts_at_1": local.strftime("%H:%M:%S"),
            "ends_at_0": ends.strftime("%Y-%m-%d"),
            "ends_at_1": ends.strftime("%H:%M:%S"),
            "location": "Terrace",
            "status": S.PUBLISHED,
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    meetup_round.refresh_from_db()
    assert (meetup_round.name, meetup_round.status) == ("Renamed", S.DRAFT)
    page = client.get(url).content.decode()
    assert 'name="status"' not in page


def test_the_api_goes_through_the_lifecycle(organizer_round, caplog):
    from tests.api.support import client_for

    organizer, meetup_round = organizer_round
    api = client_for(organizer)
    caplog.set_level(logging.INFO, logger="matching.services.lifecycle")
    rounds_url = f"/api/v1/conferences/{meetup_round.conference.slug}/rounds/{meetup_round.pk}/"

    assert api.patch(rounds_url, {"status": "open"}, format="json").status_code == 200
    assert api.patch(rounds_url, {"status": "draft"}, format="json").status_code == 200
    assert api.post(f"/api/v1/rounds/{meetup_round.pk}/cancel/").status_code == 200
    assert api.patch(rounds_url, {"status": "draft"}, format="json").status_code == 200
    assert api.post(f"/api/v1/rounds/{meetup_round.pk}/publish/").status_code == 409

    assert moves_logged(caplog) == [
        f"round {meetup_round.pk}: open (draft → open) by user {organizer.pk}",
        f"round {meetup_round.pk}: draft (open → draft) by user {organizer.pk}",
        f"round {meetup_round.pk}: cancel (draft → cancelled) by user {organizer.pk}",
        f"round {meetup_round.pk}: restore (cancelled → draft) by user {organizer.pk}",
    ]


def test_storing_a_plan_marks_an_open_round_matched_through_the_lifecycle(scenario, solve, caplog):
    caplog.set_level(logging.INFO, logger="matching.services.lifecycle")
    solve(scenario.round)
    assert moves_logged(caplog) == [
        f"round {scenario.round.pk}: match (open → matched) by user None"
    ]
    caplog.clear()
    solve(scenario.round, seed=8)  # a second plan: the matched round stays as it is
    assert moves_logged(caplog) == []


def test_the_api_lists_the_moves_a_round_allows(organizer_round):
    from tests.api.support import client_for

    organizer, meetup_round = organizer_round
    body = client_for(organizer).get(f"/api/v1/rounds/{meetup_round.pk}/").json()
    assert [(a["action"], a["to"], a["label"]) for a in body["actions"]] == [
        ("open", "open", "Open for RSVPs"),
        ("cancel", "cancelled", "Cancel the round"),
    ]
    assert body["actions"][1]["confirm"] == (
        f"Cancel {meetup_round.name}? Nobody was told a table yet, so nobody is e-mailed."
    )
    assert [(a["confirm_step"], a["emails"]) for a in body["actions"]] == [(False, 0), (True, 0)]
