"""Hostile plan input: YAML 1.1 numbers, deep keys, pipes and devices (numbers, yaml)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from entra_recovery.plan.loader import check_bytes
from entra_recovery.plan.loader import check_file
from entra_recovery.plan.yaml import MAX_DEPTH
from entra_recovery.plan.yaml import parse

PLAN = b"""apiVersion: entra-recovery/v1
kind: RecoveryPlan
metadata:
  name: example
tenant: 5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b
snapshot:
  latest: true
scope:
  entityTypes: [user]
guards:
  maxChanges: %s
"""


@pytest.mark.parametrize(
    ("text", "value"),
    [("12", 12), ("+5", 5), ("-0", 0), ("0", 0), ("1.5", 1.5), ("-2.0", -2.0), ("1.0e+3", 1000.0)],
)
def test_plain_decimal_numbers_are_numbers(text: str, value: float) -> None:
    """YAML 1.2's decimal forms read as the numbers they spell."""
    assert parse(f"a: {text}".encode(), "p.yaml").data == {"a": value}


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("010", "octal"),
        ("00", "octal"),
        ("1:00", "base-60"),
        ("1:30.5", "base-60"),
        ("0x1f", "hexadecimal"),
        ("0b101", "binary"),
        ("1_000", "'_' separators"),
        (".inf", "not a finite number"),
        (".NaN", "not a finite number"),
        ("-.inf", "not a finite number"),
        ("9" * 19, "19 digits is too large"),
        ("1.0e+999", "too large a number"),
    ],
)
def test_numbers_yaml_11_reads_differently_are_refused_at_their_node(
    text: str, reading: str
) -> None:
    """`maxChanges: 010` is not silently 8: the value is refused at its own line and column,
    once (no second schema complaint about the same value)."""
    result = check_bytes(PLAN % text.encode(), "p.yaml")
    assert result.plan is None
    assert len(result.issues) == 1
    issue = result.issues[0]
    assert (issue.line, issue.column, issue.json_path) == (11, 15, "$.guards.maxChanges")
    assert reading in issue.message


def test_a_megabyte_of_base_60_is_refused_without_converting_it() -> None:
    """`1:1:1:...` over a megabyte is refused from its text (YAML 1.1 would compute a number
    with hundreds of thousands of digits first)."""
    huge = ":".join(["1"] * 400_000).encode()
    result = check_bytes(PLAN % huge, "p.yaml")
    assert [i.json_path for i in result.issues] == ["$.guards.maxChanges"]
    assert "base-60" in result.issues[0].message


@pytest.mark.parametrize("style", ["block", "flow"])
def test_mapping_keys_count_against_the_depth_limit(style: str) -> None:
    """Keys nested in keys stop at the depth limit (they used to recurse until Python gave up)."""
    depth = MAX_DEPTH + 20
    if style == "block":
        text = "\n".join("  " * i + "?" for i in range(depth)) + "\n" + "  " * depth + "x\n"
    else:
        text = "{? " * depth + "x" + ": y}" * depth + "\n"
    result = check_bytes(text.encode(), "p.yaml")
    assert result.plan is None
    assert any(
        "nested deeper than" in i.message or "nesting depth" in i.message for i in result.issues
    )


def _check_in_thread(path: Path) -> tuple[threading.Thread, list[object]]:
    found: list[object] = []
    thread = threading.Thread(target=lambda: found.append(check_file(path)), daemon=True)
    thread.start()
    thread.join(timeout=10)
    return thread, found


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_refused_at_once(tmp_path: Path) -> None:
    """A FIFO given as the plan is refused without waiting for a writer."""
    fifo = tmp_path / "plan.yaml"
    os.mkfifo(fifo)
    thread, found = _check_in_thread(fifo)
    if thread.is_alive():  # unblock the reader before failing, so the test run can end
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO blocked")
    (result,) = found
    assert "is not a regular file" in result.issues[0].message  # type: ignore[attr-defined]


def test_a_device_is_refused(tmp_path: Path) -> None:
    """A character device (which may never end) is not read as a plan."""
    result = check_file("/dev/zero")
    assert result.plan is None
    assert "is not a regular file" in result.issues[0].message
