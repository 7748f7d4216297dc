"""`python -m entra_recovery` runs the command line tool."""

from __future__ import annotations

from entra_recovery.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
