"""``flask export 360giving``."""

from __future__ import annotations

from reporting.cli import export_cli  # noqa: F401
