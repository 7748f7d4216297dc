"""
Benchmark: how fast the emulator serves a 100,000-change preview, and its peak memory.

The emulator runs in its own process (`entra-recovery emulator serve --scenario large`); this
script is a plain http.client client on one keep-alive connection:

1. start-up: until the server prints its URL (tenant generation included),
2. preview: POST recoveryPreviewJobs, poll the Location every 0.05 s until successful
   (the scenario's phase durations, 1.6 s, are part of this figure),
3. paging: GET getChanges at $top=999 following @odata.nextLink, parsing every page,
4. recovery: POST recoveryJobs for everything, poll until successful, then a fresh preview
   must be empty (the full-recovery loop at scale).

Usage: python bench/bench_emulator.py [--size 100000] [--top 999]
Prints wall times, changes/s served and the emulator's peak RSS (VmHWM); fails unless the
preview has at least `size` changes, paging serves > 10,000 changes/s, and the loop ends empty.
"""

from __future__ import annotations

import argparse
import http.client
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PREFER = "include-unknown-enum-members"
NS = "microsoft.graph.entraRecoveryServices"


def start(size: int) -> tuple[subprocess.Popen[str], str, str, float]:
    started = time.perf_counter()
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
        stderr=subprocess.DEVNULL,
        text=True,
    )
    url = token = ""
    assert proc.stdout is not None
    for line in proc.stdout:
        key, _, value = line.strip().partition("=")
        if key == "ENTRA_RECOVERY_GRAPH_URL":
            url = value
        elif key == "ENTRA_RECOVERY_ACCESS_TOKEN":
            token = value
            break
    return proc, url, token, time.perf_counter() - started


class Client:
    def __init__(self, url: str, token: str) -> None:
        split = urlsplit(url)
        self.base = url
        self.conn = http.client.HTTPConnection(split.hostname or "127.0.0.1", split.port)
        self.headers = {"Authorization": f"Bearer {token}", "Prefer": PREFER}
        self.bytes = 0

    def call(self, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
        if path.startswith(self.base):
            path = path[len(self.base) :]
        self.conn.request(method, path, headers=self.headers)
        response = self.conn.getresponse()
        body = response.read()
        self.bytes += len(body)
        return response.status, dict(response.getheaders()), body

    def json(self, path: str) -> Any:
        status, _, body = self.call("GET", path)
        assert status == 200, body[:300]
        return json.loads(body)

    def run_job(self, sid: str, kind: str) -> tuple[str, float]:
        started = time.perf_counter()
        status, headers, body = self.call(
            "POST", f"/v1.0/directory/recovery/snapshots/{sid}/{kind}"
        )
        assert status == 202, body[:300]
        location = headers["Location"]
        while True:
            job = self.json(location)
            if job["status"] in ("successful", "failed", "abandoned"):
                assert job["status"] == "successful", job
                return location, time.perf_counter() - started
            time.sleep(0.05)

    def changes(self, location: str, top: int) -> tuple[int, int, float]:
        started = time.perf_counter()
        url: str | None = f"{location}/{NS}.getChanges?$top={top}"
        total = pages = 0
        while url:
            page = self.json(url)
            total += len(page["value"])
            pages += 1
            url = page.get("@odata.nextLink")
        return total, pages, time.perf_counter() - started


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--size", type=int, default=100000)
    parser.add_argument("--top", type=int, default=999)
    args = parser.parse_args()
    proc, url, token, startup = start(args.size)
    try:
        client = Client(url, token)
        sid = client.json("/v1.0/directory/recovery/snapshots")["value"][-1]["id"]
        location, job_time = client.run_job(sid, "recoveryPreviewJobs")
        client.bytes = 0
        total, pages, paging = client.changes(location, args.top)
        served = client.bytes
        rate = total / paging
        print(f"start-up (generate {args.size:,} changed objects): {startup:6.2f} s")
        print(f"preview job until successful (incl. 1.6 s phases): {job_time:6.2f} s")
        print(
            f"getChanges: {total:,} changes in {pages} pages of {args.top}: {paging:6.2f} s "
            f"= {rate:,.0f} changes/s, {served / paging / 1e6:.1f} MB/s"
        )
        _, recovery_time = client.run_job(sid, "recoveryJobs")
        print(f"recovery job applying {total:,} changes (incl. phases): {recovery_time:6.2f} s")
        after, job2 = client.run_job(sid, "recoveryPreviewJobs")
        left, _, _ = client.changes(after, args.top)
        print(f"preview after the full recovery: {left} changes ({job2:.2f} s)")
        print(f"emulator peak memory (VmHWM): {peak_rss_mb(proc.pid):,.0f} MB")
        ok = total >= args.size and rate > 10000 and left == 0
        print("OK" if ok else "FAILED: expected >= size changes, > 10,000/s and an empty loop")
        return 0 if ok else 1
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    raise SystemExit(main())
