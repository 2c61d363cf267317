from django.apps import AppConfig


class AttendeesConfig(AppConfig):
    name = "attendees"
    verbose_name = "Attendees"

    def ready(self) -> None:
        from attendees import signals

        signals.connect()
