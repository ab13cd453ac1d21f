"""``flask export ...``: the donor workbook, the 360Giving open data and the IATI activity
file, from the command line (for scheduled publication and for files too large to wait for in
a browser)."""

from __future__ import annotations

from flask.cli import AppGroup

export_cli = AppGroup("export", help="Export reports and open data to files.")

# The commands live beside what they export; importing them here attaches them to the group.
from reporting.iati import cli as _iati_cli  # noqa: E402,F401
from reporting.opendata import cli as _opendata_cli  # noqa: E402,F401
from reporting.workbook import cli as _workbook_cli  # noqa: E402,F401
