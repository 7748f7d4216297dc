"""
Benchmark: validating hostile plan files of about 1 MiB each stays under a second.

Usage: python bench/bench_hostile_plans.py [--repeat N]

Each case is a plan file at the size limit built to be expensive for a YAML 1.1 loader, a
JSON Schema validator or the error renderer (a megabyte of base-60 `1:1:1...`, of digits, one
huge key, name or tenant, 19,000 unknown keys, 19,000 ids, long quoted strings, deep nesting).
Validation (`check_bytes`: YAML, schema, semantic checks, rendering the problems) is timed
in-process, best of `--repeat`; the target is under 1 s per case on the project's machine.
"""

from __future__ import annotations

import argparse
import time

from entra_recovery.plan.loader import check_bytes
from entra_recovery.plan.render import render_issue
from entra_recovery.plan.yaml import MAX_FILE_BYTES

HEAD = (
    "apiVersion: entra-recovery/v1\nkind: RecoveryPlan\nmetadata:\n  name: example\n"
    "tenant: 5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b\n"
)
TAIL = "snapshot:\n  latest: true\nscope:\n  entityTypes: [user]\n"
ROOM = MAX_FILE_BYTES - 400
TARGET_SECONDS = 1.0


def cases() -> dict[str, str]:
    """Hostile documents by name, each just under the size limit."""
    return {
        "base-60 integer": HEAD + TAIL + "guards:\n  maxChanges: " + "1:" * (ROOM // 2) + "1\n",
        "1 MB of digits": HEAD + TAIL + "guards:\n  maxChanges: " + "7" * ROOM + "\n",
        "float-shaped digits": HEAD + TAIL + "guards:\n  maxChanges: 1." + "1" * ROOM + "\n",
        "one huge key": HEAD + TAIL + "x" * ROOM + ": 1\n",
        "huge name": HEAD.replace("name: example", "name: " + "a" * ROOM) + TAIL,
        "huge tenant": HEAD.replace("tenant: 5f", "tenant: " + "5f0c1a2b-" * (ROOM // 9)) + TAIL,
        "19,000 unknown keys": HEAD + TAIL + "".join(f"latestx{i}: 1\n" for i in range(19_000)),
        "19,000 ids": HEAD
        + "snapshot:\n  latest: true\nscope:\n  objects:\n    - entityType: user\n      ids: ["
        + ",".join(f"a1b2c3d4-0001-4000-8000-{i:012d}" for i in range(19_000))
        + "]\n",
        "long quoted string": HEAD + TAIL + "labels:\n  a: '" + "\\t" * (ROOM // 2) + "'\n",
        "deep block keys": HEAD
        + TAIL
        + "labels:\n"
        + "\n".join("  " * (i + 1) + "?" for i in range(700))
        + "\n"
        + "  " * 701
        + "x\n",
        "deep flow nesting": HEAD + TAIL + "labels: " + "[" * 5000 + "]" * 5000 + "\n",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    slow = 0
    print(f"{'case':<22} {'bytes':>9} {'best s':>7}  first problem")
    for name, text in cases().items():
        raw = text.encode()[:MAX_FILE_BYTES]
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = check_bytes(raw, "hostile.yaml")
            for issue in result.issues:
                render_issue(issue)
            best = min(best, time.perf_counter() - start)
        first = result.issues[0].message[:60] if result.issues else "VALID"
        flag = "" if best < TARGET_SECONDS else "  <-- over target"
        slow += best >= TARGET_SECONDS
        print(f"{name:<22} {len(raw):>9,} {best:>7.3f}  {first}{flag}")
    print(f"{slow} case(s) over {TARGET_SECONDS:.0f} s")
    return 1 if slow else 0


if __name__ == "__main__":
    raise SystemExit(main())
