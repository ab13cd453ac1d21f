"""The performance benchmark: ``make bench`` (``python -m bench``).

Not part of the test run. It fills a fresh database with synthetic data at two scales, times
the key pages through the Flask test client (median, p95, SQL statements per request), times
the donor workbook and 360Giving exports in child processes beside a bare-openpyxl baseline,
and checks the targets. See ``bench/README.md``.
"""
