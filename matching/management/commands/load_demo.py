from django.conf import settings
from django.core.management.base import BaseCommand

from matching.demo.data import DEMO_PASSWORD, demo_load


def _figures(metrics: dict) -> str:
    if not metrics:
        return "no metrics"
    return (
        f"welcome {metrics.get('welcome_rate', 1.0):.0%}, anchor {metrics.get('anchor_rate', 1.0):.0%}, "
        f"{metrics.get('repeat_pairs', 0)} repeats, {metrics.get('unseated', 0)} unseated"
    )


class Command(BaseCommand):
    help = "Load the demo conference series (safe to run again: nothing is duplicated)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--match",
            action="store_true",
            help=(
                "Also seat the demo with the matcher: a held round at each of the two latest "
                "past editions, and the first evening round of the current one (published, "
                "so the dashboard shows tables at once)."
            ),
        )
        parser.add_argument(
            "--site-url",
            default=settings.SITE_URL,
            help="Where the app will be served, for the links printed at the end "
            "(default: the SITE_URL setting).",
        )

    def handle(self, *args, match: bool, site_url: str, **options):
        site = site_url.rstrip("/")
        summary = demo_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded: {summary.conference.series.name}, {summary.people} people, "
                f"{summary.encounters} past encounters."
            )
        )
        if match:
            from matching.demo.match import demo_match

            result = demo_match(conference=summary.conference)
            for past in result.history:
                self.stdout.write(
                    f"  {past.round.conference.name}, {past.round.name}: held, {past.seated} "
                    f"seated ({_figures(past.metrics)}), {past.encounters} new encounters."
                )
            if result.current is not None:
                current = result.current
                self.stdout.write(
                    self.style.SUCCESS(
                        f"  {current.round.conference.name}, {current.round.name}: "
                        f"{current.round.get_status_display().lower()}, {current.seated} seated "
                        f"({_figures(current.metrics)}). Review it at "
                        f"{site}/organize/rounds/{current.round.pk}/plan/"
                    )
                )
        self.stdout.write(
            "\n".join(
                [
                    "",
                    f"Drink Tables is at {site}/",
                    f"  Organizer: {site}/admin/  user {summary.organizer_username!r}"
                    f"  password {DEMO_PASSWORD!r}",
                    f"  Superuser: user {summary.superuser_username!r}  password {DEMO_PASSWORD!r}",
                    f"  Attendees sign in at {site}/login/ with one of these e-mails;"
                    " the sign-in link is printed in this console:",
                    *[f"    {email}" for email in summary.attendee_emails],
                    "",
                ]
            )
        )
