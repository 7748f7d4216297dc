"""Report test fixtures: the golden-file checker (`--update-golden` rewrites the files)."""

from __future__ import annotations

from pathlib import Path

import pytest

_HERE = Path(__file__).parent
GOLDEN_DIR = _HERE.parent.parent / "golden"


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
