"""Forms of the door page and the plan page's changes after publishing."""

from django import forms


class CheckInForm(forms.Form):
    person = forms.IntegerField(label="Person", min_value=1)
    checked_in = forms.BooleanField(label="Checked in", required=False)


class WalkInForm(forms.Form):
    """Someone registered (``person``), or someone new by e-mail and full name."""

    person = forms.IntegerField(label="Person", min_value=1, required=False)
    email = forms.EmailField(label="E-mail", required=False, max_length=254)
    full_name = forms.CharField(label="Full name", required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if not data.get("person") and not (data.get("email") and data.get("full_name")):
            raise forms.ValidationError(
                "Give the walk-in's e-mail and full name (or choose them from the search)."
            )
        return data


class WaitingPlaceForm(forms.Form):
    person = forms.IntegerField(label="Person", min_value=1)
    table = forms.IntegerField(
        label="Table", min_value=1, required=False, help_text="Empty: the best table with room."
    )


class AutoSeatForm(forms.Form):
    on = forms.BooleanField(label="Seat late RSVPs automatically", required=False)


class AlertMoveForm(forms.Form):
    alert = forms.IntegerField(label="Alert", min_value=1)


class DoorSearchForm(forms.Form):
    q = forms.CharField(label="Name or e-mail", required=False, max_length=100)
    part = forms.ChoiceField(
        choices=[("", "page"), ("search", "search"), ("counts", "counts")], required=False
    )
    small_after = forms.TimeField(label="Flag small tables after", required=False)
