"""A round's status is written in one module only: ``matching/services/lifecycle.py``.

Every module of the apps is parsed, and these count as writing a round's status (the failure
names the file and line):

- an assignment to ``<x>.status`` where ``<x>`` names a round (``round``, ``meetup_round``,
  ``held`` …: a name with "round" in it) or the value is a ``RoundStatus`` or one of the
  round-only status words ("draft", "open", "matched", "published", "held");
- ``setattr(<x>, "status", …)`` with such an object or value;
- ``….update(status=…)`` or ``….update_or_create(…)`` / ``get_or_create(…)`` /
  ``create(…)`` / ``MeetupRound(…)`` with ``status`` (a keyword or a ``defaults`` key) when
  the call chain starts at ``MeetupRound`` or the value is a round status;
- raw SQL naming the round table and its status.

Test code, benchmarks and the demo's data (which creates its open rounds) set statuses up
directly and are not read; ``matching/demo/data.py`` is the one allowed creator.
"""

import ast
from pathlib import Path

import pytest

from conferences.enums import RoundStatus

ROOT = Path(__file__).resolve().parents[2]
APPS = ("api", "attendees", "conferences", "config", "dashboard", "matching", "organize")
LIFECYCLE = "matching/services/lifecycle.py"
# Allowed elsewhere, and why.
ALLOWED = {
    ("matching/demo/data.py", "create"): "the demo creates its rounds open (demo data)",
}
ROUND_WORDS = {"draft", "open", "matched", "published", "held"}
CREATORS = {"create", "get_or_create", "update_or_create", "update", "bulk_create"}


def _text(node: ast.AST) -> str:
    return ast.unparse(node)


def _round_value(node: ast.AST | None) -> bool:
    if node is None:
        return False
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value in ROUND_WORDS
    return "RoundStatus" in _text(node)


def _names_round(node: ast.AST) -> bool:
    return "round" in _text(node).lower()


def _chain_starts_at_meetup_round(node: ast.AST) -> bool:
    while isinstance(node, ast.Call | ast.Attribute):
        node = node.func if isinstance(node, ast.Call) else node.value
    return isinstance(node, ast.Name) and node.id == "MeetupRound"


def _status_in_call(call: ast.Call) -> ast.AST | None:
    """The value given for ``status`` in a call (a keyword, or a key of ``defaults``)."""
    for keyword in call.keywords:
        if keyword.arg == "status":
            return keyword.value
        if keyword.arg in ("defaults", "create_defaults") and isinstance(keyword.value, ast.Dict):
            for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "status":
                    return value
    return None


def status_writes(source: str) -> list[tuple[int, str]]:
    """(line, what) for every place ``source`` writes a round's status."""
    found = []
    for node in ast.walk(ast.parse(source)):
        targets: list[ast.AST] = []
        value = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets, value = [node.target], node.value
        for target in targets:
            for element in target.elts if isinstance(target, ast.Tuple) else [target]:
                if (
                    isinstance(element, ast.Attribute)
                    and element.attr == "status"
                    and (_names_round(element.value) or _round_value(value))
                ):
                    found.append((node.lineno, f"assigns {_text(element)}"))
        if not isinstance(node, ast.Call):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                sql = node.value.lower()
                if (
                    "meetupround" in sql
                    and "status" in sql
                    and ("update" in sql or "insert" in sql)
                ):
                    found.append((node.lineno, "raw SQL writes the round table's status"))
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 3:
            name, obj, value = node.args[1], node.args[0], node.args[2]
            if (
                isinstance(name, ast.Constant)
                and name.value == "status"
                and (_names_round(obj) or _round_value(value))
            ):
                found.append((node.lineno, f"setattr({_text(obj)}, 'status', …)"))
            continue
        status = _status_in_call(node)
        if status is None:
            continue
        is_creator = isinstance(func, ast.Attribute) and func.attr in CREATORS
        is_model = isinstance(func, ast.Name) and func.id == "MeetupRound"
        if is_model or (
            is_creator and (_chain_starts_at_meetup_round(func) or _round_value(status))
        ):
            kind = "MeetupRound(…)" if is_model else f".{func.attr}(…)"
            found.append((node.lineno, f"{kind} with status={_text(status)}"))
    return found


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or relative.startswith("matching/engine/"):
                continue
            yield relative, path


def test_only_the_lifecycle_writes_a_rounds_status():
    offenders = []
    for relative, path in _modules():
        if relative == LIFECYCLE:
            continue
        for line, what in status_writes(path.read_text()):
            kind = "create" if "create" in what or "MeetupRound(" in what else "write"
            if (relative, kind) in ALLOWED:
                continue
            offenders.append(f"{relative}:{line}: {what}")
    assert offenders == [], (
        "A round's status is written outside matching/services/lifecycle.py; call "
        "round_transition instead:\n" + "\n".join(offenders)
    )


def test_the_lifecycle_is_where_it_is_written():
    assert status_writes((ROOT / LIFECYCLE).read_text()) != []


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("meetup_round.status = RoundStatus.HELD", 1),
        ("x = 1\nround.status = 'held'", 2),
        ("held.status = RoundStatus.HELD", 1),
        ("obj.status = RoundStatus.OPEN", 1),
        ("r.status = 'published'", 1),
        ("meetup_round.status, other = status, 2", 1),
        ("setattr(meetup_round, 'status', value)", 1),
        ("MeetupRound.objects.filter(pk=1).update(status=RoundStatus.OPEN)", 1),
        ("MeetupRound.objects.filter(pk=1).update(status=value)", 1),
        ("rounds.update(status=RoundStatus.CANCELLED)", 1),
        ("MeetupRound.objects.create(name='x', status=RoundStatus.OPEN)", 1),
        ("MeetupRound(name='x', status='open')", 1),
        ("MeetupRound.objects.get_or_create(name='x', defaults={'status': RoundStatus.OPEN})", 1),
        ("cursor.execute('UPDATE conferences_meetupround SET status = %s', ['held'])", 1),
    ],
)
def test_the_check_finds_each_kind_of_write(source, line):
    assert [found for found, _ in status_writes(source)] == [line]


@pytest.mark.parametrize(
    "source",
    [
        "rsvp.status = status",
        "locked.status = ImportStatus.APPLIED",
        "MatchingRun.objects.filter(pk=1).update(status=RunStatus.CANCELLED)",
        "RoundRSVP.objects.create(person=p, round=r, status=RSVPStatus.GOING)",
        "if meetup_round.status == RoundStatus.HELD: pass",
        "MeetupRound.objects.filter(status=RoundStatus.OPEN)",
    ],
)
def test_the_check_leaves_other_statuses_and_reads_alone(source):
    assert status_writes(source) == []


def test_every_round_status_is_known_to_the_check():
    assert ROUND_WORDS | {"cancelled"} == set(RoundStatus.values)
