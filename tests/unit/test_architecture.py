"""The package layering of docs/architecture.md, checked on every import in src/, lazy ones too.

ruff's banned-api rules (the per-package ruff.toml files) catch a wrong import while it is typed;
this test holds the same table against the whole tree, including imports inside functions and
under TYPE_CHECKING, and the size limits that keep each module readable in one sitting.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).parents[2] / "src" / "entra_recovery"
ARCHITECTURE = Path(__file__).parents[2] / "docs" / "architecture.md"

# The base modules: plain helpers every layer may use; they import no layer themselves.
BASE = frozenset(
    {"aio", "constants", "errors", "jsoncodec", "redaction", "resources", "statedir", "timestamps"}
)

# Which layers each package may import (besides itself and BASE), as docs/architecture.md says.
ALLOWED: dict[str, frozenset[str]] = {
    "cli": frozenset({"runner", "report", "diff", "plan", "graph", "emulator", "notify"}),
    "runner": frozenset({"report", "diff", "plan", "graph"}),
    "report": frozenset({"diff"}),
    "diff": frozenset(),
    "plan": frozenset(),
    "graph": frozenset(),
    "emulator": frozenset(),
    "notify": frozenset(),
    "api": frozenset({"results", "runner", "plan", "graph"}),
    "results": frozenset({"runner", "report", "diff", "plan"}),
    "testing": frozenset({"emulator"}),
    "__init__": frozenset({"api", "results", "diff", "plan"}),
    "__main__": frozenset({"cli"}),
    **{name: frozenset() for name in BASE},
}

# Third-party packages that talk to Graph or sign in: graph/ only.
SDK_PREFIXES = ("msgraph", "msgraph_core", "kiota_", "azure")
# Third-party packages owned by one layer.
OWNED = {"click": {"cli"}, "yaml": {"plan", "emulator"}}

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        layer = relative.parts[0].removesuffix(".py")
        yield layer, path


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "entra_recovery":  # `from entra_recovery import aio`
                for alias in node.names:
                    yield node.lineno, f"entra_recovery.{alias.name}"
            else:
                yield node.lineno, node.module


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "entra_recovery":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def _violations() -> list[str]:
    found = []
    for layer, path in _modules():
        allowed = ALLOWED[layer] | BASE | {layer}
        for line, module in _imports(path):
            where = f"{path.relative_to(SRC.parent)}:{line}"
            target = _layer_of(module)
            if target is not None and target not in allowed:
                found.append(f"{where}: {layer} imports {module}")
            top = module.split(".")[0]
            if top.startswith(SDK_PREFIXES) and layer != "graph":
                found.append(f"{where}: only graph/ may import {module}")
            owners = OWNED.get(top)
            if owners is not None and layer not in owners:
                found.append(f"{where}: only {'/'.join(sorted(owners))} may import {top}")
    return found


def test_every_import_follows_the_documented_direction() -> None:
    """No module in src/ imports a layer above it, the SDK outside graph/, click outside cli/."""
    assert _violations() == []


def test_the_table_matches_docs_architecture() -> None:
    """docs/architecture.md lists, per package, exactly the layers this test allows."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    documented = {
        match["package"]: frozenset(re.findall(r"`(\w+)`", match["allowed"])) - {"nothing"}
        for match in re.finditer(
            r"^- \*\*`(?P<package>\w+)/?`\*\* may import: (?P<allowed>.*)$", text, re.M
        )
    }
    packages = {name: ALLOWED[name] for name in ("cli", "runner", "report", "diff", "plan")}
    packages |= {"graph": ALLOWED["graph"], "emulator": ALLOWED["emulator"]}
    packages |= {"notify": ALLOWED["notify"]}
    packages |= {"api": ALLOWED["api"], "results": ALLOWED["results"]}
    assert documented == packages


def test_the_checker_sees_a_wrong_import(tmp_path: Path) -> None:
    """The import walk finds lazy imports inside functions (so the test above can fail)."""
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    from entra_recovery.graph import client\n", encoding="utf-8")
    assert list(_imports(module)) == [(2, "entra_recovery.graph")]
    assert _layer_of("entra_recovery.graph") == "graph"


@pytest.mark.parametrize(
    "path", [path for _, path in _modules()], ids=lambda path: str(path.relative_to(SRC))
)
def test_modules_and_functions_stay_readable(path: Path) -> None:
    """No module in src/ over 400 lines and no function over 80."""
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_MODULE_LINES, f"{path} has {len(text.splitlines())} lines"
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == [], f"{path}: {long}"
