"""Filter pieces shared by the API's filter sets."""

import django_filters
from django import forms


class StrictBooleanField(forms.Field):
    """true/false (or 1/0); anything else is an error instead of being ignored."""

    widget = forms.TextInput
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        try:
            return self.VALUES[str(value).lower()]
        except KeyError:
            raise forms.ValidationError(f"Use true or false, not {value!r}.") from None


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField
