"""
Benchmark: the runner's preview against a plain HTTP loop, over the emulator's `large` scenario.

The emulator runs in its own process. Each measured side runs in a fresh process of its own,
so wall time and peak memory (ru_maxrss) are its alone:

- plain:  create a preview job, poll it, fetch every getChanges page at $top=999 with
          http.client, parse the JSON; nothing else.
- runner: what `plan preview --format json --output-dir DIR` does: `PlanRunner.preview()`
          through msgraph-sdk (tenant check, snapshot, job, polling, paging, diff model,
          fingerprint, guards, journal, saved preview) and the JSON report written to a file,
          the cyclic GC paused as the command pauses it: that is the measured time. Then every
          other report format is written too (timed separately, and counted in peak memory).

Both sides are timed from their first request; module imports (for the runner, the SDK stack)
are process start-up and come before, the runner's printed. One warm-up job runs first.

Usage: python bench/bench_runner.py [--size 100000] [--rounds 5]
Prints one line per measurement and the ratios; targets: runner preview <= 1.5x plain,
peak memory < 400 MB.
"""

from __future__ import annotations

import argparse
import gc
import http.client
import importlib
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

TENANT = "5f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b"
PREFER = "include-unknown-enum-members"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def start_emulator(size: int) -> tuple[subprocess.Popen[str], str, str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "entra_recovery",
            "emulator",
            "serve",
            "--port",
            "0",
            "--scenario",
            "large",
            "--scenario-param",
            f"size={size}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = token = None
    assert proc.stdout is not None
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and not (url and token):
        line = proc.stdout.readline()
        if not line:
            break
        url = url or _match(r"(http://127\.0\.0\.1:\d+)", line)
        token = token or _match(r"(eyJ[\w-]+\.[\w-]+\.[\w-]*)", line)
    if not (url and token):
        proc.kill()
        raise SystemExit("the emulator did not start")
    return proc, url, token


def _match(pattern: str, text: str) -> str | None:
    found = re.search(pattern, text)
    return found.group(1) if found else None


def plain(url: str, token: str) -> None:
    """Create, poll, and page through getChanges with nothing but http.client."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port)
    headers = {"Authorization": f"Bearer {token}", "Prefer": PREFER}

    def get(path: str) -> dict:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        if response.status != 200:
            raise SystemExit(f"GET {path}: {response.status} {body[:200]!r}")
        return json.loads(body)

    start = time.perf_counter()
    snapshots = get("/v1.0/directory/recovery/snapshots")["value"]
    sid = max(snapshots, key=lambda s: s["createdDateTime"])["id"]
    conn.request(
        "POST",
        f"/v1.0/directory/recovery/snapshots/{sid}/recoveryPreviewJobs",
        body=b"",
        headers={**headers, "Content-Length": "0"},
    )
    response = conn.getresponse()
    response.read()
    location = urlsplit(response.getheader("Location") or "").path
    while get(location)["status"] not in ("successful", "failed", "abandoned"):
        time.sleep(0.05)
    count = 0
    paging_start = time.perf_counter()
    page = location + "/microsoft.graph.entraRecoveryServices.getChanges?$top=999"
    while page:
        data = get(page)
        count += len(data["value"])
        nxt = data.get("@odata.nextLink")
        page = (urlsplit(nxt).path + "?" + urlsplit(nxt).query) if nxt else ""
    elapsed = time.perf_counter() - start
    record = {
        "side": "plain",
        "changes": count,
        "seconds": elapsed,
        "paging_seconds": time.perf_counter() - paging_start,
        "peak_mb": _peak_mb(),
    }
    print(json.dumps(record))


def runner(url: str, token: str) -> None:
    """The runner's preview, then every report format."""
    from entra_recovery.cli.gcpause import paused_gc
    from entra_recovery.graph.client import open_client
    from entra_recovery.graph.settings import GraphSettings
    from entra_recovery.plan import load_plan
    from entra_recovery.runner.events import NoopEvents
    from entra_recovery.runner.reporting import build_report
    from entra_recovery.runner.runner import PlanRunner

    marks: dict[str, float] = {}

    class Marks(NoopEvents):
        def stage_started(self, stage: str, detail: str) -> None:
            marks.setdefault(f"{stage}-start", time.perf_counter())

        def stage_finished(self, stage: str, detail: str) -> None:
            marks[f"{stage}-end"] = time.perf_counter()

    work = Path(tempfile.mkdtemp(prefix="bench-runner-"))
    plan_file = work / "all.yaml"
    plan_file.write_text(
        "apiVersion: entra-recovery/v1\nkind: RecoveryPlan\nmetadata: {name: bench-all}\n"
        f"tenant: {TENANT}\nsnapshot: {{latest: true}}\n"
        "scope: {entityTypes: [user, group, application, servicePrincipal, "
        "conditionalAccessPolicy, namedLocationPolicy]}\n",
        encoding="utf-8",
    )
    plan = load_plan(plan_file)
    settings = GraphSettings(
        graph_url=url, access_token=token, auth_method="token", poll_interval=0.05
    )

    # Importing the SDK stack (msgraph, kiota, azure-core, httpx and the transport modules
    # httpx loads on first use) is process start-up, like the interpreter's: neither side
    # times its imports. It is measured and printed, not hidden.
    t0 = time.perf_counter()
    for module in (
        "msgraph_core",
        "msgraph.graph_request_adapter",
        "msgraph.graph_service_client",
        "kiota_authentication_azure.azure_identity_authentication_provider",
        "httpcore",
        "h2.connection",
        "anyio._backends._asyncio",
    ):
        importlib.import_module(module)
    sdk_import_s = time.perf_counter() - t0

    async def go() -> Any:
        async with open_client(settings) as graph:
            runner = PlanRunner(graph, state_dir=work / "state", poll_interval=0.05, events=Marks())
            return await runner.preview(plan)

    # As `plan preview` does: the cyclic GC is paused for the command (entra_recovery.cli.gcpause).
    with paused_gc():
        record = measure(go, build_report, plan, marks)
    # The collection the re-enabled collector owes, paid after the reports are written.
    t0 = time.perf_counter()
    gc.collect()
    record["gc_after_reports"] = round(time.perf_counter() - t0, 3)
    record["peak_mb"] = _peak_mb()
    record["sdk_import_seconds"] = round(sdk_import_s, 3)
    print(json.dumps(record))


def measure(go: Any, build_report: Any, plan: Any, marks: dict[str, float]) -> dict[str, Any]:
    """Preview, JSON report, then the other formats, as `plan preview` writes them."""
    from entra_recovery import aio
    from entra_recovery.cli.gcpause import paused_gc
    from entra_recovery.cli.output import ReportWriter
    from entra_recovery.report import RENDERERS

    work = Path(plan.path).parent
    start = time.perf_counter()
    preview = aio.run(go())
    preview_s = time.perf_counter() - start
    timings = {}
    t0 = time.perf_counter()
    report = build_report(preview)  # type: ignore[arg-type]
    out = work / "reports"
    out.mkdir()
    for name in ("json", *(n for n in RENDERERS if n != "json")):
        if name == "terminal":  # the CLI prints it; here it goes to a file the same way
            with (out / "bench-all.txt").open("w", encoding="utf-8") as handle, paused_gc():
                for chunk in RENDERERS[name].iter_render(report):
                    handle.write(chunk)
        else:  # what `plan preview --format NAME --output-dir DIR` does
            writer = ReportWriter(
                formats=[name], output_dir=out, output=None, color=False, verbose=0, several=False
            )
            writer.write(plan, report)
        timings[name] = time.perf_counter() - t0
        t0 = time.perf_counter()
    # The measured preview: everything up to the JSON report on disk (the other formats after).
    seconds = preview_s + timings["json"]
    stages = {
        "resolve": marks["preview-job-start"] - start,
        "job": marks["changes-start"] - marks["preview-job-start"],
        "changes": marks["changes-end"] - marks["changes-start"],
        "after_changes": start + preview_s - marks["changes-end"],
        "json_report": timings["json"],
    }
    return {
        "side": "runner",
        "changes": len(preview.diff.changes),
        "seconds": seconds,
        "paging_seconds": seconds - marks["changes-start"] + start,
        "stages": {k: round(v, 3) for k, v in stages.items()},
        "render_seconds": {k: round(v, 3) for k, v in timings.items()},
        "report_bytes": {p.suffix: p.stat().st_size for p in out.iterdir()},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--side", choices=["plain", "runner"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--token", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        (plain if args.side == "plain" else runner)(args.url, args.token)
        return 0
    proc, url, token = start_emulator(args.size)
    results: dict[str, list[dict[str, Any]]] = {"plain": [], "runner": []}

    def run_side(side: str) -> dict[str, Any]:
        out = subprocess.run(
            [sys.executable, __file__, "--side", side, "--url", url, "--token", token],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ},
        )
        record: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
        return record

    try:
        # Warm-up, not counted: the first job of a snapshot also loads it (`loadingData`).
        run_side("plain")
        for _ in range(args.rounds):
            for side in ("plain", "runner"):
                record = run_side(side)
                results[side].append(record)
                print(json.dumps(record))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    best = {side: min(r["seconds"] for r in rs) for side, rs in results.items()}
    paired = sorted(
        r["seconds"] / p["seconds"]
        for p, r in zip(results["plain"], results["runner"], strict=True)
    )
    peak = max(r["peak_mb"] for r in results["runner"])
    paging = {side: min(r["paging_seconds"] for r in rs) for side, rs in results.items()}
    print(f"changes: {results['runner'][0]['changes']}")
    print(
        f"whole preview, best of {args.rounds}: plain loop {best['plain']:.2f} s; runner "
        f"(preview + JSON report) {best['runner']:.2f} s; "
        f"ratio {best['runner'] / best['plain']:.2f} (target <= 1.5); median of the "
        f"{len(paired)} rounds' own ratios {statistics.median(paired):.2f}"
    )
    print(
        f"from the first change page on: plain {paging['plain']:.2f} s; runner (paging, diff, "
        f"fingerprint, saved preview, JSON report) {paging['runner']:.2f} s; "
        f"ratio {paging['runner'] / paging['plain']:.2f}"
    )
    print(f"runner peak memory incl. every report format: {peak:.0f} MB (target < 400)")
    sdk = min(r["sdk_import_seconds"] for r in results["runner"])
    print(f"runner: importing msgraph-sdk before the timer (process start-up): {sdk:.2f} s")
    after = max(r["gc_after_reports"] for r in results["runner"])
    print(f"runner: the garbage collection owed once the reports are written: {after:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
