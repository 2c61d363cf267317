"""My table: who sits there and why, in plain words, without anything private."""

from conferences.enums import RoundStatus
from matching.selectors.tables import Tablemate, rounds_for, seat_for, tablemates_for
from tests.attendees.helpers import seat_round
from tests.factories import BlockFactory, EncounterFactory, PersonFactory


def test_tablemates_come_with_their_public_profile_and_reasons(world):
    mates = tablemates_for(person=world.ann, round=world.round)

    assert mates == [
        Tablemate(
            person_id=world.dana.pk,
            name="Dana Kim",
            organization=world.dana.organization,
            topics=("STEM",),
            bio="",
            newcomer=False,
            former=False,
            reasons=("you met at NECC 2008 and ISTE 2011",),
        ),
        Tablemate(
            person_id=world.nia.pk,
            name="Nia Obi",
            organization=world.nia.organization,
            topics=("Open source", "STEM"),
            bio="",
            newcomer=True,
            former=False,
            reasons=("first time here — also into open source",),
        ),
        Tablemate(
            person_id=world.omar.pk,
            name="Omar Haddad",
            organization="",
            topics=(),
            bio="",
            newcomer=False,
            former=False,
            reasons=("friend of Dana, who is at your table",),
        ),
    ]


def test_the_newcomer_sees_why_the_returning_people_are_there(world):
    mates = {m.name: m.reasons for m in tablemates_for(person=world.nia, round=world.round)}

    assert mates == {
        "Ann Lee": ("friend of Dana, who is at your table", "also into open source"),
        "Dana Kim": ("friend of Ann and Omar, who are at your table", "also into STEM"),
        "Omar Haddad": ("friend of Dana, who is at your table",),
    }


def test_two_newcomers_are_told_they_are_both_new(world):
    other_new = PersonFactory(full_name="Kai Sato")
    world.run.seats.create(person=other_new, table=world.t1)
    from .helpers import register

    register(world.conference, other_new)

    reasons = {m.name: m.reasons for m in tablemates_for(person=world.nia, round=world.round)}

    assert reasons["Kai Sato"] == ("first time here, like you",)


def test_many_editions_are_summed_up(world):
    for year in (2012, 2013, 2014):
        from tests.factories import ConferenceFactory

        edition = ConferenceFactory(
            series=world.series,
            name=f"ISTE {year}",
            starts_on=world.iste.starts_on.replace(year=year),
        )
        EncounterFactory(person_a=world.ann, person_b=world.dana, conference=edition)

    dana = tablemates_for(person=world.ann, round=world.round)[0]

    assert dana.reasons == ("you met at ISTE 2012, ISTE 2013, ISTE 2014 and 2 earlier editions",)


def test_an_organizer_can_mark_a_returning_person_as_newcomer(world):
    from attendees.models import Attendance

    Attendance.objects.filter(person=world.omar, conference=world.conference).update(
        newcomer_override=True
    )

    omar = tablemates_for(person=world.ann, round=world.round)[2]

    assert omar.newcomer is True
    assert omar.reasons == ("first time here", "friend of Dana, who is at your table")


def test_private_fields_and_blocks_never_reach_the_tablemate_view(world):
    world.nia.needs_accessible_seating = True
    world.nia.opted_out = True
    world.nia.save()
    BlockFactory(blocker=world.nia, blocked=world.ann)  # made after the plan was published

    for mate in tablemates_for(person=world.ann, round=world.round):
        text = repr(mate).lower()
        assert "accessib" not in text and "block" not in text and "opted" not in text


def test_nothing_before_the_plan_is_published(world):
    world.round.status = RoundStatus.MATCHED
    world.round.save(update_fields=["status"])

    assert seat_for(person=world.ann, round=world.round) is None
    assert tablemates_for(person=world.ann, round=world.round) == []
    mine = rounds_for(person=world.ann).get(pk=world.round.pk)
    assert (mine.my_table_label, mine.my_table_id) == (None, None)


def test_someone_not_seated_has_no_table_and_no_tablemates(world):
    assert seat_for(person=world.ben, round=world.round) is None
    assert tablemates_for(person=world.ben, round=world.round) == []


def test_a_former_attendee_shows_without_anything_about_them(world):
    from attendees.services import account_delete

    world.hold()
    account_delete(person=world.omar)

    omar = tablemates_for(person=world.ann, round=world.round)[-1]

    assert omar == Tablemate(omar.person_id, "A former attendee", "", (), "", False, True, ())


def test_encounters_of_this_very_round_are_not_a_reason(world):
    world.hold()

    nia = tablemates_for(person=world.ann, round=world.round)[1]

    assert nia.reasons == ("first time here — also into open source",)


def test_rounds_for_shows_my_table_and_rsvp_and_hides_drafts(world):
    from tests.factories import MeetupRoundFactory

    MeetupRoundFactory(conference=world.conference, status=RoundStatus.DRAFT, name="Secret")
    later = MeetupRoundFactory(conference=world.conference, name="Second evening")
    seat_round(later, {world.t2: [PersonFactory()]}, status=RoundStatus.PUBLISHED)

    rounds = [
        (r.name, r.my_rsvp, r.my_table_label, r.my_table_location, r.rsvp_open)
        for r in rounds_for(person=world.ann)
    ]

    assert rounds == [
        ("Opening night drinks", "going", "T1", "Bar 1", False),
        ("Second evening", None, None, None, False),
    ]
