from django.apps import AppConfig


class AttendeesConfig(AppConfig):
    name = "attendees"
    verbose_name = "Attendees"

    def ready(self) -> None:
        from . import signals

        signals.connect()
