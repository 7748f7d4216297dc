"""Report test fixtures: the shared change samples and the `--update-golden` option."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_HERE = Path(__file__).parent
GOLDEN_DIR = _HERE.parent.parent / "golden"


def _load_samples() -> None:
    """Make `import report_samples` work under --import-mode=importlib (no sys.path change)."""
    if "report_samples" in sys.modules:
        return
    spec = importlib.util.spec_from_file_location("report_samples", _HERE / "report_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["report_samples"] = module
    spec.loader.exec_module(module)


_load_samples()


class Golden:
    """Compare text with a golden file, or rewrite it under --update-golden."""

    def __init__(self, update: bool) -> None:
        self.update = update

    def check(self, relative: str, text: str) -> None:
        path = GOLDEN_DIR / relative
        if self.update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
            return
        assert path.exists(), f"missing golden file {path}; run pytest with --update-golden"
        expected = path.read_text(encoding="utf-8")
        assert text == expected, f"{relative} differs from its golden file"


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """The golden-file checker (`golden.check("terminal/demo.txt", text)`)."""
    try:
        update = bool(request.config.getoption("--update-golden"))
    except ValueError:
        update = False
    return Golden(update)
