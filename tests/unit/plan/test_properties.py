"""Property tests: random mutations of valid plans never crash the validator and are either
valid or carry located errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from entra_recovery.plan.loader import FileResult
from entra_recovery.plan.loader import check_bytes
from entra_recovery.plan.loader import source_lines
from entra_recovery.plan.render import render_issue
from entra_recovery.plan.render import render_json

ROOT = Path(__file__).parents[3]
SEEDS = sorted(
    [*(ROOT / "recovery_plans").glob("*.yaml"), *(ROOT / "tests/examples/plans/valid").iterdir()]
)
TEXTS = [p.read_bytes() for p in SEEDS]
SETTINGS = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
ALPHABET = st.sampled_from(
    [*list("ab:-_ \n\t[]{},&*!|>'\"#%@`?0129.Zé"), "\u2028", "\ufeff", "\x00", "---", "<<"]
)


def _assert_sound(result: FileResult, raw: bytes) -> None:
    if result.ok:
        assert result.plan is not None
        return
    assert result.issues, "an invalid result must carry issues"
    line_count = len(source_lines(raw.decode("utf-8", "replace")))  # YAML's line breaks
    for issue in result.issues:
        assert 1 <= issue.line <= line_count + 1, issue
        assert issue.column >= 1 and issue.width >= 1, issue
        assert issue.message and issue.json_path.startswith("$")
        assert render_issue(issue).startswith(f"p.yaml:{issue.line}:{issue.column}: ")
    keys = [(i.line, i.column) for i in result.issues]
    assert keys == sorted(keys)
    render_json([result])


@SETTINGS
@given(
    seed=st.sampled_from(TEXTS),
    position=st.floats(0, 1),
    cut=st.integers(0, 40),
    insert=st.lists(ALPHABET, max_size=6).map("".join),
)
def test_text_mutations_never_crash(seed: bytes, position: float, cut: int, insert: str) -> None:
    """Cut some characters at a random spot and insert YAML-significant ones."""
    text = seed.decode("utf-8-sig")
    at = int(position * len(text))
    mutated = (text[:at] + insert + text[at + cut :]).encode("utf-8", "surrogatepass")
    _assert_sound(check_bytes(mutated, "p.yaml"), mutated)


@SETTINGS
@given(
    seed=st.sampled_from(TEXTS), position=st.floats(0, 1), junk=st.binary(min_size=1, max_size=4)
)
def test_byte_mutations_never_crash(seed: bytes, position: float, junk: bytes) -> None:
    """Arbitrary bytes (often not UTF-8) give a located error or a valid plan."""
    at = int(position * len(seed))
    mutated = seed[:at] + junk + seed[at:]
    _assert_sound(check_bytes(mutated, "p.yaml"), mutated)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(_paths(value, (*prefix, index)))
    return found


@SETTINGS
@given(seed=st.sampled_from(TEXTS), pick=st.floats(0, 0.999), value=JSON_VALUES, drop=st.booleans())
def test_structural_mutations_never_crash(seed: bytes, pick: float, value: Any, drop: bool) -> None:
    """Replace or drop any value of a valid plan; the result is valid or located."""
    data = yaml.load(seed.decode("utf-8-sig"), Loader=yaml.BaseLoader)  # every scalar as text
    paths = _paths(data)[1:]
    path = paths[int(pick * len(paths))]
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    if drop:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    mutated = yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode()
    _assert_sound(check_bytes(mutated, "p.yaml"), mutated)
