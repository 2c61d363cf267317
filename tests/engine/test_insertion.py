"""Seating one more person into a fixed plan: hard constraints per table, the engine's
objective to rank the rest (matching.engine.insertion)."""

from matching.engine import Options, Person, Pin, Problem, RoundPlan, Table, Tie
from matching.engine.insertion import insertion_options


def problem(people, tables, **extra):
    return Problem(rounds=1, people=tuple(people), tables=tuple(tables), **extra)


def plan(tables):
    return RoundPlan(round=1, tables={k: tuple(v) for k, v in tables.items()}, unseated=())


RETURNING = [Person("a"), Person("b"), Person("c"), Person("d")]
TABLES = [Table("T1", 4), Table("T2", 4)]
SEATED = {"T1": ["a", "b"], "T2": ["c", "d"]}


def test_a_newcomer_goes_to_the_table_with_a_circle_to_join():
    p = problem([*RETURNING, Person("new", newcomer=True)], TABLES, ties=(Tie("c", "d", 2.0),))
    result = insertion_options(p, plan(SEATED), "new")
    assert result.best == "T2"
    assert [table for table, _cost in result.ranked] == ["T2", "T1"]


def test_a_returning_person_goes_to_their_friend():
    p = problem([*RETURNING, Person("e")], TABLES, ties=(Tie("e", "a", 2.0),))
    assert insertion_options(p, plan(SEATED), "e").best == "T1"


def test_each_refused_table_says_why():
    people = [*RETURNING, Person("x", accessible=True), Person("y")]
    tables = [Table("T1", 2), Table("T2", 4), Table("T3", 4, accessible=True), Table("T4", 4)]
    seated = {"T1": ["a", "b"], "T2": ["c"], "T3": ["d"], "T4": ["y"]}
    p = problem(people, tables, avoid=(("x", "d"),), history=(("x", "y"),))
    result = insertion_options(p, plan(seated), "x")
    assert result.best is None
    assert result.refused == {
        "T1": "accessible",
        "T2": "accessible",
        "T3": "avoid",
        "T4": "accessible",
    }
    p2 = problem(
        [*RETURNING, Person("x"), Person("y")], tables, avoid=(("x", "d"),), history=(("x", "y"),)
    )
    result = insertion_options(p2, plan(seated), "x")
    assert result.refused == {"T1": "capacity", "T3": "avoid", "T4": "repeat"}
    assert result.best == "T2"


def test_a_together_partner_or_a_pin_decides_the_table():
    people = [*RETURNING, Person("x")]
    together = problem(people, TABLES, together=(("x", "c"),))
    assert insertion_options(together, plan(SEATED), "x").refused == {"T1": "together"}
    pinned = problem(people, TABLES, pinned=(Pin("x", "T1"),))
    assert insertion_options(pinned, plan(SEATED), "x").refused == {"T2": "pinned"}


def test_with_equal_goals_the_smaller_table_wins():
    p = problem(
        [*RETURNING, Person("e"), Person("z")],
        TABLES,
        options=Options(),
    )
    seated = {"T1": ["a", "b", "e"], "T2": ["c", "d"]}
    assert insertion_options(p, plan(seated), "z").best == "T2"
