"""The demo: a conference series with five past editions and a history of encounters.

The people of past editions are the 403 participants of the SFHH contact data set
(``data/SFHH_tij.dat.gz``): every pair that was in contact for at least a minute becomes an
encounter at an edition both attended. The current edition adds first-timers with no history,
tables, two evening rounds with RSVPs, an organizer and a few attendees to sign in as.

Everything is generated from a fixed seed and written with natural keys, so loading the demo
again changes nothing.
"""

import gzip
import random
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from attendees.enums import AttendanceRole, EncounterKind, RSVPStatus
from attendees.models import Attendance, Block, Encounter, Person, RoundRSVP, SitTogether
from conferences.enums import RoundStatus
from conferences.models import Conference, DrinkTable, MeetupRound, Series, Topic
from config import caches

SFHH_PATH = Path(settings.BASE_DIR) / "data" / "SFHH_tij.dat.gz"
SEED = 2009
CONTACT_INTERVAL_S = 20
MIN_CONTACT_S = 60
DEMO_PASSWORD = "drinktables-demo"

TOPICS = [
    "Equity and access",
    "1:1 computing",
    "Open source",
    "Social media",
    "Online learning",
    "Curriculum standards",
    "Assessment",
    "Digital citizenship",
    "STEM",
    "Game-based learning",
    "Professional development",
    "Universal design for learning",
    "Student data privacy",
    "Coding in the classroom",
    "AI in education",
    "Makerspaces",
]

# (name prefix, city, IANA time zone), oldest first; the last one is the current edition.
EDITIONS = [
    ("NECC", "San Antonio", "America/Chicago"),
    ("NECC", "Washington", "America/New_York"),
    ("ISTE", "Denver", "America/Denver"),
    ("ISTE", "Philadelphia", "America/New_York"),
    ("ISTE", "San Diego", "America/Los_Angeles"),
    ("ISTE Live", "Chicago", "America/Chicago"),
]

FIRST_NAMES = [
    "Ada",
    "Aisha",
    "Alejandro",
    "Amara",
    "Ana",
    "Andrei",
    "Anika",
    "Arjun",
    "Astrid",
    "Ayla",
    "Beatriz",
    "Ben",
    "Bilal",
    "Bruno",
    "Camila",
    "Carlos",
    "Chen",
    "Chiara",
    "Chloe",
    "Dana",
    "Daniel",
    "Dario",
    "Dmitri",
    "Elena",
    "Elif",
    "Emeka",
    "Emma",
    "Erik",
    "Esther",
    "Fatima",
    "Felix",
    "Fiona",
    "Gabriel",
    "Grace",
    "Hana",
    "Hannah",
    "Hassan",
    "Ines",
    "Ingrid",
    "Isaac",
    "Ivan",
    "Jamal",
    "Jana",
    "Javier",
    "Jin",
    "Joao",
    "Jonas",
    "Julia",
    "Kai",
    "Kamala",
    "Karin",
    "Kenji",
    "Kofi",
    "Lars",
    "Laura",
    "Layla",
    "Leila",
    "Leo",
    "Lina",
    "Lucas",
    "Luis",
    "Maya",
    "Mei",
    "Miguel",
    "Mila",
    "Mira",
    "Nadia",
    "Naomi",
    "Nia",
    "Nikolai",
    "Noah",
    "Nora",
    "Olga",
    "Omar",
    "Oscar",
    "Pablo",
    "Paula",
    "Pedro",
    "Priya",
    "Rafael",
    "Rania",
    "Ravi",
    "Rosa",
    "Ruth",
    "Sam",
    "Sara",
    "Sean",
    "Sofia",
    "Sven",
    "Tariq",
    "Teresa",
    "Tomas",
    "Uma",
    "Valentina",
    "Vera",
    "Victor",
    "Wei",
    "Yara",
    "Yusuf",
    "Zara",
    "Zoe",
]
LAST_NAMES = [
    "Abbott",
    "Adeyemi",
    "Alvarez",
    "Andersen",
    "Bauer",
    "Becker",
    "Bianchi",
    "Brennan",
    "Castillo",
    "Chandra",
    "Cohen",
    "Costa",
    "Dalton",
    "Diaz",
    "Dubois",
    "Eriksen",
    "Farouk",
    "Fischer",
    "Fontaine",
    "Garcia",
    "Greco",
    "Gupta",
    "Haddad",
    "Hansen",
    "Hartmann",
    "Hayes",
    "Ibrahim",
    "Ito",
    "Jensen",
    "Kahn",
    "Kaplan",
    "Kato",
    "Keller",
    "Kim",
    "Kowalski",
    "Kumar",
    "Lambert",
    "Larsen",
    "Lee",
    "Lindqvist",
    "Lopez",
    "Marsh",
    "Martins",
    "Mendes",
    "Meyer",
    "Moreau",
    "Mueller",
    "Murphy",
    "Nakamura",
    "Navarro",
    "Nguyen",
    "Novak",
    "Obi",
    "Okafor",
    "Olsen",
    "Ortiz",
    "Osei",
    "Park",
    "Patel",
    "Pereira",
    "Petrov",
    "Quinn",
    "Ramos",
    "Reyes",
    "Rossi",
    "Sato",
    "Schmidt",
    "Silva",
    "Singh",
    "Sokolov",
    "Suzuki",
    "Tanaka",
    "Torres",
    "Valdez",
    "Vasquez",
    "Wagner",
    "Walsh",
    "Weber",
    "Wong",
    "Yamamoto",
    "Yilmaz",
    "Young",
    "Zhang",
    "Zimmerman",
]
ORGANIZATIONS = [
    "Riverside Unified School District",
    "Lakeview Public Schools",
    "Northgate Community College",
    "Summit Learning Cooperative",
    "Harbor City Schools",
    "Pinecrest Academy",
    "Westfield State University",
    "Open Classroom Foundation",
    "Maple Valley School District",
    "Eastbrook Teachers College",
    "Brightpath Online School",
    "Cedar Ridge High School",
    "Metro Library Network",
    "Granite County Schools",
    "Coastal Education Service Center",
    "Prairie View Elementary",
    "Digital Learning Alliance",
    "Hillcrest Middle School",
    "State Department of Education",
    "Oakmont Charter Network",
]


@dataclass
class DemoSummary:
    conference: Conference
    people: int
    encounters: int
    organizer_username: str
    attendee_emails: list[str]
    superuser_username: str


def sfhh_contact_seconds(path: Path = SFHH_PATH) -> dict[tuple[int, int], int]:
    """Seconds of face-to-face contact per unordered pair of SFHH participants."""
    seconds: dict[tuple[int, int], int] = defaultdict(int)
    with gzip.open(path, "rt", encoding="ascii") as lines:
        for line in lines:
            _, first, second = line.split()
            a, b = int(first), int(second)
            seconds[(a, b) if a < b else (b, a)] += CONTACT_INTERVAL_S
    return dict(seconds)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


class _Names:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def next(self) -> tuple[str, str]:
        while True:
            name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
            if name not in self.used:
                self.used.add(name)
                local = _ascii(name).lower().replace(" ", ".")
                return name, f"{local}@example.org"


def _edition_dates(today: date, years_ago: int) -> tuple[date, date]:
    if years_ago == 0:
        return today, today + timedelta(days=2)
    start = date(today.year - years_ago, 6, 27)
    return start, start + timedelta(days=3)


@transaction.atomic
def demo_load(*, today: date | None = None, contacts_path: Path = SFHH_PATH) -> DemoSummary:
    """Create (or find again) the demo series and return what a newcomer needs to sign in."""
    today = today or timezone.localdate()
    rng = random.Random(SEED)
    contacts = sfhh_contact_seconds(contacts_path)

    topics = [
        Topic.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
        for name in TOPICS
    ]
    series, _ = Series.objects.get_or_create(
        slug="iste-necc",
        defaults={
            "name": "ISTE Live / NECC",
            "description": "The yearly ed-tech conference for teachers and school leaders.",
        },
    )
    editions: list[Conference] = []
    for index, (prefix, city, tz) in enumerate(EDITIONS):
        years_ago = len(EDITIONS) - 1 - index
        starts_on, ends_on = _edition_dates(today, years_ago)
        name = f"{prefix} {starts_on.year}"
        conference, _ = Conference.objects.get_or_create(
            slug=slugify(name),
            defaults={
                "series": series,
                "name": name,
                "city": city,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "time_zone": tz,
            },
        )
        editions.append(conference)
    past, current = editions[:-1], editions[-1]

    # People: every SFHH participant is a returning attendee with a first edition; first-timers
    # at the current edition have no history at all.
    names = _Names(rng)
    sfhh_ids = sorted({person for pair in contacts for person in pair})
    specs: list[dict] = []
    for sfhh_id in sfhh_ids:
        first = rng.choices(range(len(past)), weights=[5, 3, 3, 2, 2])[0]
        attended = [first] + [e for e in range(first + 1, len(past)) if rng.random() < 0.75]
        if rng.random() < 0.75:
            attended.append(len(past))
        specs.append({"key": f"sfhh-{sfhh_id}", "sfhh": sfhh_id, "editions": attended})
    for number in range(110):
        specs.append({"key": f"new-{number}", "sfhh": None, "editions": [len(past)]})
    for spec in specs:
        spec["name"], spec["email"] = names.next()
        spec["organization"] = rng.choice(ORGANIZATIONS)
        spec["topics"] = rng.sample(topics, rng.choice([1, 2, 2, 3]))
        spec["accessible"] = rng.random() < 0.03
        spec["opted_out"] = rng.random() < 0.02

    existing = {p.email: p for p in Person.objects.filter(email__in=[s["email"] for s in specs])}
    Person.objects.bulk_create(
        [
            Person(
                full_name=spec["name"],
                email=spec["email"],
                organization=spec["organization"],
                needs_accessible_seating=spec["accessible"],
                opted_out=spec["opted_out"],
            )
            for spec in specs
            if spec["email"] not in existing
        ],
        ignore_conflicts=True,
    )
    people = {p.email: p for p in Person.objects.filter(email__in=[s["email"] for s in specs])}
    for spec in specs:
        spec["person"] = people[spec["email"]]

    Person.topics.through.objects.bulk_create(
        [
            Person.topics.through(person_id=spec["person"].pk, topic_id=topic.pk)
            for spec in specs
            for topic in spec["topics"]
        ],
        ignore_conflicts=True,
    )
    Attendance.objects.bulk_create(
        [
            Attendance(
                person=spec["person"],
                conference=editions[index],
                role=AttendanceRole.SPEAKER if rng.random() < 0.08 else AttendanceRole.ATTENDEE,
            )
            for spec in specs
            for index in spec["editions"]
        ],
        ignore_conflicts=True,
    )

    # Encounters: each pair with a minute of contact met at an edition both attended; long
    # conversations (ten minutes or more) met again at a second one.
    by_sfhh = {spec["sfhh"]: spec for spec in specs if spec["sfhh"] is not None}
    encounters: list[Encounter] = []
    for (first, second), seconds in sorted(contacts.items()):
        if seconds < MIN_CONTACT_S:
            continue
        a, b = by_sfhh[first], by_sfhh[second]
        common = sorted(set(a["editions"]) & set(b["editions"]) - {len(past)})
        if not common:
            continue
        meetings = rng.sample(common, 2 if seconds >= 600 and len(common) > 1 else 1)
        low, high = Encounter.ordered(a["person"].pk, b["person"].pk)
        for index in meetings:
            encounters.append(
                Encounter(
                    person_a_id=low,
                    person_b_id=high,
                    kind=EncounterKind.IMPORTED,
                    conference=past[index],
                    occurred_on=past[index].starts_on + timedelta(days=rng.randint(0, 2)),
                )
            )
    Encounter.objects.bulk_create(encounters, ignore_conflicts=True, batch_size=2000)

    # Tables and the evening rounds of the current edition.
    tables = []
    for number in range(1, 49):
        table, _ = DrinkTable.objects.get_or_create(
            conference=current,
            label=f"T{number:02d}",
            defaults={
                "location": f"Terrace bar {1 + (number - 1) // 12}",
                "capacity": 8,
                "accessible": number % 5 == 0,
            },
        )
        tables.append(table)
    attendees_now = [spec for spec in specs if len(past) in spec["editions"]]
    hosts = [
        spec["person"]
        for spec in attendees_now
        if spec["sfhh"] is not None and not spec["accessible"] and not spec["opted_out"]
    ][:2]
    for table, host in zip(tables, hosts, strict=False):
        if table.host_id is None:
            table.host = host
            table.save(update_fields=["host"])

    rounds = []
    for day, name in [(1, "Opening night drinks"), (2, "Second evening drinks")]:
        meetup_round, created = _evening_round(
            conference=current,
            name=name,
            day=today + timedelta(days=day),
            location="Riverside terrace",
        )
        if created:
            meetup_round.tables.set(tables)
        rounds.append(meetup_round)
    rsvps = []
    for spec in attendees_now:
        for meetup_round, going_share in zip(rounds, (0.88, 0.7), strict=True):
            draw = rng.random()
            if draw < going_share:
                status = RSVPStatus.GOING
            elif draw < going_share + 0.06:
                status = RSVPStatus.NOT_GOING
            else:
                continue
            rsvps.append(RoundRSVP(person=spec["person"], round=meetup_round, status=status))
    RoundRSVP.objects.bulk_create(rsvps, ignore_conflicts=True)

    # A few private wishes: mutual sit-together pairs and blocks.
    pairs = [(attendees_now[i], attendees_now[i + 1]) for i in range(10, 40, 6)]
    SitTogether.objects.bulk_create(
        [
            SitTogether(conference=current, requester=x["person"], requested=y["person"])
            for first, second in pairs
            for x, y in ((first, second), (second, first))
        ],
        ignore_conflicts=True,
    )
    Block.objects.bulk_create(
        [
            Block(blocker=attendees_now[i]["person"], blocked=attendees_now[i + 3]["person"])
            for i in range(50, 80, 10)
        ],
        ignore_conflicts=True,
    )

    # Who to sign in as.
    User = get_user_model()
    organizer, created = User.objects.get_or_create(
        username="organizer",
        defaults={"email": "organizer@example.org", "is_staff": True, "first_name": "Olivia"},
    )
    if created:
        organizer.set_password(DEMO_PASSWORD)
        organizer.save(update_fields=["password"])
    for conference in editions:
        conference.organizers.add(organizer)
    superuser, created = User.objects.get_or_create(
        username="admin",
        defaults={"email": "admin@example.org", "is_staff": True, "is_superuser": True},
    )
    if created:
        superuser.set_password(DEMO_PASSWORD)
        superuser.save(update_fields=["password"])

    veteran = max(
        (s for s in attendees_now if s["sfhh"] is not None and not s["opted_out"]),
        key=lambda s: (len(s["editions"]), -s["person"].pk),
    )
    newcomer = next(s for s in attendees_now if s["sfhh"] is None and not s["opted_out"])
    last_year_newcomer = next(
        s
        for s in attendees_now
        if s["sfhh"] is not None and s["editions"][0] == len(past) - 1 and not s["opted_out"]
    )
    caches.invalidate(caches.TABLES)  # bulk writes send no signal
    return DemoSummary(
        conference=current,
        people=len(specs),
        encounters=Encounter.objects.filter(conference__series=series).count(),
        organizer_username=organizer.username,
        superuser_username=superuser.username,
        attendee_emails=[
            veteran["person"].email,
            last_year_newcomer["person"].email,
            newcomer["person"].email,
        ],
    )


# Past editions get one evening round each, seated by the matcher, so the demo starts with a
# Drink Tables history of its own (see matching.services.demo_match).
PAST_ROUND_NAME = "Evening drinks"
PAST_ROUND_GOING_SHARE = 0.8


def _evening_round(
    *, conference: Conference, name: str, day: date, location: str
) -> tuple[MeetupRound, bool]:
    """The demo's open evening round ``name`` (18:30 to 20:30 local time), created once."""
    starts_at = datetime.combine(day, time(18, 30), tzinfo=ZoneInfo(conference.time_zone))
    return MeetupRound.objects.get_or_create(
        conference=conference,
        name=name,
        defaults={
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=2),
            "location": location,
            "status": RoundStatus.OPEN,
        },
    )


def demo_past_round(*, conference: Conference) -> MeetupRound:
    """The evening round of a past edition, with tables and RSVPs (created once)."""
    rng = random.Random(f"{SEED}-{conference.slug}")
    attendees = list(
        Attendance.objects.filter(conference=conference)
        .order_by("person_id")
        .values_list("person_id", flat=True)
    )
    going = [person_id for person_id in attendees if rng.random() < PAST_ROUND_GOING_SHARE]
    table_count = max(4, -(-len(going) // 7) + 2)  # about 7 a table, with two spare
    for number in range(1, table_count + 1):
        DrinkTable.objects.get_or_create(
            conference=conference,
            label=f"T{number:02d}",
            defaults={
                "location": f"Hotel bar {1 + (number - 1) // 10}",
                "capacity": 8,
                "accessible": number % 5 == 0,
            },
        )
    meetup_round, created = _evening_round(
        conference=conference,
        name=PAST_ROUND_NAME,
        day=conference.starts_on + timedelta(days=1),
        location="Hotel bar",
    )
    if created:
        RoundRSVP.objects.bulk_create(
            [
                RoundRSVP(person_id=person_id, round=meetup_round, status=RSVPStatus.GOING)
                for person_id in going
            ],
            ignore_conflicts=True,
        )
    return meetup_round


def demo_met_pairs(
    *, pairs: list[tuple[int, int]], conference: Conference
) -> list[tuple[int, int]]:
    """The share of tablemates who later confirm "we met" (about a third), fixed by the seed."""
    rng = random.Random(f"{SEED}-met-{conference.slug}")
    return [pair for pair in sorted(pairs) if rng.random() < 0.35]
