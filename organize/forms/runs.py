from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator

from matching.services.portfolio import MAX_PORTFOLIO, MAX_SEED


class RunRequestForm(forms.Form):
    time_limit_s = forms.FloatField(
        label="Time limit (seconds)",
        min_value=1,
        help_text="How long the solver may search. Larger rounds find better plans with more time.",
    )
    seed = forms.IntegerField(
        label="Seed (optional)",
        required=False,
        min_value=0,
        max_value=MAX_SEED,
        help_text="The same seed and the same RSVPs give the same plan. Empty: a random seed.",
    )
    portfolio = forms.IntegerField(
        label="Seeds tried in parallel",
        min_value=1,
        max_value=MAX_PORTFOLIO,
        initial=1,
        help_text="For large rounds: each available worker solves its own seed; the best plan is kept.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The limits come from settings at request time, not when this module is imported.
        limit = settings.MATCHING_MAX_TIME_LIMIT_S
        field = self.fields["time_limit_s"]
        field.validators.append(MaxValueValidator(limit))
        field.widget.attrs.update({"max": f"{limit:g}", "step": "any"})
        field.initial = f"{settings.MATCHING_DEFAULT_TIME_LIMIT_S:g}"


class SeatMoveForm(forms.Form):
    """Who moves where; the service checks that both belong to the round."""

    person = forms.IntegerField(label="Person", min_value=1)
    table = forms.IntegerField(label="Move to table", min_value=1)
