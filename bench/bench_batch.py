"""
Benchmark: `plan preview` of a batch against previewing its plans one by one, and tenants
previewed side by side (issue 12).

1. One snapshot, `--plans` plans (a fifth by entity types, the rest by object ids) over the
   emulator's `large` scenario (`--size` changed objects) served by `emulator serve` in its own
   process, with the scenario's own job phases: initialized 0.1 s + calculating 1.0 s per
   preview job (loadingData 0.5 s only for a snapshot's first job, which an unmeasured warm-up
   job takes). Measured, alternating, in this process through `entra_recovery.cli.main.main`:
   - batch: one `plan preview DIR` (one shared preview job for the snapshot);
   - one by one: one `plan preview FILE` per plan, against the same emulator.
   Both write a JSON report per plan to an output folder; preview jobs are counted in the
   emulator's request log (`previewJob.create` answered 202).
2. `--tenants` tenants in one emulator: `--emulator --emulator-tenants N` over the demo scenario
   with job phases initialized 0.2 s, loadingData 0.6 s, calculating 0.6 s (1.4 s a job), one
   plan per tenant, with `--parallel 1`, 4 and N. The in-process emulator's start-up (seeding N
   tenants) is inside each run's time and printed on its own.

Usage: python bench/bench_batch.py [--size 10000] [--plans 50] [--tenants 10] [--rounds 1]
Prints a table of wall times, job counts and ratios (compare ratios within one run).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from entra_recovery.cli.main import main as cli_main
from entra_recovery.emulator.generate import group_id
from entra_recovery.emulator.generate import user_id
from entra_recovery.emulator.server import EmulatorServer
from entra_recovery.emulator.tenants import tenant_ids

TENANT = "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
GROUPS = 200  # the large scenario's default `groups`
TYPE_SCOPES = (
    ["user"],
    ["group"],
    ["user", "group"],
    ["conditionalAccessPolicy"],
    ["conditionalAccessPolicy", "namedLocationPolicy"],
    ["application", "servicePrincipal"],
    ["group", "conditionalAccessPolicy"],
    ["namedLocationPolicy"],
    ["user", "application"],
    ["servicePrincipal", "group"],
)
TENANT_DURATIONS = {"initialized": 0.2, "loadingData": 0.6, "calculating": 0.6}
POLL_INTERVAL = "0.1"


def write_plan(folder: Path, name: str, tenant: str, scope: dict[str, Any]) -> Path:
    path = folder / f"{name}.yaml"
    data = {
        "apiVersion": "entra-recovery/v1",
        "kind": "RecoveryPlan",
        "metadata": {"name": name},
        "tenant": tenant,
        "snapshot": {"latest": True},
        "scope": scope,
        "mode": "preview",
    }
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def scoped_plans(folder: Path, count: int, size: int) -> list[Path]:
    """A fifth of the plans by entity types, the rest by 25 user ids and 2 group ids each,
    spread over the generated objects."""
    folder.mkdir(parents=True)
    by_type = max(1, count // 5)
    paths = [
        write_plan(folder, f"types-{k:02d}", TENANT, {"entityTypes": TYPE_SCOPES[k % 10]})
        for k in range(by_type)
    ]
    users, by_ids = size - GROUPS, count - by_type
    step = max(25, users // max(1, by_ids))
    for k in range(by_ids):
        user_ids = [user_id((k * step + j) % users) for j in range(25)]
        group_ids = [group_id((2 * k + j) % GROUPS) for j in range(2)]
        scope = {
            "objects": [
                {"entityType": "user", "ids": user_ids},
                {"entityType": "group", "ids": group_ids},
            ]
        }
        paths.append(write_plan(folder, f"ids-{k:02d}", TENANT, scope))
    return paths


def start_emulator(size: int, log: Path) -> tuple[subprocess.Popen[str], str, str]:
    command = [sys.executable, "-m", "entra_recovery", "emulator", "serve", "--port", "0"]
    command += ["--scenario", "large", "--scenario-param", f"size={size}"]
    command += ["--request-log", str(log)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = token = None
    assert proc.stdout is not None
    while not (url and token):
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the emulator did not start")
        url = url or _match(r"(http://127\.0\.0\.1:\d+)", line)
        token = token or _match(r"(eyJ[\w-]+\.[\w-]+\.[\w-]*)", line)
    return proc, url, token


def _match(pattern: str, text: str) -> str | None:
    found = re.search(pattern, text)
    return found.group(1) if found else None


@contextlib.contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run(args: list[str]) -> tuple[float, int]:
    """One in-process CLI run, its output swallowed -> (seconds, exit code)."""
    sink = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        code = cli_main(args)
    seconds = time.perf_counter() - started
    if code not in (0, 2):
        raise SystemExit(f"{' '.join(args)} exited {code}:\n{sink.getvalue()[-2000:]}")
    return seconds, code


def preview_jobs(log: Path) -> int:
    lines = log.read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines]
    return sum(e["route"] == "previewJob.create" and e["status"] == 202 for e in entries)


def batch_against_one_by_one(
    work: Path, size: int, count: int, rounds: int
) -> list[dict[str, Any]]:
    folder = work / "plans"
    paths = scoped_plans(folder, count, size)
    log = work / "requests.jsonl"
    proc, url, token = start_emulator(size, log)
    results: list[dict[str, Any]] = []
    env = {
        "ENTRA_RECOVERY_GRAPH_URL": url,
        "ENTRA_RECOVERY_ACCESS_TOKEN": token,
        "ENTRA_RECOVERY_POLL_INTERVAL": POLL_INTERVAL,
        "ENTRA_RECOVERY_STATE_DIR": str(work / "state"),
    }
    try:
        with environment(**env):
            common = ["-q", "plan", "preview", "--format", "json", "--output-dir"]
            run([*common, str(work / "warm-up"), str(paths[0])])
            for index in range(rounds):
                jobs = preview_jobs(log)
                batch, _ = run([*common, str(work / f"batch-{index}"), str(folder)])
                batch_jobs, jobs = preview_jobs(log) - jobs, preview_jobs(log)
                one_out = str(work / f"one-{index}")
                single = sum(run([*common, one_out, str(path)])[0] for path in paths)
                single_jobs = preview_jobs(log) - jobs
                results.append(
                    {
                        "batch": batch,
                        "batch_jobs": batch_jobs,
                        "one": single,
                        "one_jobs": single_jobs,
                    }
                )
                reports = len([p for p in Path(one_out).glob("*.json") if p.stem != "summary"])
                print(
                    f"round {index + 1}: batch {batch:.2f} s ({batch_jobs} preview job), "
                    f"one by one {single:.2f} s ({single_jobs} jobs, {reports} reports)",
                    flush=True,
                )
    finally:
        proc.terminate()
        proc.wait(10)
    return results


def tenants_side_by_side(work: Path, tenants: int) -> dict[int, float]:
    scenario = work / "tenants.yaml"
    scenario.write_text(
        yaml.safe_dump({"extends": "demo", "durations": TENANT_DURATIONS}), encoding="utf-8"
    )
    folder = work / "tenant-plans"
    folder.mkdir()
    for number, tenant in enumerate(tenant_ids(TENANT, tenants), start=1):
        write_plan(folder, f"tenant-{number:02d}", tenant, {"entityTypes": ["user", "group"]})
    times: dict[int, float] = {}
    env = {"ENTRA_RECOVERY_POLL_INTERVAL": POLL_INTERVAL}
    for run_number, parallel in enumerate((1, 4, tenants, 1, 4, tenants)):
        emulator = ["--emulator", "--emulator-tenants", str(tenants)]
        emulator += ["--emulator-scenario", str(scenario)]
        out = work / f"tenants-{run_number}"
        args = [*emulator, "-q", "plan", "preview", "--format", "json", "--output-dir", str(out)]
        state = {"ENTRA_RECOVERY_STATE_DIR": str(work / f"state-{run_number}")}
        with environment(**env, **state):
            seconds, _ = run([*args, "--parallel", str(parallel), str(folder)])
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        outcomes = {plan["outcome"] for plan in summary["plans"]}
        if outcomes != {"changes"}:
            raise SystemExit(f"--parallel {parallel}: outcomes {outcomes}")
        times[parallel] = min(times.get(parallel, seconds), seconds)
        print(f"--parallel {parallel:>2}: {seconds:.2f} s", flush=True)
    return times


def startup(tenants: int) -> float:
    started = time.perf_counter()
    EmulatorServer(tenants=tenants)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--plans", type=int, default=50)
    parser.add_argument("--tenants", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        work = Path(tmp)
        print(f"1. {args.plans} plans, one snapshot, large scenario size={args.size}")
        rounds = batch_against_one_by_one(work, args.size, args.plans, args.rounds)
        print(f"2. {args.tenants} tenants, one plan each (demo, {TENANT_DURATIONS})")
        times = tenants_side_by_side(work, args.tenants)
    best = min(rounds, key=lambda r: r["batch"] / r["one"])
    print()
    print("| measurement | wall time | preview jobs | ratio |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| {args.plans} plans one by one | {best['one']:.2f} s | {best['one_jobs']} | 1 |")
    ratio = best["one"] / best["batch"]
    print(
        f"| {args.plans} plans as one batch | {best['batch']:.2f} s | {best['batch_jobs']} "
        f"| {ratio:.1f}x faster |"
    )
    for parallel, seconds in times.items():
        ratio_text = "1" if parallel == 1 else f"{times[1] / seconds:.1f}x faster"
        print(
            f"| {args.tenants} tenants, --parallel {parallel} | {seconds:.2f} s | {args.tenants} "
            f"| {ratio_text} |"
        )
    print(f"(emulator start-up with {args.tenants} demo tenants: {startup(args.tenants):.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
