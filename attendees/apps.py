from django.apps import AppConfig


class AttendeesConfig(AppConfig):
    name = "attendees"
    verbose_name = "Attendees"

    def ready(self) -> None:
        from attendees import backends, signals  # noqa: F401  (backends: the sign-in counter)

        signals.connect()
