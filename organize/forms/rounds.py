"""A round's start and end, typed in the conference's time zone (admin and inlines)."""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from conferences.times import conference_zone, local_to_aware, zone_label
from config.exceptions import ServiceError


class ConferenceDateTimeField(forms.SplitDateTimeField):
    """A date and a time as the conference's wall clock shows them.

    It cleans to a naive datetime; the form makes it aware in the conference's zone, which it
    may only know once the conference field is cleaned (a new round). The browser's own date
    and time pickers are used, without the admin's shortcuts, which would compare the
    browser's zone with the server's ("You are 6 hours behind server time").
    """

    widget = forms.SplitDateTimeWidget(
        date_attrs={"type": "date"}, time_attrs={"type": "time"}, time_format="%H:%M"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = None

    def compress(self, data_list):
        if not data_list:
            return None
        day, time = data_list
        if day in self.empty_values:
            raise ValidationError(self.error_messages["invalid_date"], code="invalid_date")
        if time in self.empty_values:
            raise ValidationError(self.error_messages["invalid_time"], code="invalid_time")
        return dt.datetime.combine(day, time)

    def prepare_value(self, value):
        if isinstance(value, dt.datetime) and timezone.is_aware(value) and self.zone:
            return timezone.localtime(value, self.zone).replace(tzinfo=None)
        return value

    def has_changed(self, initial, data):
        return super().has_changed(self.prepare_value(initial), data)


TIME_FIELDS = {"starts_at": "Starts at", "ends_at": "Ends at"}


class RoundTimesForm(forms.ModelForm):
    """The admin's round form (and the conference's round inline): times in its zone."""

    starts_at = ConferenceDateTimeField()
    ends_at = ConferenceDateTimeField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        conference = self.instance.conference if self.instance.conference_id else None
        zone = conference_zone(conference) if conference is not None else None
        for name, words in TIME_FIELDS.items():
            field = self.fields.get(name)
            if field is None:
                continue
            field.zone = zone
            field.label = f"{words} ({zone_label(zone)})"
            field.help_text = (
                "The time where the conference takes place, in its time zone."
                if zone
                else "The time where the conference takes place, in the time zone of the "
                "conference you choose."
            )

    def clean(self):
        cleaned = super().clean()
        conference = cleaned.get("conference")
        if conference is None and self.instance.conference_id:
            conference = self.instance.conference
        zone = conference_zone(conference) if conference is not None else None
        for name in TIME_FIELDS:
            value = cleaned.get(name)
            if not isinstance(value, dt.datetime) or timezone.is_aware(value):
                continue
            if zone is None:
                self.add_error(
                    name,
                    "Choose the conference (and its time zone) first: the time is read in "
                    "the conference's time zone.",
                )
                continue
            try:
                cleaned[name] = local_to_aware(value, zone=zone)
            except ServiceError as error:
                self.add_error(name, error.message)
        return cleaned
