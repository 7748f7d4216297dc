"""Text and JSON output of `plan validate`, and where problems are pointed at."""

from __future__ import annotations

import json
import textwrap

from entra_recovery.errors import Issue
from entra_recovery.plan import yaml as plan_yaml
from entra_recovery.plan.loader import check_bytes
from entra_recovery.plan.positions import locate
from entra_recovery.plan.render import render_issue
from entra_recovery.plan.render import render_json
from entra_recovery.plan.render import render_text


def test_issue_block_has_headline_source_caret_and_hint() -> None:
    """The caret sits under the token, as wide as the token."""
    issue = Issue("p.yaml", 14, 15, "$.snapshot", "bad", "fix it", "    snapshot: latests", 7)
    assert render_issue(issue) == textwrap.dedent(
        """\
        p.yaml:14:15: $.snapshot: bad
           14 |     snapshot: latests
              |               ^^^^^^^
           hint: fix it"""
    )


def test_caret_keeps_tabs_and_hides_control_characters() -> None:
    """Tabs before the column are kept so the caret lines up; control characters never print."""
    issue = Issue("p.yaml", 1, 4, "$", "m", None, "a\tb\x1b[2Jc", 1)
    lines = render_issue(issue).splitlines()
    assert lines[1] == "    1 | a\tb\ufffd[2Jc"
    assert lines[2] == "      | " + " \t " + "^"  # under `\x1b`, column 4


def test_text_summary_and_quiet() -> None:
    """Valid files print `ok` unless quiet; the summary counts files and problems."""
    good = check_bytes(
        b"apiVersion: entra-recovery/v1\nkind: RecoveryPlan\nmetadata: {name: a}\n"
        b"tenant: 5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b\nsnapshot: {latest: true}\n"
        b"scope: {entityTypes: [user]}\n",
        "good.yaml",
    )
    bad = check_bytes(b"apiVersion: entra-recovery/v1\nkind: Plan\n", "bad.yaml")
    assert good.ok and not bad.ok
    text = render_text([good, bad])
    assert text.startswith("good.yaml: ok\nbad.yaml:2:7: $.kind: kind must be 'RecoveryPlan'")
    assert text.endswith("2 plans checked: 1 valid, 1 invalid (1 problem)\n")
    assert render_text([good], quiet=True) == ""
    document = json.loads(render_json([good, bad]))
    assert document["status"] == "invalid"
    assert [f["valid"] for f in document["files"]] == [True, False]


def test_missing_keys_fall_back_to_the_nearest_ancestor() -> None:
    """A path that does not exist points at the deepest part that does."""
    text = "scope:\n  objects:\n    - entityType: user\n"
    root = plan_yaml.parse(text.encode(), "p.yaml").root
    lines = text.splitlines()
    where = locate(root, ("scope", "objects", 0, "ids"), lines)
    assert (where.line, where.column) == (3, 7)  # the item mapping `entityType: user`
    where = locate(root, ("scope", "objects", 5), lines)
    assert (where.line, where.column, where.width) == (2, 3, 7)  # the `objects` key


def test_bad_label_name_points_at_the_label_key() -> None:
    """An invalid label name is reported at that key (it used to underline the whole mapping)."""
    text = (
        "apiVersion: entra-recovery/v1\nkind: RecoveryPlan\n"
        'metadata:\n  name: a\n  labels: {team: x, "bad key": y}\n'
        "tenant: 5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b\nsnapshot: {latest: true}\n"
        "scope: {entityTypes: [user]}\n"
    )
    (issue,) = check_bytes(text.encode(), "p.yaml").issues
    assert render_issue(issue).splitlines() == [
        "p.yaml:5:21: $.metadata.labels['bad key']: 'bad key' is not a valid label name "
        "(letters, digits, '_', '.', '-'; at most 63 characters)",
        '    5 |   labels: {team: x, "bad key": y}',
        "      |                     ^^^^^^^^^",
    ]
