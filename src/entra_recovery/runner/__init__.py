"""runner layer (see shared/design.md)."""

from __future__ import annotations
