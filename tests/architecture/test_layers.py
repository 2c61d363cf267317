"""Imports run one way: doors above the domain, and inside the domain conferences <- attendees
<- matching (docs/architecture.md). A new import that runs back up fails here, naming it."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Each package (or module) and the packages it may import, besides itself, Django and the
# standard library. ``config.*`` infrastructure modules sit under the domain; the rest of
# ``config`` (settings, urls, context processors, the Celery app) wires the project together.
INFRASTRUCTURE = (
    "config.exceptions",
    "config.errors",
    "config.queue",
    "config.http",
    "config.db",
    "config.caches",
    "config.i18n",
)
DOMAIN = {
    "matching.engine": (),
    "conferences": INFRASTRUCTURE,
    "attendees": ("conferences", *INFRASTRUCTURE),
    "matching": ("conferences", "attendees", "matching.engine", *INFRASTRUCTURE),
}
DOORS = ("organize", "dashboard", "api")
ALLOWED = {
    **DOMAIN,
    **dict.fromkeys(DOORS, ("conferences", "attendees", "matching", *INFRASTRUCTURE)),
    **dict.fromkeys(INFRASTRUCTURE, INFRASTRUCTURE),
}
PROJECT = ("config", "conferences", "attendees", "matching", *DOORS)


def _layer_of(module: str) -> str | None:
    """The most specific entry of ALLOWED that ``module`` belongs to."""
    matches = [name for name in ALLOWED if module == name or module.startswith(name + ".")]
    return max(matches, key=len) if matches else None


def _imports(path: Path, module: str) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                package = module.split(".")[: -node.level]
                base = ".".join(package + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:  # ``from config import caches`` imports config.caches
                name = f"{base}.{alias.name}"
                found.append((node.lineno, name if _is_module(name) else base))
    return found


def _project_modules():
    for top in PROJECT:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield path, ".".join(parts)


def _is_module(name: str) -> bool:
    path = ROOT / Path(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def test_every_import_runs_down_the_layers():
    wrong = []
    for path, module in _project_modules():
        layer = _layer_of(module)
        if layer is None:
            continue  # project wiring: settings, urls, context processors, the Celery app
        allowed = (layer, *ALLOWED[layer])
        for line, imported in _imports(path, module):
            if imported.split(".")[0] not in PROJECT or not _is_module(imported):
                continue
            target = _layer_of(imported)
            if target is None:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {imported} (project wiring)")
            elif not any(target == a or target.startswith(a + ".") for a in allowed):
                wrong.append(
                    f"{path.relative_to(ROOT)}:{line} imports {imported} ({layer} -> {target})"
                )
    assert wrong == [], "imports that run back up:\n" + "\n".join(wrong)


def test_the_layer_table_knows_every_package():
    """A new top-level package must be placed in the table above before it can be imported."""
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert packages - {"tests", "bench"} == set(PROJECT)
