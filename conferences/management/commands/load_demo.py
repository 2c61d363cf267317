from django.core.management.base import BaseCommand

from conferences.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load the demo conference series (safe to run again: nothing is duplicated)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--match",
            action="store_true",
            help="Also seat the first evening round, so the dashboard shows tables at once.",
        )

    def handle(self, *args, match: bool, **options):
        summary = demo_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: {summary.conference.series.name}, {summary.people} people, "
                f"{summary.encounters} past encounters."
            )
        )
        if match:
            from matching.services import demo_match

            demo_match(conference=summary.conference, stdout=self.stdout)
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "Drink Tables is at http://127.0.0.1:8000/",
                    f"  Organizer: http://127.0.0.1:8000/admin/  user {summary.organizer_username!r}"
                    f"  password {DEMO_PASSWORD!r}",
                    f"  Superuser: user {summary.superuser_username!r}  password {DEMO_PASSWORD!r}",
                    "  Attendees sign in at http://127.0.0.1:8000/login/ with one of these e-mails;"
                    " the sign-in link is printed in this console:",
                    *[f"    {email}" for email in summary.attendee_emails],
                    "",
                ]
            )
        )
