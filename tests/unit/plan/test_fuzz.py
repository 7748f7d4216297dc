"""A bounded plan fuzzer: mutated plan files never crash validation and never half-validate.

Each example takes one of the shipped valid plans and mutates it (bytes inserted, deleted or
replaced, a scalar swapped for a hostile token, a line duplicated or re-indented). Whatever
comes out, `check_bytes` must return a result, never raise: either a valid `Plan` whose fields
have the model's types, or problems that each name a line and column inside the file and
render with a caret. 400 examples per run keep it to a few seconds.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from entra_recovery.constants import PlanMode
from entra_recovery.plan.loader import check_bytes
from entra_recovery.plan.model import Plan
from entra_recovery.plan.render import render_issue

ROOT = Path(__file__).parents[3]
SEEDS = [
    p.read_bytes()
    for p in sorted(
        [
            *(ROOT / "recovery_plans").glob("*.yaml"),
            *(ROOT / "tests/examples/plans/valid").glob("*"),
        ]
    )
    if p.suffix in (".yaml", ".yml")
]
HOSTILE = [
    "010",
    "1:00",
    "1:1:1:1:1",
    "0x1f",
    "1_000",
    ".inf",
    ".nan",
    "9" * 5000,
    "1e999",
    "!!python/object/apply:os.system ['true']",
    "!custom x",
    "*missing",
    "&a [*a]",
    "<<: {a: 1}",
    "{",
    "[",
    "? ",
    "'",
    '"\\ud800"',
    "\x00",
    "\u202e",
    "\ufeff",
    "~",
    "null",
    "[]",
    "{}",
    "yes",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
    "2026-13-45T99:99:99Z",
    "a" * 3000,
    "-",
    "---",
    "...",
    "%YAML 1.1",
    "|",
    ">",
    "#",
    "\t",
]


@st.composite
def mutants(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "token", "line", "indent"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        elif kind == "replace":
            data[at : at + 1] = draw(st.binary(min_size=1, max_size=1))
        elif kind == "token":
            # the value after the next ": " becomes a hostile token
            colon = data.find(b": ", at)
            end = data.find(b"\n", colon + 2) if colon >= 0 else -1
            if colon >= 0 and end >= 0:
                data[colon + 2 : end] = draw(st.sampled_from(HOSTILE)).encode("utf-8", "replace")
        else:
            lines = bytes(data).split(b"\n")
            index = draw(st.integers(0, len(lines) - 1))
            if kind == "line":
                lines.insert(index, lines[index])
            else:
                lines[index] = b" " * draw(st.integers(1, 5)) + lines[index]
            data = bytearray(b"\n".join(lines))
    return bytes(data)


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutants())
def test_mutated_plans_validate_or_fail_cleanly(raw: bytes) -> None:
    """No exception escapes; a valid result is a typed Plan; every problem is located."""
    result = check_bytes(raw, "mutant.yaml")
    if result.plan is not None:
        assert isinstance(result.plan, Plan)
        assert isinstance(result.plan.mode, PlanMode)
        assert result.issues == ()
        guards = result.plan.guards
        assert guards.max_changes is None or type(guards.max_changes) is int
        return
    assert result.issues
    line_count = raw.count(b"\n") + 1
    for issue in result.issues:
        assert 1 <= issue.line <= line_count + 1, issue
        assert issue.column >= 1
        assert issue.message
        assert render_issue(issue).startswith("mutant.yaml:")
