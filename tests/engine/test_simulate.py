"""Simulation of a conference series (matching/engine/simulate.py, docs/outcomes.md):
determinism, the tie model's invariants, the policies' seatings, the command line."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine import ProblemError, problem_to_dict
from matching.engine.baselines import friends_first, random_seating
from matching.engine.generate import community, planted
from matching.engine.simulate import (
    DEFAULT_PARAMS,
    PARAMETERS,
    POLICIES,
    decayed_weight,
    return_chance,
    simulate,
    simulate_policies,
    simulation_params,
)

ROOT = Path(__file__).resolve().parents[2]
FAST = {"engine_iterations": 400}  # drinktables on a small budget: tests stay quick

EDITION_KEYS = {
    "edition",
    "attendees",
    "newcomers",
    "returning",
    "newcomer_ties_to_returning",
    "woven_in_share",
    "newcomer_return_rate",
    "return_rate",
    "hosts_who_were_newcomers",
    "largest_component_share",
    "clustering",
    "lasting_ties",
    "welcome_rate",
    "anchor_rate",
    "repeat_pairs",
}


def small_series():
    return community(people=60, table_size=6, newcomer_share=0.3, rounds=2, seed=4)


def run_cli(*args: str, stdin: str | None = None, hash_seed: str = "0"):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONHASHSEED"] = hash_seed
    return subprocess.run(
        [sys.executable, "-m", "matching", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )


# ---------------------------------------------------------------- results


@pytest.mark.parametrize("policy", POLICIES)
def test_same_problem_policy_params_and_seed_give_the_same_result(policy):
    problem = small_series()
    first = simulate(problem, policy=policy, editions=3, seed=5, params=FAST)
    again = simulate(problem, policy=policy, editions=3, seed=5, params=FAST)
    assert first == again
    other = simulate(problem, policy=policy, editions=3, seed=6, params=FAST)
    assert other["editions"][1:] != first["editions"][1:]


def test_the_result_does_not_depend_on_the_process(tmp_path):
    # String hashing differs between processes: nothing may depend on set order.
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(problem_to_dict(small_series())), encoding="utf-8")
    args = ("simulate", str(path), "--policy", "mingle", "--editions", "3", "--seed", "2")
    first = run_cli(*args, hash_seed="1")
    second = run_cli(*args, hash_seed="2")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == json.loads(second.stdout)


def test_the_result_has_the_documented_shape():
    problem = small_series()
    result = simulate(problem, policy="drinktables", editions=3, seed=1, params=FAST)
    assert set(result) == {"format", "policy", "seed", "params", "editions"}
    assert (result["format"], result["policy"], result["seed"]) == (
        "drinktables.simulation.v1",
        "drinktables",
        1,
    )
    assert result["params"] == {**DEFAULT_PARAMS, **FAST, "friend_threshold": 0.6}
    assert [e["edition"] for e in result["editions"]] == [1, 2, 3]
    for edition in result["editions"]:
        assert set(edition) == EDITION_KEYS
        assert edition["attendees"] == edition["newcomers"] + edition["returning"]
        assert 0 <= edition["woven_in_share"] <= 1
        assert 0 <= edition["largest_component_share"] <= 1
        assert 0 <= edition["clustering"] <= 1
        assert edition["newcomer_ties_to_returning"] >= 0
    first, *_, last = result["editions"]
    assert first["attendees"] == len(problem.people)
    assert first["newcomers"] == sum(p.newcomer for p in problem.people)
    assert first["hosts_who_were_newcomers"] == 0  # nobody was a newcomer before edition 1
    assert last["newcomer_return_rate"] is None and last["return_rate"] is None
    assert json.loads(json.dumps(result, allow_nan=False)) == result


def test_later_editions_have_about_the_newcomer_share_and_tables_for_everyone():
    problem = small_series()
    result = simulate(
        problem,
        policy="random",
        editions=4,
        seed=3,
        params={"newcomer_share": 0.4},
        keep_seatings=True,
    )
    for edition in result["editions"][1:]:
        expected = round(edition["returning"] * 0.4 / 0.6)
        assert edition["newcomers"] == expected
        for evening in edition["seatings"]:
            seated = sorted(x for table in evening for x in table)
            assert len(seated) == edition["attendees"] == len(set(seated))
            assert max(len(table) for table in evening) <= 6  # the first edition's capacity


def test_progress_is_monotone_and_ends_at_one():
    seen: list[float] = []
    simulate(
        small_series(), policy="drinktables", editions=2, seed=0, params=FAST, progress=seen.append
    )
    assert seen == sorted(seen)
    assert seen[0] >= 0 and seen[-1] == 1.0
    assert len(seen) >= 3


def test_simulate_policies_is_each_policy_on_the_same_problem_and_seed():
    problem = small_series()
    together = simulate_policies(
        problem, policies=("random", "mingle"), editions=2, seed=4, params=FAST
    )
    assert list(together) == ["random", "mingle"]
    for policy, result in together.items():
        assert result == simulate(problem, policy=policy, editions=2, seed=4, params=FAST)


# ---------------------------------------------------------------- policies


def tables_of(solution):
    return [[list(m) for m in plan.tables.values() if m] for plan in solution.rounds]


@pytest.mark.parametrize("seed", [0, 7])
def test_random_and_friends_first_seat_the_first_edition_as_the_baselines_do(seed):
    problem = planted(people=60, rounds=2, seed=2)  # pins, blocks, together pairs included
    for policy, baseline in (("random", random_seating), ("friends-first", friends_first)):
        result = simulate(problem, policy=policy, editions=1, seed=seed, keep_seatings=True)
        assert result["editions"][0]["seatings"] == tables_of(baseline(problem, seed)), policy


def test_mingle_has_no_tables_and_people_mostly_meet_friends():
    problem = small_series()
    result = simulate(problem, policy="mingle", editions=1, seed=1, keep_seatings=True)
    edition = result["editions"][0]
    assert edition["hosts_who_were_newcomers"] is None
    assert edition["welcome_rate"] is None
    friends = {
        frozenset((t.a, t.b)) for t in problem.ties if t.weight >= problem.options.friend_threshold
    }
    returning = {p.id for p in problem.people if not p.newcomer}
    first_evening = edition["seatings"][0]
    assert all(len(pair) == 2 for pair in first_evening)
    among_returning = [p for p in first_evening if set(p) <= returning]
    with_friends = sum(1 for p in among_returning if frozenset(p) in friends)
    assert with_friends >= 0.4 * len(among_returning)


def test_drinktables_weaves_newcomers_in_better_than_friends_first():
    problem = planted(people=120, rounds=3, seed=3)
    params = {"engine_iterations": 800}
    results = simulate_policies(
        problem, policies=("drinktables", "friends-first"), editions=3, seed=0, params=params
    )

    def total(policy: str, key: str) -> float:
        return sum(e[key] for e in results[policy]["editions"])

    assert total("drinktables", "newcomer_ties_to_returning") > 2 * total(
        "friends-first", "newcomer_ties_to_returning"
    )
    assert total("drinktables", "woven_in_share") > total("friends-first", "woven_in_share")


# ---------------------------------------------------------------- the tie model

weights = st.floats(0, 50, allow_nan=False)
draws = st.floats(0, 1, exclude_max=True)
tie_params = st.fixed_dictionaries(
    {
        "weak_tie_survival": st.floats(0, 1),
        "close_tie_survival": st.floats(0, 1),
        "weight_decay": st.floats(0, 1),
        "weak_tie_weight": st.floats(0.1, 3),
        "close_tie_weight": st.floats(3, 8),
    }
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(weights, weights, draws, tie_params)
def test_decay_never_makes_a_tie_negative_or_stronger_and_keeps_their_order(w1, w2, u, params):
    low, high = sorted((w1, w2))
    after_low = decayed_weight(low, u, params)
    after_high = decayed_weight(high, u, params)
    assert 0 <= after_low <= low
    assert 0 <= after_high <= high
    if params["close_tie_survival"] >= params["weak_tie_survival"]:
        assert after_low <= after_high  # monotone: a stronger tie never ends up weaker


def test_about_nine_in_ten_single_encounter_ties_are_gone_a_year_later():
    draws_ = [i / 1000 for i in range(1000)]
    kept = sum(1 for u in draws_ if decayed_weight(1.0, u, DEFAULT_PARAMS) > 0)
    assert kept == 100  # Burt 2002
    close = sum(1 for u in draws_ if decayed_weight(4.0, u, DEFAULT_PARAMS) > 0)
    assert close == 975  # Roy et al. 2022: close ties decay 1-4% a year
    assert decayed_weight(1.0, 0.0, DEFAULT_PARAMS) == pytest.approx(0.5 ** (1 / 3))


def test_returning_grows_with_past_attendances():
    chances = [return_chance(k, DEFAULT_PARAMS) for k in range(1, 11)]
    assert chances == sorted(chances)
    assert chances[0] == pytest.approx(0.45)
    assert chances[4] == pytest.approx(0.80)


def test_lasting_ties_are_never_negative_in_a_whole_series():
    result = simulate(small_series(), policy="friends-first", editions=4, seed=9)
    for edition in result["editions"]:
        assert edition["lasting_ties"] >= 0
        assert edition["newcomer_ties_to_returning"] >= 0


# ---------------------------------------------------------------- validation and CLI


def test_bad_params_name_their_place():
    with pytest.raises(ProblemError) as error:
        simulation_params({"tie_formation": 2, "colour": "blue", "mingle_contacts": -1})
    assert error.value.errors == [
        "params.tie_formation: expected a number from 0 to 1, got 2",
        "params.colour: unknown parameter",
        "params.mingle_contacts: expected a non-negative integer, got -1",
    ]
    with pytest.raises(ProblemError) as error:
        simulate(small_series(), policy="lottery", editions=0, seed=1)
    assert error.value.errors == [
        'policy: expected one of drinktables, friends-first, random, mingle, got "lottery"',
        "editions: expected an integer from 1 to 50, got 0",
    ]
    assert set(simulation_params()) == set(PARAMETERS)


def test_command_line_writes_the_result_and_exits_0(tmp_path):
    problem = tmp_path / "problem.json"
    problem.write_text(json.dumps(problem_to_dict(small_series())), encoding="utf-8")
    params = tmp_path / "params.json"
    params.write_text(json.dumps({"engine_iterations": 300, "tie_formation": 0.3}))
    out = tmp_path / "result.json"
    done = run_cli(
        "simulate",
        str(problem),
        "--policy",
        "drinktables",
        "--editions",
        "2",
        "--seed",
        "3",
        "--params",
        str(params),
        "--progress",
        "-o",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "progress 100%" in done.stderr
    assert done.stderr.splitlines()[-1].startswith("simulated 2 editions (drinktables)")
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["params"]["tie_formation"] == 0.3
    assert result == simulate(
        small_series(),
        policy="drinktables",
        editions=2,
        seed=3,
        params={"engine_iterations": 300, "tie_formation": 0.3},
    )


def test_command_line_exits_2_naming_each_bad_argument(tmp_path):
    problem = tmp_path / "problem.json"
    problem.write_text(json.dumps(problem_to_dict(small_series())), encoding="utf-8")
    params = tmp_path / "params.json"
    params.write_text('{"tie_formation": -0.5, "speed": 3}', encoding="utf-8")
    done = run_cli(
        "simulate",
        str(problem),
        "--policy",
        "chaos",
        "--editions",
        "many",
        "--params",
        str(params),
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "params.tie_formation: expected a number from 0 to 1, got -0.5",
        "params.speed: unknown parameter",
        'policy: expected one of drinktables, friends-first, random, mingle, got "chaos"',
        'editions: expected an integer from 1 to 50, got "many"',
    ]
    params.write_text("[1, 2]", encoding="utf-8")
    done = run_cli("simulate", str(problem), "--policy", "random", "--params", str(params))
    assert (done.returncode, done.stderr) == (2, "params: expected an object, got a list\n")
    missing = tmp_path / "nowhere" / "result.json"
    done = run_cli("simulate", str(problem), "--policy", "random", "-o", str(missing))
    assert done.returncode == 2
    assert done.stderr == f"{missing}: cannot write the result file: No such file or directory\n"
    done = run_cli("simulate", "-", "--policy", "random", stdin='{"format": "x"}')
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_command_line_exits_3_when_the_first_edition_is_infeasible():
    data = {
        "format": "drinktables.problem.v1",
        "people": [{"id": "a"}, {"id": "b"}],
        "tables": [{"id": "T1", "capacity": 1}],
        "together": [["a", "b"]],
    }
    done = run_cli("simulate", "-", "--policy", "drinktables", stdin=json.dumps(data))
    assert done.returncode == 3
    assert done.stderr.startswith("infeasible: together:")


def test_a_problem_whose_tables_seat_nobody_still_simulates():
    problem = small_series()
    problem = replace(problem, tables=problem.tables[:3])  # too few seats: some go unseated
    result = simulate(problem, policy="friends-first", editions=2, seed=0)
    assert result["editions"][0]["attendees"] == len(problem.people)
    assert not math.isnan(result["editions"][1]["clustering"])
