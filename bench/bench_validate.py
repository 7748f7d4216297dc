"""
Benchmark of `plan validate`: 1,000 plan files, ours vs. check-jsonschema, in the same run.

Usage: python bench/bench_validate.py [--files N] [--repeat N] [--keep DIR]

Generates N plan files (every snapshot selector and scope shape, comments, flow and block
style, about 1 in 10 with a schema error) in a temporary folder, then times, as one process
each, `entra-recovery plan validate --quiet DIR` and
`check-jsonschema --schemafile schemas/recovery-plan.schema.json FILE...` on the same files
with the same schema. Both are run `--repeat` times, alternating, and the best time of each is
reported with the ratio. Both must agree on which files are invalid (checked), and ours also
prints line and column for every problem.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "schemas" / "recovery-plan.schema.json"
TENANT = "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
TYPES = (
    "user",
    "group",
    "conditionalAccessPolicy",
    "namedLocationPolicy",
    "application",
    "servicePrincipal",
)


def _tool(name: str) -> str:
    found = Path(sys.executable).with_name(name)
    if found.exists():
        return str(found)
    on_path = shutil.which(name)
    if on_path is None:
        raise SystemExit(f"{name} not found next to {sys.executable} or on PATH")
    return on_path


def plan_text(i: int) -> str:
    """One plan; every tenth has a schema error (an unknown entity type)."""
    oid = f"a1b2c3d4-{i % 10000:04d}-4000-8000-{i:012d}"
    selector = (
        "  latest: true\n",
        "  id: MjAyNi0xMS0yN1QwMjozMDowMFo=\n",
        '  before: "2026-11-27T08:00:00Z"\n',
    )[i % 3]
    if i % 2:
        scope = f"  entityTypes: [{TYPES[i % 6]}, {TYPES[(i + 1) % 6]}]\n"
    else:
        scope = (
            "  objects:\n"
            f"    - entityType: {TYPES[i % 6]}\n"
            f"      ids:\n        - {oid}\n        - {oid[:-1]}f\n"
            "    - entityType: group\n"
            f"      ids: [b2c3d4e5-0001-4000-8000-{i:012d}]\n"
        )
    if i % 10 == 7:
        scope = "  entityTypes: [conditionalAcessPolicy]\n"  # typo: invalid on purpose
    return (
        "# yaml-language-server: $schema=../schemas/recovery-plan.schema.json\n"
        f"# Generated plan number {i} for the validation benchmark.\n"
        "apiVersion: entra-recovery/v1\n"
        "kind: RecoveryPlan\n"
        "metadata:\n"
        f"  name: bench-plan-{i}\n"
        f"  description: Benchmark plan {i}, restoring what incident {4000 + i} changed\n"
        f"  change: CHG{i:07d}\n"
        "  owner: identity-ops@contoso.com\n"
        "  reviewers: [alice@contoso.com, bob@contoso.com]\n"
        f"  labels: {{team: identity, incident: '{4000 + i}'}}\n"
        f"tenant: {TENANT}\n"
        "snapshot:\n"
        f"{selector}"
        "scope:\n"
        f"{scope}"
        "mode: preview\n"
        "guards:\n"
        f"  maxChanges: {10 + i % 90}\n"
        "  allowedActions: [update, restore]\n"
        "  protectedObjects:\n"
        "    - a1b2c3d4-0009-4000-8000-000000000009   # break glass\n"
        "report:\n"
        "  formats: [markdown, json]\n"
    )


def generate(folder: Path, count: int) -> list[Path]:
    files = []
    for i in range(count):
        path = folder / f"plan-{i:05d}.yaml"
        path.write_text(plan_text(i), encoding="utf-8")
        files.append(path)
    return files


def timed(command: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return time.perf_counter() - start, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the plans here and keep them")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-validate-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        files = generate(folder, args.files)
        expected_invalid = sum(1 for i in range(args.files) if i % 10 == 7)
        ours_cmd = [_tool("entra-recovery"), "plan", "validate", "--quiet", str(folder)]
        theirs_cmd = [_tool("check-jsonschema"), "--schemafile", str(SCHEMA)]
        theirs_cmd += [str(f) for f in files]
        ours_best = theirs_best = float("inf")
        for _ in range(args.repeat):
            seconds, ours = timed(ours_cmd)
            ours_best = min(ours_best, seconds)
            seconds, theirs = timed(theirs_cmd)
            theirs_best = min(theirs_best, seconds)
        # Same verdicts: the same files are invalid, and ours located every problem.
        ours_bad = set(re.findall(r"^(\S+?):\d+:\d+: ", ours.stdout, re.MULTILINE))
        theirs_bad = set(re.findall(r"^  (\S+?)::", theirs.stdout + theirs.stderr, re.MULTILINE))
        if ours.returncode != 1 or len(ours_bad) != expected_invalid:
            print(ours.stdout[-2000:], ours.stderr[-2000:], file=sys.stderr)
            raise SystemExit(f"ours: exit {ours.returncode}, {len(ours_bad)} invalid files")
        if theirs.returncode != 1 or len(theirs_bad) != expected_invalid:
            print(theirs.stdout[-2000:], theirs.stderr[-2000:], file=sys.stderr)
            raise SystemExit(
                f"check-jsonschema: exit {theirs.returncode}, {len(theirs_bad)} invalid files"
            )
        print(f"{args.files} plan files ({expected_invalid} invalid), best of {args.repeat}:")
        print(f"  entra-recovery plan validate DIR   {ours_best:7.3f} s  (with line:col + caret)")
        print(f"  check-jsonschema --schemafile ...  {theirs_best:7.3f} s  (no line numbers)")
        print(f"  ratio: ours is {theirs_best / ours_best:.2f}x faster")
        return 0 if ours_best < theirs_best else 1
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
