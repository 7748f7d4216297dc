"""Shared helpers for the test suite (importable as `helpers.*`; pytest adds tests/ to the path)."""
