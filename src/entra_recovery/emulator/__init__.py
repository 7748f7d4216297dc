"""
The Graph emulator: a local stand-in for Microsoft Graph's `/directory/recovery` API.

`server.EmulatorServer` serves a scenario tenant (`scenarios/*.yaml`) over HTTP on loopback;
`entra_recovery.testing` wraps it in pytest fixtures and `entra-recovery emulator serve` runs
it from the command line. See docs/emulator.md.
"""

from __future__ import annotations
