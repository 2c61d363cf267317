"""The engine is a plain library: nothing in matching/engine imports Django."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "matching" / "engine"


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_module_of_the_engine_imports_django():
    files = sorted(ENGINE.rglob("*.py"))
    assert files
    offenders = {
        str(path.relative_to(ENGINE)): sorted(
            n
            for n in imported_modules(path)
            if n.split(".")[0] in {"django", "rest_framework", "celery"}
        )
        for path in files
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_importing_the_engine_loads_no_django():
    code = "import sys, matching.engine, matching.engine.cli; print('django' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ENGINE.parents[1],
        check=True,
    )
    assert out.stdout.strip() == "False"
