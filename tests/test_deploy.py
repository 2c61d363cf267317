"""`make serve` refuses to start without what production needs, saying what to set, and the
Procfile runs the processes supervisor runs. The recipe itself is started and checked on real
services in tests/integration/test_serve.py."""

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ"
# Nothing listens on port 1: a command that got as far as connecting would fail differently.
UNREACHABLE = {
    "DATABASE_URL": "postgres://postgres@127.0.0.1:1/unused",
    "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",
}


def make_serve(**env: str) -> subprocess.CompletedProcess:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_", "REDIS_", "CACHE_", "MAKE"))
        and k != "MFLAGS"
    }
    return subprocess.run(
        [
            make,
            "--no-print-directory",
            "-o",
            ".venv/.runtime-installed",
            "serve",
            f"PY={sys.executable}",
        ],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_make_serve_names_every_missing_variable_and_what_to_set():
    result = make_serve()
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    for name, example in [
        ("DATABASE_URL", "postgres://"),
        ("CELERY_BROKER_URL", "redis://"),
        ("DJANGO_SECRET_KEY", "at least 50 characters"),
    ]:
        line = next(line for line in result.stderr.splitlines() if line.strip().startswith(name))
        assert example in line, result.stderr
    assert "docs/operations.md" in result.stderr


def test_make_serve_names_only_the_variable_that_is_missing():
    result = make_serve(**UNREACHABLE)
    assert result.returncode != 0
    missing = [
        name
        for name in ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SECRET_KEY")
        if f"  {name}:" in result.stderr
    ]
    assert missing == ["DJANGO_SECRET_KEY"], result.stderr


def test_make_serve_takes_redis_url_for_the_broker():
    result = make_serve(DATABASE_URL=UNREACHABLE["DATABASE_URL"], REDIS_URL="redis://127.0.0.1:1/0")
    assert "CELERY_BROKER_URL" not in result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_make_serve_refuses_a_weak_secret_key_with_the_settings_message():
    result = make_serve(**UNREACHABLE, DJANGO_SECRET_KEY="short")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "DJANGO_SECRET_KEY must be set to a random string of at least 50" in result.stderr


def test_make_serve_says_when_the_database_cannot_be_reached():
    result = make_serve(**UNREACHABLE, DJANGO_SECRET_KEY=GOOD_KEY)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "the database at postgres://127.0.0.1:1/unused cannot be reached" in result.stderr, (
        result.stderr
    )
    assert "Check DATABASE_URL and that PostgreSQL is running." in result.stderr


def test_make_serve_refuses_sqlite():
    result = make_serve(
        **{**UNREACHABLE, "DATABASE_URL": "sqlite:///db.sqlite3"}, DJANGO_SECRET_KEY=GOOD_KEY
    )
    assert result.returncode != 0
    assert "DATABASE_URL must be a PostgreSQL database" in result.stderr


def supervisor_programs() -> dict[str, dict[str, str]]:
    parser = configparser.RawConfigParser(inline_comment_prefixes=(";",))
    parser.read(ROOT / "deploy" / "supervisord.conf")
    return {
        section.split(":", 1)[1]: dict(parser[section])
        for section in parser.sections()
        if section.startswith("program:")
    }


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def test_supervisor_restarts_every_program_and_logs_it_under_var():
    programs = supervisor_programs()
    assert sorted(programs) == ["beat", "web", "worker"]
    for name, program in programs.items():
        assert program["autorestart"] == "true", name
        assert program["stdout_logfile"] == f"%(ENV_DRINKTABLES_VAR)s/log/{name}.log"
        assert program["stopsignal"] == "TERM", name


def test_procfile_runs_the_programs_supervisor_runs_with_the_production_settings():
    processes = procfile()
    assert sorted(processes) == sorted([*supervisor_programs(), "release"])
    assert "manage.py migrate" in processes["release"]
    for name, command in processes.items():
        assert command.startswith(
            "export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-config.production};"
        ), name
        syntax = subprocess.run(["sh", "-n", "-c", command], capture_output=True, text=True)
        assert syntax.returncode == 0, (name, syntax.stderr)
