"""Which run is "the plan": every page, export, card and API answer that shows a round's plan
says which run it shows (published, or under review), and they agree."""

import pytest
from django.urls import reverse

from matching.selectors.runs import plan_run_for
from matching.services import lifecycle
from tests.api.support import client_for
from tests.matching.scenario import build_round

pytestmark = pytest.mark.django_db


def what_each_shows(client, api, meetup_round) -> dict[str, str]:
    """Which run each door shows, as "<kind> #<run>"."""
    pk = meetup_round.pk

    def page(name: str) -> str:
        return client.get(reverse(f"organize:{name}", args=[pk])).content.decode()

    def filename(name: str) -> str:
        return client.get(reverse(f"organize:{name}", args=[pk]))["Content-Disposition"]

    def said(text: str) -> str:
        for run_id in meetup_round.runs.values_list("pk", flat=True):
            if f"Published plan: run #{run_id}" in text:
                return f"published #{run_id}"
            if f"Plan under review: run #{run_id}, not published" in text:
                return f"under_review #{run_id}"
        raise AssertionError(f"does not say which plan it shows: {text[:300]}")

    def named(disposition: str) -> str:
        for run_id in meetup_round.runs.values_list("pk", flat=True):
            for kind in ("published", "under-review"):
                if f"run-{run_id}-{kind}." in disposition:
                    return f"{kind.replace('-', '_')} #{run_id}"
        raise AssertionError(f"the file name does not say which plan: {disposition}")

    plan = api.get(f"/api/v1/rounds/{pk}/plan/").json()["plan"]
    v1 = api.get(f"/api/v1/rounds/{pk}/plan/?format=v1")
    return {
        "plan page": said(page("round_plan")),
        "table cards": said(page("table_cards")),
        "check-in list": said(page("check_in")),
        "plan.csv": named(filename("plan_csv")),
        "check-in.csv": named(filename("check_in_csv")),
        "plan.json": named(filename("round_plan_export")),
        "API plan": f"{plan['kind']} #{plan['run']}",
        "API format=v1": f"{v1['Drinktables-Plan']} #{v1['Drinktables-Plan-Run']}",
    }


def test_every_door_shows_and_names_the_same_plan(client, scenario, solve):
    client.force_login(scenario.organizer)
    api = client_for(scenario.organizer)

    first = solve(scenario.round)
    before = what_each_shows(client, api, scenario.round)
    assert before == dict.fromkeys(before, f"under_review #{first.pk}")

    lifecycle.round_publish(round_id=scenario.round.pk, by=None, notify=False)
    second = solve(scenario.round, seed=8)  # a newer plan, under review
    after = what_each_shows(client, api, scenario.round)
    assert after == dict.fromkeys(after, f"published #{first.pk}")
    assert plan_run_for(round=scenario.round).newer == second


def test_the_plan_under_review_is_shown_on_request_and_says_so(client, scenario, solve):
    client.force_login(scenario.organizer)
    api = client_for(scenario.organizer)
    first = solve(scenario.round)
    lifecycle.round_publish(round_id=scenario.round.pk, by=None, notify=False)
    second = solve(scenario.round, seed=8)
    url = reverse("organize:round_plan", args=[scenario.round.pk])

    default = client.get(url).content.decode()
    assert f"A newer plan, run #{second.pk}, is under review" in default
    assert f'href="{url}?review=1"' in default
    assert "Publish this plan instead" not in default  # beside the published plan

    review = client.get(f"{url}?review=1").content.decode()
    assert f"Plan under review: run #{second.pk}, not published" in review
    assert f"Attendees see the published plan, run #{first.pk}" in review
    assert "Publish this plan instead" in review
    assert f'<input type="hidden" name="run" value="{second.pk}">' in review

    plan = api.get(f"/api/v1/rounds/{scenario.round.pk}/plan/?review=true").json()
    assert (plan["plan"]["kind"], plan["plan"]["run"], plan["is_published"]) == (
        "under_review",
        second.pk,
        False,
    )


def test_many_rounds_at_once_get_the_same_answer(organizer, solve):
    from matching.selectors.runs import plan_runs_for

    unplanned = build_round(organizer=organizer, label="none")
    reviewed = build_round(organizer=organizer, label="review")
    republished = build_round(organizer=organizer, label="again")
    solve(reviewed.round)
    solve(republished.round)
    lifecycle.round_publish(round_id=republished.round.pk, by=None, notify=False)
    solve(republished.round, seed=8)
    rounds = [s.round for s in (unplanned, reviewed, republished)]
    for meetup_round in rounds:
        meetup_round.refresh_from_db()

    assert plan_runs_for(rounds=rounds) == {
        r.pk: plan_run_for(round=r) for r in rounds if plan_run_for(round=r) is not None
    }
    assert set(plan_runs_for(rounds=rounds)) == {reviewed.round.pk, republished.round.pk}
