"""
Loading a plan, end to end: bytes -> YAML tree -> version gate -> schema -> semantics -> Plan.

`check_file(path)` runs every stage and collects *all* problems as located `Issue`s (sorted
by line and column) instead of stopping at the first; `load_plan(path)` is the strict verb the
runner uses (raises `PlanLoadError` / `PlanValidationError`); `validate_paths(paths)` is what
`plan validate` calls for files and folders.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from entra_recovery.constants import DEFAULT_ALLOWED_ACTIONS
from entra_recovery.constants import PLAN_API_VERSION
from entra_recovery.constants import PLAN_KIND
from entra_recovery.constants import VERSION
from entra_recovery.constants import PlanMode
from entra_recovery.errors import Issue
from entra_recovery.errors import PlanLoadError
from entra_recovery.errors import PlanValidationError
from entra_recovery.plan import yaml as plan_yaml
from entra_recovery.plan.model import DEFAULT_REPORT_FORMATS
from entra_recovery.plan.model import Approval
from entra_recovery.plan.model import Guards
from entra_recovery.plan.model import Metadata
from entra_recovery.plan.model import ObjectScope
from entra_recovery.plan.model import Plan
from entra_recovery.plan.model import Scope
from entra_recovery.plan.model import SnapshotSelector
from entra_recovery.plan.positions import json_path
from entra_recovery.plan.positions import key_node_at
from entra_recovery.plan.positions import locate
from entra_recovery.plan.positions import span
from entra_recovery.plan.schema import Finding
from entra_recovery.plan.schema import schema_findings
from entra_recovery.plan.semantic import parse_instant
from entra_recovery.plan.semantic import semantic_findings

PLAN_SUFFIXES = (".yaml", ".yml")
_VERSION = re.compile(r"^entra-recovery/v(\d+)")


def source_lines(text: str) -> list[str]:
    """The text's lines as YAML counts them (so marks' line numbers index this list)."""
    return plan_yaml.LINE_BREAK.split(text) if text else []


@dataclass(frozen=True)
class FileResult:
    """The outcome for one file: its plan, or its issues (a load error is one issue)."""

    path: str
    plan: Plan | None
    issues: tuple[Issue, ...] = ()
    load_error: PlanLoadError | None = None

    @property
    def ok(self) -> bool:
        return self.plan is not None and not self.issues


def _version_gate(data: Mapping[str, Any]) -> list[Finding]:
    """apiVersion and kind come first: another version's rules do not apply."""
    version = data.get("apiVersion")
    if version is None:
        return [
            Finding(
                (),
                "missing required key 'apiVersion'",
                f"start the plan with `apiVersion: {PLAN_API_VERSION}`",
            )
        ]
    if version != PLAN_API_VERSION:
        match = _VERSION.match(version) if isinstance(version, str) else None
        if match and int(match.group(1)) > 1:
            return [
                Finding(
                    ("apiVersion",),
                    f"apiVersion {version!r} is newer than entra-recovery {VERSION} reads "
                    f"({PLAN_API_VERSION})",
                    "upgrade entra-recovery (pip install --upgrade entra-recovery) to read "
                    "this plan",
                )
            ]
        return [
            Finding(
                ("apiVersion",),
                f"unknown apiVersion {plan_yaml.yaml_repr(version)}; "
                f"this entra-recovery reads {PLAN_API_VERSION!r}",
                f"set `apiVersion: {PLAN_API_VERSION}`",
            )
        ]
    kind = data.get("kind")
    if kind != PLAN_KIND:
        where: tuple[str | int, ...] = ("kind",) if "kind" in data else ()
        shown = "missing" if kind is None else plan_yaml.yaml_repr(kind)
        return [
            Finding(
                where,
                f"kind must be {PLAN_KIND!r} (got {shown})",
                f"set `kind: {PLAN_KIND}`",
            )
        ]
    return []


def _issue(path: str, lines: Sequence[str], line: int, column: int, width: int, **kw: Any) -> Issue:
    source = lines[line - 1] if 0 < line <= len(lines) else None
    return Issue(path=path, line=line, column=column, source_line=source, width=width, **kw)


def _located(doc: plan_yaml.Document, path: str, lines: Sequence[str], f: Finding) -> Issue:
    key = key_node_at(doc.root, f.path) if f.at_key else None
    where = span(key, lines) if key is not None else locate(doc.root, f.path, lines)
    return _issue(
        path,
        lines,
        where.line,
        where.column,
        where.width,
        json_path=json_path(f.path),
        message=f.message,
        hint=f.hint,
    )


def load_error_issue(error: PlanLoadError, lines: Sequence[str] = ()) -> Issue:
    """A load error as an `Issue` (at `$`), so every problem prints the same way."""
    return _issue(
        error.path,
        lines,
        error.line,
        error.column,
        1,
        json_path="$",
        message=error.message,
        hint=error.hint,
    )


def _sorted(issues: list[Issue]) -> tuple[Issue, ...]:
    unique = dict.fromkeys(issues)
    return tuple(sorted(unique, key=lambda i: (i.line, i.column, i.json_path, i.message)))


def check_file(path: str | os.PathLike[str]) -> FileResult:
    """Load and validate one plan file, collecting every problem."""
    name = os.fspath(path)
    try:
        raw = plan_yaml.read_bytes(name)
    except PlanLoadError as error:
        return FileResult(name, None, (load_error_issue(error),), error)
    return check_bytes(raw, name)


def check_bytes(raw: bytes, name: str) -> FileResult:
    """Validate a plan file's content; `name` is the path shown in issues."""
    text: str | None = None
    try:
        if len(raw) > plan_yaml.MAX_FILE_BYTES:
            plan_yaml.read_bytes_limit_error(name)
        text = plan_yaml.decode(raw, name)
        doc = plan_yaml.parse(raw, name, text)
    except PlanLoadError as error:
        lines = source_lines(text if text is not None else raw.decode("utf-8", "replace"))
        return FileResult(name, None, (load_error_issue(error, lines),), error)
    findings = _version_gate(doc.data)
    if not findings:
        findings = schema_findings(doc.data) + semantic_findings(doc.data)
    if not findings and not doc.issues:
        sha256 = hashlib.sha256(raw).hexdigest()
        return FileResult(name, build_plan(doc.data, path=name, sha256=sha256))
    lines = source_lines(text)
    issues = [
        _issue(
            name,
            lines,
            *_span_args(raw_issue.node, lines),
            json_path=json_path(raw_issue.path),
            message=raw_issue.message,
            hint=raw_issue.hint,
        )
        for raw_issue in doc.issues
    ]
    unusable = {raw_issue.path for raw_issue in doc.issues if raw_issue.replaces_value}
    issues.extend(_located(doc, name, lines, f) for f in findings if f.path not in unusable)
    return FileResult(name, None, _sorted(issues))


def _span_args(node: plan_yaml.Node, lines: Sequence[str]) -> tuple[int, int, int]:
    where = span(node, lines)
    return where.line, where.column, where.width


def load_plan(path: str | os.PathLike[str]) -> Plan:
    """Load and validate the plan at `path`.

    Raises:
        PlanLoadError: the file is missing, unreadable, not YAML or unsafe YAML.
        PlanValidationError: the plan breaks the schema or a semantic rule (all issues).
    """
    result = check_file(path)
    error = result.load_error
    if error is not None:
        raise PlanLoadError(
            f"{error.path}:{error.line}:{error.column}: {error.message}",
            path=error.path,
            line=error.line,
            column=error.column,
            hint=error.hint,
        )
    if result.plan is None:
        invalid = PlanValidationError(result.path, result.issues)
        first = result.issues[0]
        more = len(result.issues) - 1
        invalid.hint = (
            f"{first.headline()}"
            + (f" (and {more} more)" if more else "")
            + f"; run `entra-recovery plan validate {result.path}` for every problem"
        )
        raise invalid
    return result.plan


_NO_PLAN_FILES = "no plan files (*.yaml, *.yml) in this folder"


def _plan_files(raw: str) -> list[str]:
    """`raw` itself when it is not a folder; else its *.yaml/*.yml files, recursively, sorted."""
    folder = Path(raw)
    if not folder.is_dir():
        return [raw]
    return [str(p) for p in sorted(folder.rglob("*")) if p.suffix in PLAN_SUFFIXES and p.is_file()]


def expand_paths(paths: Sequence[str]) -> list[str]:
    """
    Files as given; folders expanded to their *.yaml/*.yml files (recursively, sorted); each
    file once, in the order first named.

    Raises:
        PlanLoadError: a folder holds no plan file (a typo in a CI path must not pass as
            "0 plans, all fine").
    """
    result: list[str] = []
    for raw in paths:
        found = _plan_files(raw)
        if not found:
            raise PlanLoadError(f"{raw}: {_NO_PLAN_FILES}", path=raw, hint="check the path")
        result.extend(found)
    return list(dict.fromkeys(result))


def validate_paths(paths: Sequence[str]) -> list[FileResult]:
    """Validate every plan file named (folders expanded, as `expand_paths` does); one
    `FileResult` per file, and one failed result for each folder without plan files."""
    results: list[FileResult] = []
    names: list[str] = []
    for raw in paths:
        found = _plan_files(raw)
        if not found:
            error = PlanLoadError(_NO_PLAN_FILES, path=raw, hint="check the path")
            results.append(FileResult(raw, None, (load_error_issue(error),), error))
        names.extend(found)
    for name in dict.fromkeys(names):
        results.append(check_file(name))
    return results


def build_plan(data: Mapping[str, Any], *, path: str, sha256: str) -> Plan:
    """The typed `Plan` for data that passed validation."""
    meta = data["metadata"]
    snap = data["snapshot"]
    before = parse_instant(snap["before"]) if "before" in snap else None
    scope = data["scope"]
    guards = data.get("guards") or {}
    approval = data.get("approval")
    return Plan(
        metadata=Metadata(
            name=meta["name"],
            description=meta.get("description"),
            change=meta.get("change"),
            owner=meta.get("owner"),
            reviewers=tuple(meta.get("reviewers", ())),
            labels=tuple((str(k), str(v)) for k, v in (meta.get("labels") or {}).items()),
        ),
        tenant=data["tenant"].lower(),
        snapshot=SnapshotSelector(
            latest=bool(snap.get("latest")), id=snap.get("id"), before=before
        ),
        scope=Scope(
            entity_types=tuple(scope["entityTypes"]) if "entityTypes" in scope else None,
            objects=tuple(
                ObjectScope(entity_type=o["entityType"], ids=tuple(i.lower() for i in o["ids"]))
                for o in scope["objects"]
            )
            if "objects" in scope
            else None,
        ),
        mode=PlanMode(data.get("mode", PlanMode.PREVIEW)),
        guards=Guards(
            max_changes=guards.get("maxChanges"),
            allowed_actions=tuple(guards.get("allowedActions", DEFAULT_ALLOWED_ACTIONS)),
            protected_objects=tuple(p.lower() for p in guards.get("protectedObjects", ())),
        ),
        approval=Approval(
            fingerprint=approval.get("fingerprint"),
            approved_by=tuple(approval.get("approvedBy", ())),
        )
        if approval
        else None,
        report_formats=tuple((data.get("report") or {}).get("formats", DEFAULT_REPORT_FORMATS)),
        path=path,
        sha256=sha256,
    )
