"""The organizer pages and admin imports over HTTP: scoping, the import flow, the index links."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from attendees.imports import import_batch_create
from attendees.models import Attendance
from conferences.enums import ImportKind, ImportStatus, RoundStatus
from conferences.models import ImportBatch
from tests.factories import (
    AttendanceFactory,
    ConferenceFactory,
    DrinkTableFactory,
    MatchingRunFactory,
    MeetupRoundFactory,
    OrganizerFactory,
    PersonFactory,
    SeatFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

GOOD_FILE = (
    b"email,full_name,topics\nann@example.org,Ann Lee,open-source\nbo@example.org,Bo Chen,\n"
)


@pytest.fixture
def mine_and_theirs():
    mine = ConferenceFactory(name="Mine 2026", slug="mine-2026")
    theirs = ConferenceFactory(name="Theirs 2026", slug="theirs-2026")
    organizer = OrganizerFactory(conferences=[mine])
    other = OrganizerFactory(conferences=[theirs])
    rounds = {}
    for conference in (mine, theirs):
        meetup = MeetupRoundFactory(conference=conference, status=RoundStatus.MATCHED)
        run = MatchingRunFactory(round=meetup)
        person = PersonFactory()
        AttendanceFactory(person=person, conference=conference)
        SeatFactory(run=run, person=person, table=DrinkTableFactory(conference=conference))
        rounds[conference.slug] = meetup
    TopicFactory(name="Open source", slug="open-source")
    return {
        "organizer": organizer,
        "other": other,
        "mine": mine,
        "theirs": theirs,
        "rounds": rounds,
    }


def urls_for(conference, meetup, batch) -> list[str]:
    return [
        reverse("organize:import_registrations", args=[conference.slug]),
        reverse("organize:import_encounters", args=[conference.slug]),
        reverse("organize:import_preview", args=[conference.slug, batch.pk]),
        reverse("organize:insights", args=[conference.slug]),
        reverse("organize:plan_csv", args=[meetup.pk]),
        reverse("organize:table_cards", args=[meetup.pk]),
        reverse("organize:check_in", args=[meetup.pk]),
        reverse("organize:check_in_csv", args=[meetup.pk]),
    ]


def test_another_organizers_conference_answers_404_everywhere(client, mine_and_theirs):
    theirs = mine_and_theirs["theirs"]
    batch = import_batch_create(
        conference_id=theirs.pk,
        kind=ImportKind.REGISTRATIONS,
        filename="theirs.csv",
        content=GOOD_FILE,
        by=mine_and_theirs["other"],
    )
    client.force_login(mine_and_theirs["organizer"])

    for url in urls_for(theirs, mine_and_theirs["rounds"]["theirs-2026"], batch):
        assert client.get(url).status_code == 404, url
    confirm = reverse("organize:import_confirm", args=[theirs.slug, batch.pk])
    assert client.post(confirm, {"created": 2, "updated": 0, "unchanged": 0}).status_code == 404
    # Nor can a batch be reached through the organizer's own conference.
    mine_url = reverse("organize:import_preview", args=["mine-2026", batch.pk])
    assert client.get(mine_url).status_code == 404
    assert Attendance.objects.filter(conference=theirs).count() == 1


def test_own_pages_answer_and_strangers_are_kept_out(client, mine_and_theirs):
    mine = mine_and_theirs["mine"]
    batch = import_batch_create(
        conference_id=mine.pk,
        kind=ImportKind.REGISTRATIONS,
        filename="mine.csv",
        content=GOOD_FILE,
        by=mine_and_theirs["organizer"],
    )
    urls = urls_for(mine, mine_and_theirs["rounds"]["mine-2026"], batch)

    for url in urls:
        response = client.get(url)
        assert (response.status_code, response["Location"].split("?")[0]) == (302, "/login/"), url
    client.force_login(UserFactory())
    for url in urls:
        assert client.get(url).status_code == 403, url
    client.force_login(mine_and_theirs["organizer"])
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_the_import_flow_upload_preview_confirm_and_again(client, mine_and_theirs):
    client.force_login(mine_and_theirs["organizer"])
    upload = reverse("organize:import_registrations", args=["mine-2026"])

    response = client.post(upload, {"file": SimpleUploadedFile("regs.csv", GOOD_FILE)})
    batch = ImportBatch.objects.get(filename="regs.csv")
    preview_url = reverse("organize:import_preview", args=["mine-2026", batch.pk])
    assert response["Location"] == preview_url

    preview = client.get(preview_url)
    html = preview.content.decode()
    assert "To create" in html and "ann@example.org" in html
    assert re.search(r'name="created" value="2"', html)
    assert Attendance.objects.filter(conference=mine_and_theirs["mine"]).count() == 1

    confirm = reverse("organize:import_confirm", args=["mine-2026", batch.pk])
    done = client.post(confirm, {"created": 2, "updated": 0, "unchanged": 0}, follow=True)
    assert "Imported: 2 created, 0 updated, 0 unchanged." in done.content.decode()
    assert Attendance.objects.filter(conference=mine_and_theirs["mine"]).count() == 3

    client.post(upload, {"file": SimpleUploadedFile("again.csv", GOOD_FILE)})
    again = ImportBatch.objects.get(filename="again.csv")
    response = client.post(
        reverse("organize:import_confirm", args=["mine-2026", again.pk]),
        {"created": 0, "updated": 0, "unchanged": 2},
        follow=True,
    )
    assert "Imported: 0 created, 0 updated, 2 unchanged." in response.content.decode()
    assert Attendance.objects.filter(conference=mine_and_theirs["mine"]).count() == 3


def test_a_bad_file_shows_its_lines_and_cannot_be_confirmed(client, mine_and_theirs):
    client.force_login(mine_and_theirs["organizer"])
    content = b"email;full_name\nann@example.org;Ann\nnot-an-email;Bo\n"
    client.post(
        reverse("organize:import_registrations", args=["mine-2026"]),
        {"file": SimpleUploadedFile("bad.csv", content)},
    )
    batch = ImportBatch.objects.get(filename="bad.csv")

    html = client.get(
        reverse("organize:import_preview", args=["mine-2026", batch.pk])
    ).content.decode()
    assert "Fix these lines" in html
    assert re.search(r'<th scope="row">3</th><td><code>email</code></td>', html)
    assert "import_confirm" not in html and "/confirm/" not in html

    response = client.post(
        reverse("organize:import_confirm", args=["mine-2026", batch.pk]),
        {"created": 1, "updated": 0, "unchanged": 0},
    )
    assert response.status_code == 400
    assert Attendance.objects.filter(conference=mine_and_theirs["mine"]).count() == 1


def test_a_stale_preview_is_not_confirmed(client, mine_and_theirs):
    client.force_login(mine_and_theirs["organizer"])
    batch = import_batch_create(
        conference_id=mine_and_theirs["mine"].pk,
        kind=ImportKind.REGISTRATIONS,
        filename="r.csv",
        content=GOOD_FILE,
        by=mine_and_theirs["organizer"],
    )

    response = client.post(
        reverse("organize:import_confirm", args=["mine-2026", batch.pk]),
        {"created": 0, "updated": 0, "unchanged": 2},
        follow=True,
    )

    assert "The data changed since the preview" in response.content.decode()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.PREVIEWED


def test_templates_download_with_the_documented_header(client, mine_and_theirs):
    client.force_login(mine_and_theirs["organizer"])

    registrations = client.get(reverse("organize:registrations_template"))
    encounters = client.get(reverse("organize:encounters_template"))

    assert registrations.content.decode().splitlines() == [
        "email,full_name,organization,role,topics,newcomer",
        "ann.lee@example.org,Ann Lee,Lincoln High School,speaker,open-source,",
    ]
    assert encounters.content.decode().splitlines()[0] == "email_a,email_b,conference"
    assert registrations["Content-Disposition"] == (
        'attachment; filename="drinktables-registrations.csv"'
    )


def test_the_index_links_each_conference_to_its_tools(client, mine_and_theirs):
    client.force_login(mine_and_theirs["organizer"])
    open_round = MeetupRoundFactory(conference=mine_and_theirs["mine"], status=RoundStatus.OPEN)

    html = client.get(reverse("organize:index")).content.decode()

    matched = mine_and_theirs["rounds"]["mine-2026"]
    for url in (
        reverse("organize:import_registrations", args=["mine-2026"]),
        reverse("organize:import_encounters", args=["mine-2026"]),
        reverse("organize:insights", args=["mine-2026"]),
        reverse("organize:table_cards", args=[matched.pk]),
        reverse("organize:check_in", args=[matched.pk]),
        reverse("organize:plan_csv", args=[matched.pk]),
    ):
        assert f'href="{url}"' in html
    assert reverse("organize:table_cards", args=[open_round.pk]) not in html
    assert "theirs-2026" not in html


def test_the_index_reads_a_fixed_number_of_queries(client, mine_and_theirs):
    organizer = mine_and_theirs["organizer"]
    client.force_login(organizer)
    client.get(reverse("organize:index"))
    from django.db import connection

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("organize:index"))
    for _ in range(3):
        conference = ConferenceFactory()
        conference.organizers.add(organizer)
        MeetupRoundFactory(conference=conference, status=RoundStatus.MATCHED)
        MeetupRoundFactory(conference=conference, status=RoundStatus.OPEN)
    client.get(reverse("organize:index"))  # warm again, as before "one": the changes above
    # invalidated the cached "is an organizer" of the page header
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("organize:index"))

    assert len(many) == len(one)


@pytest.mark.parametrize(
    "name",
    ["index", "import_registrations", "import_preview", "insights", "table_cards", "check_in"],
)
def test_pages_hold_the_content_security_policy(client, mine_and_theirs, name):
    mine = mine_and_theirs["mine"]
    batch = import_batch_create(
        conference_id=mine.pk,
        kind=ImportKind.REGISTRATIONS,
        filename="r.csv",
        content=b"email,full_name\nbad,Ann\n",
        by=mine_and_theirs["organizer"],
    )
    args = {
        "index": [],
        "import_registrations": [mine.slug],
        "import_preview": [mine.slug, batch.pk],
        "insights": [mine.slug],
        "table_cards": [mine_and_theirs["rounds"]["mine-2026"].pk],
        "check_in": [mine_and_theirs["rounds"]["mine-2026"].pk],
    }[name]
    client.force_login(mine_and_theirs["organizer"])

    html = client.get(reverse(f"organize:{name}", args=args)).content.decode()

    assert " style=" not in html and "<style" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert re.search(r"\son[a-z]+=", html) is None


# The admin -------------------------------------------------------------------------------------


def test_the_admin_imports_registrations_into_a_conference_of_the_organizer(
    client, mine_and_theirs
):
    client.force_login(mine_and_theirs["organizer"])
    changelist = client.get(reverse("admin:attendees_attendance_changelist"))
    assert reverse("admin:attendees_attendance_import") in changelist.content.decode()

    refused = client.post(
        reverse("admin:attendees_attendance_import"),
        {
            "conference": mine_and_theirs["theirs"].pk,
            "file": SimpleUploadedFile("r.csv", GOOD_FILE),
        },
    )
    assert refused.status_code == 200
    assert "conference" in refused.context["form"].errors

    response = client.post(
        reverse("admin:attendees_attendance_import"),
        {"conference": mine_and_theirs["mine"].pk, "file": SimpleUploadedFile("r.csv", GOOD_FILE)},
    )
    batch = ImportBatch.objects.get()
    preview_url = reverse("admin:attendees_attendance_import_preview", args=[batch.pk])
    assert response["Location"] == preview_url
    preview = client.get(preview_url)
    assert preview.context["preview"].counts() == {"created": 2, "updated": 0, "unchanged": 0}

    done = client.post(preview_url, {"created": 2, "updated": 0, "unchanged": 0})
    assert done["Location"] == (
        reverse("admin:attendees_attendance_changelist")
        + f"?conference__id__exact={mine_and_theirs['mine'].pk}"
    )
    assert Attendance.objects.filter(conference=mine_and_theirs["mine"]).count() == 3


def test_the_admin_imports_history_and_hides_other_organizers_batches(client, mine_and_theirs):
    mine, theirs = mine_and_theirs["mine"], mine_and_theirs["theirs"]
    for email in ("ann@example.org", "bo@example.org"):
        AttendanceFactory(person=PersonFactory(email=email), conference=mine)
    theirs_batch = import_batch_create(
        conference_id=theirs.pk,
        kind=ImportKind.ENCOUNTERS,
        filename="theirs.csv",
        content=b"email_a,email_b,conference\n",
        by=mine_and_theirs["other"],
    )
    client.force_login(mine_and_theirs["organizer"])

    assert (
        client.get(
            reverse("admin:attendees_encounter_import_preview", args=[theirs_batch.pk])
        ).status_code
        == 404
    )
    client.post(
        reverse("admin:attendees_encounter_import"),
        {
            "conference": mine.pk,
            "file": SimpleUploadedFile(
                "h.csv", b"email_a,email_b,conference\nann@example.org,bo@example.org,mine-2026\n"
            ),
        },
    )
    batch = ImportBatch.objects.get(filename="h.csv")
    url = reverse("admin:attendees_encounter_import_preview", args=[batch.pk])
    assert client.post(url, {"created": 1, "updated": 0, "unchanged": 0}).status_code == 302
    assert mine.encounters.filter(kind="imported").count() == 1
    # The log of imports in the admin shows the organizer's own batches only.
    log = client.get(reverse("admin:conferences_importbatch_changelist"))
    assert [b.pk for b in log.context["cl"].result_list] == [batch.pk]


def test_import_pages_read_a_fixed_number_of_queries(client, mine_and_theirs):
    from django.db import connection

    organizer, mine = mine_and_theirs["organizer"], mine_and_theirs["mine"]
    client.force_login(organizer)

    def batch_of(rows: int):
        lines = ["email,full_name,topics"] + [
            f"p{i}@example.org,Person {i},open-source" for i in range(rows)
        ]
        content = ("\n".join(lines) + "\nbad,Broken,\n").encode()
        return import_batch_create(
            conference_id=mine.pk,
            kind=ImportKind.REGISTRATIONS,
            filename=f"{rows}.csv",
            content=content,
            by=organizer,
        )

    def queries(url: str) -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    one, many = batch_of(1), batch_of(300)
    assert queries(reverse("organize:import_preview", args=[mine.slug, one.pk])) == queries(
        reverse("organize:import_preview", args=[mine.slug, many.pk])
    )
    upload = reverse("organize:import_registrations", args=[mine.slug])
    with_two = queries(upload)
    for rows in range(2, 8):
        batch_of(rows)
    assert queries(upload) == with_two
