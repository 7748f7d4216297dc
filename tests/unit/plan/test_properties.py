"""Property tests: random mutations of valid plans never crash the validator and are either
valid or carry located errors; one known wrong node is located exactly, caret included."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import note
from hypothesis import settings
from hypothesis import strategies as st
from unit.plan.yamlgen import Block
from unit.plan.yamlgen import Writer
from unit.plan.yamlgen import plans

from entra_recovery.plan import yaml as plan_yaml
from entra_recovery.plan.loader import FileResult
from entra_recovery.plan.loader import check_bytes
from entra_recovery.plan.loader import source_lines
from entra_recovery.plan.positions import json_path
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
SETTINGS_100 = settings(SETTINGS, max_examples=100)
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


# -- carets: one wrong node in a plan written in any style is pointed at exactly ---------------

GUID_WRONGS = ["not-a-guid", "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5g", "{5f0c1a2b-3c4d-4e5f}"]
TYPE_WRONGS: list[Any] = [4711, 1.5, True, None, [1, 2], {"a": 1}, Block({"a": 1}), Block(["x"])]
WRONGS: dict[str, list[Any]] = {
    "string": TYPE_WRONGS,
    "guid": GUID_WRONGS + TYPE_WRONGS,
    "enum": ["bogus", "User", 7, None, [1]],
    "integer": ["many", 2.5, True, 0, None, [1], Block({"a": 1})],
    "const": [False, "yes", None, Block(["x"])],
    "name": ["Bad_Name", "-x", "a" * 64, *TYPE_WRONGS],
    "snapshot-id": ["not base64!", "short", *TYPE_WRONGS],
    "fingerprint": ["sha256:xyz", "md5:" + "0" * 64, *TYPE_WRONGS],
}
# Where each kind of wrong value can go (`int` and `str` match any index or key).
TARGETS: list[tuple[tuple[Any, ...], str]] = [
    (("metadata", "name"), "name"),
    (("metadata", "description"), "string"),
    (("metadata", "change"), "string"),
    (("metadata", "owner"), "string"),
    (("metadata", "reviewers", int), "string"),
    (("metadata", "labels", str), "string"),
    (("tenant",), "guid"),
    (("snapshot", "latest"), "const"),
    (("snapshot", "id"), "snapshot-id"),
    (("snapshot", "before"), "string"),
    (("scope", "entityTypes", int), "enum"),
    (("scope", "objects", int, "entityType"), "enum"),
    (("scope", "objects", int, "ids", int), "guid"),
    (("mode",), "enum"),
    (("guards", "maxChanges"), "integer"),
    (("guards", "allowedActions", int), "enum"),
    (("guards", "protectedObjects", int), "guid"),
    (("approval", "fingerprint"), "fingerprint"),
    (("approval", "approvedBy", int), "string"),
    (("report", "formats", int), "enum"),
]
UNKNOWN_KEY_VALUES: list[Any] = ["x", 1, None, [1], {"a": 1}, Block({"a": 1})]
BAD_LABEL_NAMES = ["bad key", "_x", "é", "a" * 64]
ONE_OF_PARENTS = {("snapshot",), ("scope",)}  # an extra key there also breaks "exactly one"


def _matches(path: tuple[Any, ...], pattern: tuple[Any, ...]) -> bool:
    if len(path) != len(pattern):
        return False
    pairs = zip(path, pattern, strict=True)
    return all(p == q or (isinstance(q, type) and type(p) is q) for p, q in pairs)


def _kind(path: tuple[Any, ...]) -> str | None:
    return next((kind for pattern, kind in TARGETS if _matches(path, pattern)), None)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Block) else value


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        data = data[step]
    data[path[-1]] = value


@dataclass(frozen=True)
class WrongPlan:
    """A plan with one wrong node: the data to write, what it reads back as, and the node."""

    data: dict[str, Any]
    plain: dict[str, Any]
    path: tuple[Any, ...]
    new_key: bool  # the key itself is wrong (unknown key, bad label name)
    extra: int  # issues expected besides the one at `path`


@st.composite
def wrong_plans(draw: st.DrawFn) -> WrongPlan:
    """A valid plan with one value made wrong, or one wrong key added."""
    data = draw(plans())
    if draw(st.integers(0, 3)) == 0:  # an unknown key in any closed mapping
        parents = [p for p in _paths(data) if isinstance(_get(data, p), dict)]
        parent = draw(st.sampled_from(parents))
        mapping = _get(data, parent)
        labels = parent[-1:] == ("labels",)  # free-form keys, but they must be label names
        key = draw(st.sampled_from(BAD_LABEL_NAMES)) if labels else "bogusKey"
        items = list(mapping.items())
        items.insert(draw(st.integers(0, len(items))), (key, None))
        mapping.clear()
        mapping.update(items)
        path = (*parent, key)
        extra = 1 if parent in ONE_OF_PARENTS else 0
        wrongs = ["x", "4711"] if labels else UNKNOWN_KEY_VALUES
        new_key = True
    else:
        path = draw(st.sampled_from([p for p in _paths(data) if _kind(p)]))
        wrongs = WRONGS[str(_kind(path))]
        extra = 0
        new_key = False
        if path == ("metadata", "change") and data.get("mode") == "apply":
            wrongs = [w for w in wrongs if _plain(w)]  # falsy: also "apply needs a change"
    wrong = draw(st.sampled_from(wrongs))
    if isinstance(wrong, Block) and isinstance(path[-1], int):
        wrong = wrong.value  # the writer puts list items on one line
    _set(data, path, wrong)
    plain = yaml.safe_load(json.dumps(data, default=_plain))
    return WrongPlan(data, plain, path, new_key, extra)


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


@SETTINGS_100
@given(data=plans(), rnd=st.randoms(use_true_random=False))
def test_written_plans_read_back_and_are_valid(data: dict[str, Any], rnd: Any) -> None:
    """The caret tests' writer produces YAML that reads back as its data: a valid plan."""
    raw, _ = Writer(rnd).write(data)
    note(raw.decode("utf-8-sig"))
    assert plan_yaml.parse(raw, "p.yaml").data == data
    assert check_bytes(raw, "p.yaml").ok


@SETTINGS_100
@given(case=wrong_plans(), rnd=st.randoms(use_true_random=False))
def test_caret_points_at_the_wrong_node(case: WrongPlan, rnd: Any) -> None:
    """The one wrong value (or unknown key) is reported at its own line, column and width."""
    path = case.path
    raw, written = Writer(rnd).write(case.data)
    note(raw.decode("utf-8-sig"))
    assert plan_yaml.parse(raw, "p.yaml").data == case.plain
    result = check_bytes(raw, "p.yaml")
    assert len(result.issues) == 1 + case.extra, [i.headline() for i in result.issues]
    (issue,) = [i for i in result.issues if i.json_path == json_path(path)]
    keyed = case.new_key or path in written.block or path in written.empty
    at_key = keyed and path in written.keys
    spot = written.keys[path] if at_key else written.values[path]
    assert (issue.line, issue.column, issue.width) == (spot.line, spot.column, spot.width)
    _, source, caret, *_ = render_issue(issue).splitlines()
    # The caret sits under the wrong text in the printed line (a long line is cut around it).
    start = caret.index("^")
    carets = len(caret) - start
    assert caret == " " * 5 + " | " + " " * (start - 8) + "^" * carets
    assert source[start : start + carets] == spot.text[:carets]
    assert carets == spot.width or source.endswith("…")
