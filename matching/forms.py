from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator

from .selectors import PlanView
from .services import MAX_PORTFOLIO, MAX_SEED


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
        field.initial = settings.MATCHING_DEFAULT_TIME_LIMIT_S


class SeatMoveForm(forms.Form):
    person = forms.TypedChoiceField(label="Person", coerce=int)
    table = forms.TypedChoiceField(label="Move to table", coerce=int)

    def __init__(self, *args, plan: PlanView, **kwargs):
        super().__init__(*args, **kwargs)
        people: list = [("", "Choose a person")]
        for view in plan.tables:
            if view.seats:
                people.append(
                    (
                        f"Table {view.table.label}",
                        [(seat.person.pk, seat.person.display_name) for seat in view.seats],
                    )
                )
        if plan.unseated:
            people.append(
                ("Without a seat", [(person.pk, person.display_name) for person in plan.unseated])
            )
        self.fields["person"].choices = people
        self.fields["table"].choices = [("", "Choose a table")] + [
            (
                view.table.pk,
                f"{view.table.label} ({len(view.seats)} of {view.table.capacity}"
                f"{', accessible' if view.table.accessible else ''})",
            )
            for view in plan.tables
        ]
