"""Command line: ``python -m matching solve|score|simulate|generate`` (docs/design.md §4).

Exit codes: 0 done; 1 ``score`` found a broken hard constraint; 2 invalid input (one line per
error on stderr, naming the place; also unreadable files, bad JSON and usage errors);
3 the hard constraints cannot all hold (the message says which).
"""

from __future__ import annotations

import argparse
import errno
import json
import math
import os
import signal
import sys
import time
from collections.abc import Callable
from typing import Any

from . import generate as gen
from . import simulate as sim
from .fileformat import (
    parse_json_int,
    problem_from_dict,
    problem_to_dict,
    solution_from_dict,
    solution_to_dict,
)
from .model import MAX_ROUNDS, InfeasibleError, ProblemError
from .scoring import hard_violations, score
from .solver import solve

EXIT_OK, EXIT_BROKEN, EXIT_INVALID, EXIT_INFEASIBLE = 0, 1, 2, 3
MAX_GENERATED_PEOPLE = 1_000_000


class InputError(Exception):
    def __init__(self, lines: list[str]):
        self.lines = lines


def _reject_constant(name: str) -> float:
    # NaN and Infinity are not JSON; keep them as floats so validation names the place.
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[name]


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def read_json(path: str, what: str) -> Any:
    label = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            text = sys.stdin.buffer.read().decode("utf-8")
        else:
            with open(path, "rb") as handle:
                text = handle.read().decode("utf-8")
    except OSError as exc:
        raise InputError([f"{label}: cannot read the {what} file: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise InputError([f"{label}: the {what} file is not UTF-8 text ({exc.reason})"]) from None
    try:
        return json.loads(
            text,
            parse_constant=_reject_constant,
            parse_int=parse_json_int,
            object_pairs_hook=_no_duplicate_keys,
        )
    except _DuplicateKey as exc:
        raise InputError(
            [f"{label}: invalid JSON: key {json.dumps(str(exc))} appears twice in an object"]
        ) from None
    except json.JSONDecodeError as exc:
        raise InputError(
            [f"{label}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"]
        ) from None
    except RecursionError:
        raise InputError([f"{label}: invalid JSON: nested too deeply"]) from None


def check_output(path: str | None, what: str) -> None:
    """Refuse, before any work, an output file that cannot be written (InputError).

    An existing file is opened for appending (not truncated); a new one is created and
    removed again, so a run that fails later leaves nothing behind.
    """
    if path is None or path == "-":
        return
    try:
        if os.path.isdir(path):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        if os.path.exists(path):
            with open(path, "ab"):
                pass
        else:
            with open(path, "xb"):
                pass
            os.remove(path)
    except OSError as exc:
        raise InputError([f"{path}: cannot write the {what} file: {exc.strerror or exc}"]) from None


def write_json(data: Any, path: str | None, what: str = "output") -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if path is None or path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise InputError([f"{path}: cannot write the {what} file: {exc.strerror or exc}"]) from None


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text!r}") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m matching",
        description="Seat conference attendees at drink tables (format v1 files, docs/design.md §4).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p_solve = sub.add_parser("solve", help="solve a problem file, write a solution file")
    p_solve.add_argument("problem", metavar="PROBLEM", help="problem file ('-' for stdin)")
    p_solve.add_argument(
        "-o", "--output", metavar="SOLUTION", help="solution file ('-' or absent: stdout)"
    )
    p_solve.add_argument("--seed", type=_non_negative_int, help="overrides the file's seed")
    p_solve.add_argument(
        "--time-limit", type=_positive_float, metavar="S", help="seconds (default: file or 10)"
    )
    p_solve.add_argument("--progress", action="store_true", help="print progress to stderr")

    p_score = sub.add_parser("score", help="recompute a solution's metrics (exit 1 if broken)")
    p_score.add_argument("problem", metavar="PROBLEM", help="problem file ('-' for stdin)")
    p_score.add_argument("solution", metavar="SOLUTION", help="solution file ('-' for stdin)")

    p_sim = sub.add_parser(
        "simulate",
        help="simulate a conference series under a seating policy (docs/outcomes.md)",
    )
    p_sim.add_argument("problem", metavar="PROBLEM", help="the first edition ('-' for stdin)")
    p_sim.add_argument(
        "--policy",
        required=True,
        metavar="POLICY",
        help="drinktables, friends-first, random or mingle",
    )
    p_sim.add_argument(
        "--editions", default="5", metavar="N", help=f"editions, 1 to {sim.MAX_EDITIONS} (5)"
    )
    p_sim.add_argument("--seed", default="0", metavar="S", help="a non-negative integer (0)")
    p_sim.add_argument("--params", metavar="PARAMS", help="JSON object overriding model parameters")
    p_sim.add_argument("--progress", action="store_true", help="print progress to stderr")
    p_sim.add_argument(
        "-o", "--output", metavar="RESULT", help="result file ('-' or absent: stdout)"
    )

    p_gen = sub.add_parser("generate", help="print a synthetic problem file")
    p_gen.add_argument(
        "--kind",
        choices=("planted", "community", "golfer", "random"),
        default="planted",
        help="planted: a known perfect plan exists; community: clustered ties; "
        "golfer: g tables of s for w rounds; random: every feature at random (default: planted)",
    )
    p_gen.add_argument("--people", type=_non_negative_int, default=320, help="about this many")
    p_gen.add_argument("--table-size", type=_non_negative_int, default=8)
    p_gen.add_argument("--tables", type=_non_negative_int, help="golfer: number of tables")
    p_gen.add_argument("--newcomers", type=_share, default=0.25, help="newcomer share (0..1)")
    p_gen.add_argument(
        "--tie-density",
        type=_share,
        default=None,
        help="chance that two people of a community (random: any two returning people) are tied",
    )
    p_gen.add_argument("--rounds", type=_non_negative_int, default=3)
    p_gen.add_argument("--seed", type=_non_negative_int, default=0)
    p_gen.add_argument("-o", "--output", metavar="PROBLEM", help="file ('-' or absent: stdout)")
    return parser


def _usage_check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.command == "generate":
        if args.rounds < 1:
            parser.error("argument --rounds: expected a positive integer")
        if args.rounds > MAX_ROUNDS:
            parser.error(f"argument --rounds: at most {MAX_ROUNDS} rounds, got {args.rounds}")
        if args.people > MAX_GENERATED_PEOPLE:
            parser.error(
                f"argument --people: at most {MAX_GENERATED_PEOPLE:,} people, got {args.people:,}"
            )
        if args.table_size < 2:
            parser.error("argument --table-size: expected at least 2")
        if args.kind == "golfer" and not args.tables:
            parser.error("--kind golfer needs --tables (and --table-size, --rounds)")
        if args.kind == "golfer" and args.tables * args.table_size > MAX_GENERATED_PEOPLE:
            parser.error(f"--tables × --table-size: at most {MAX_GENERATED_PEOPLE:,} people")


def cmd_solve(args: argparse.Namespace) -> int:
    check_output(args.output, "solution")
    problem = problem_from_dict(read_json(args.problem, "problem"))
    stop = {"requested": False}

    def interrupt(_signum, _frame) -> None:
        if stop["requested"]:
            raise KeyboardInterrupt
        stop["requested"] = True
        print("stopping: keeping the best plan so far (Ctrl-C again to abort)", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, interrupt)
    last = {"shown": -1}

    def progress(fraction: float) -> None:
        percent = int(fraction * 100)
        if percent != last["shown"]:
            last["shown"] = percent
            print(f"progress {percent}%", file=sys.stderr, flush=True)

    try:
        solution = solve(
            problem,
            seed=args.seed,
            time_limit_s=args.time_limit,
            progress=progress if args.progress else None,
            should_stop=lambda: stop["requested"],
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    write_json(solution_to_dict(solution), args.output, "solution")
    m = solution.metrics
    print(
        f"seated {m['seated']} (unseated {m['unseated']}), repeats {m['repeat_pairs']}, "
        f"welcome {m['welcome_rate']:.3f}, anchor {m['anchor_rate']:.3f} "
        f"(bound {m['anchor_bound']:.3f}), topics {m['topic_rate']:.3f}, "
        f"small tables {m['small_tables']} in {solution.elapsed_s:.1f}s",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_score(args: argparse.Namespace) -> int:
    if args.problem == "-" and args.solution == "-":
        raise InputError(["only one of PROBLEM and SOLUTION can be read from stdin"])
    problem = problem_from_dict(read_json(args.problem, "problem"))
    solution = solution_from_dict(read_json(args.solution, "solution"), problem)
    metrics = score(problem, solution)
    write_json(metrics, None)
    broken = hard_violations(metrics)
    if broken:
        names = ", ".join(f"{k} {v}" for k, v in metrics["violations"].items() if v)
        print(f"hard constraints broken: {names}", file=sys.stderr)
        return EXIT_BROKEN
    return EXIT_OK


def _integer_argument(text: str) -> int | str:
    try:
        return int(text)
    except ValueError:
        return text


def _progress_printer() -> Callable[[float], None]:
    last = {"shown": -1}

    def progress(fraction: float) -> None:
        percent = int(fraction * 100)
        if percent != last["shown"]:
            last["shown"] = percent
            print(f"progress {percent}%", file=sys.stderr, flush=True)

    return progress


def cmd_simulate(args: argparse.Namespace) -> int:
    check_output(args.output, "result")
    errors: list[str] = []
    problem = params = None
    try:
        problem = problem_from_dict(read_json(args.problem, "problem"))
    except InputError as exc:
        errors.extend(exc.lines)
    except ProblemError as exc:
        errors.extend(exc.errors)
    if args.params is not None:
        try:
            params = read_json(args.params, "params")
            sim.simulation_params(params)
        except InputError as exc:
            errors.extend(exc.lines)
        except ProblemError as exc:
            errors.extend(exc.errors)
    editions, seed = _integer_argument(args.editions), _integer_argument(args.seed)
    errors.extend(sim.request_errors(policy=args.policy, editions=editions, seed=seed))
    if errors or problem is None:
        raise InputError(errors)
    started = time.perf_counter()
    result = sim.simulate(
        problem,
        policy=args.policy,
        editions=editions,
        seed=seed,
        params=params,
        progress=_progress_printer() if args.progress else None,
    )
    write_json(result, args.output, "result")
    later = [e for e in result["editions"][1:] if e["newcomers"]] or result["editions"][:1]

    def mean(key: str) -> str:
        values = [e[key] for e in later if e[key] is not None]
        return f"{sum(values) / len(values):.2f}" if values else "n/a"

    print(
        f"simulated {len(result['editions'])} editions ({args.policy}): newcomers' lasting "
        f"ties to returning people {mean('newcomer_ties_to_returning')}, woven in "
        f"{mean('woven_in_share')}, newcomers returning {mean('newcomer_return_rate')} "
        f"(mean over editions {'2 on' if len(result['editions']) > 1 else '1'}) "
        f"in {time.perf_counter() - started:.1f}s",
        file=sys.stderr,
    )
    return EXIT_OK


def cmd_generate(args: argparse.Namespace) -> int:
    check_output(args.output, "problem")
    density = args.tie_density
    if args.kind == "planted":
        problem = gen.planted(
            people=args.people,
            table_size=args.table_size,
            newcomer_share=args.newcomers,
            rounds=args.rounds,
            seed=args.seed,
        )
    elif args.kind == "community":
        problem = gen.community(
            people=args.people,
            table_size=args.table_size,
            newcomer_share=args.newcomers,
            rounds=args.rounds,
            tie_density=0.4 if density is None else density,
            seed=args.seed,
        )
    elif args.kind == "golfer":
        problem = gen.golfer(args.tables, args.table_size, args.rounds, seed=args.seed)
    else:
        problem = gen.random_problem(
            people=args.people,
            table_size=args.table_size,
            newcomer_share=args.newcomers,
            rounds=args.rounds,
            tie_density=0.1 if density is None else density,
            seed=args.seed,
        )
    write_json(problem_to_dict(problem), args.output, "problem")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # usage errors exit with status 2
    _usage_check(parser, args)
    try:
        if args.command == "solve":
            return cmd_solve(args)
        if args.command == "score":
            return cmd_score(args)
        if args.command == "simulate":
            return cmd_simulate(args)
        return cmd_generate(args)
    except InputError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return EXIT_INVALID
    except ProblemError as exc:
        for line in exc.errors:
            print(line, file=sys.stderr)
        return EXIT_INVALID
    except InfeasibleError as exc:
        for line in exc.message.splitlines():
            print(f"infeasible: {line}", file=sys.stderr)
        return EXIT_INFEASIBLE
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
