"""`python -m entra_recovery.emulator [--port N] [--scenario NAME|FILE]`: serve without click."""

from __future__ import annotations

import argparse
import shlex
import sys

from entra_recovery.emulator.scenario import ScenarioError
from entra_recovery.emulator.server import EmulatorServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m entra_recovery.emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--scenario", default="demo")
    parser.add_argument("--scenario-param", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--state", default=None)
    parser.add_argument("--request-log", default=None)
    parser.add_argument("--tenants", type=int, default=1, metavar="N")
    args = parser.parse_args(argv)
    params = {}
    for item in args.scenario_param:
        key, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--scenario-param {item!r} is not KEY=VALUE")
        params[key] = value
    try:
        server = EmulatorServer(
            scenario=args.scenario,
            state_file=args.state,
            host=args.host,
            port=args.port,
            request_log=args.request_log,
            params=params,
            tenants=args.tenants,
        ).start()
    except (ScenarioError, ValueError, OSError) as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    sys.stdout.write(f"export ENTRA_RECOVERY_GRAPH_URL={shlex.quote(server.url)}\n")
    sys.stdout.write(f"export ENTRA_RECOVERY_ACCESS_TOKEN={shlex.quote(server.make_token())}\n")
    for tenant_id in server.tenant_ids[1:]:
        sys.stdout.write(f"# tenant {tenant_id}: {server.make_token(tenant_id=tenant_id)}\n")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
