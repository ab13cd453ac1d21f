"""Server time and SQL statements per request of the key pages, through the Flask test
client signed in as staff (the public pages and open-data files as a visitor).

Each page gets warm-up requests (caches, compiled templates, SQLAlchemy's statement cache),
then timed requests, each accepting compressed answers as a browser does (so the time includes
compressing what is compressed on the fly). The time is the wall-clock time of ``client.get``
(the whole request in the app, without a network), beside the process's CPU time; the
statements are counted with a ``before_cursor_execute`` listener on the app's engine (an
``executemany`` counts once).
"""

from __future__ import annotations

import math
import statistics
import time
import traceback
from dataclasses import asdict, dataclass, field

from sqlalchemy import event

from bench.data import STAFF_EMAIL, STAFF_PASSWORD, Generated

#: What a browser (or a harvester) sends: pages and files come back compressed, as served.
BROWSER_HEADERS = {"Accept-Encoding": "gzip, deflate, br"}

#: The whole reference period and more: the indicators over every generated record.
INDICATOR_PERIOD = {"from": "2018-01-01", "to": "2026-12-31"}


@dataclass(frozen=True)
class Page:
    key: str
    title: str
    url: str
    #: Opened by a visitor who is not signed in (the public pages and open data).
    anonymous: bool = False


@dataclass
class PageResult:
    key: str
    title: str
    url: str
    #: "ok", "missing" (404: the page does not exist yet) or "error"
    outcome: str
    status: int | None = None
    median_ms: float | None = None
    p95_ms: float | None = None
    min_ms: float | None = None
    max_ms: float | None = None
    #: Median CPU time of this process per request: less sensitive than the wall-clock
    #: time to other programs competing for the processor.
    cpu_median_ms: float | None = None
    queries: int | None = None
    #: Whether every timed request issued the same number of statements.
    queries_stable: bool | None = None
    response_kb: float | None = None
    samples_ms: list[float] = field(default_factory=list)
    samples: int = 0
    detail: str = ""

    def to_json(self) -> dict:
        return asdict(self)


def key_pages(app, generated: Generated) -> list[Page]:
    """The pages measured, their addresses built from the views' endpoints (the two reporting
    pages by their fixed public paths: they may not exist yet)."""
    from flask import url_for

    with app.test_request_context():
        return [
            Page("applications", "Staff application list",
                 url_for("applications_admin.list_applications")),
            Page("ranking", f"Ranking ({generated.ranking_applications:,} applications)",
                 url_for("ranking.ranking", panel_id=generated.ranking_panel_id)),
            Page("ledger", "Award ledger (6 entries)",
                 url_for("awards.detail", award_id=generated.ledger_award_id)),
            Page("indicators", "Indicators (2018-2026)",
                 url_for("indicators.overview", **INDICATOR_PERIOD)),
            Page("dashboard", "Dashboards", "/reports/dashboard"),
            Page("projects", "Public projects list", "/projects", anonymous=True),
            Page("calls", "Public calls list", "/calls", anonymous=True),
            # The open data as stored once built (the exports time the building).
            Page("360giving", "360Giving download (json)", "/open-data/360giving.json",
                 anonymous=True),
            Page("iati", "IATI download (xml)", "/open-data/iati.xml", anonymous=True),
        ]


class StatementCounter:
    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def _on_execute(self, *_args, **_kwargs):
        self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._on_execute)


def signed_in_client(app):
    """A test client signed in as staff through the real login form."""
    client = app.test_client()
    response = client.post("/login", data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"signing in as staff failed (HTTP {response.status_code})")
    return client


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile (p95 of 30 samples is the 29th smallest)."""
    ordered = sorted(samples)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


#: A page slower than this in total stops being timed once it has ``MIN_SAMPLES`` samples:
#: thirty requests to a page of several seconds would make the run last for ever, and a few
#: samples already show it misses the target.
PAGE_BUDGET_SECONDS = 60.0
MIN_SAMPLES = 5


def measure(app, engine, page: Page, *, warmup: int, repeat: int,
            budget: float = PAGE_BUDGET_SECONDS) -> PageResult:
    result = PageResult(key=page.key, title=page.title, url=page.url, outcome="ok")
    client = app.test_client() if page.anonymous else signed_in_client(app)
    try:
        response = None
        for _ in range(max(warmup, 1)):
            response = client.get(page.url, headers=BROWSER_HEADERS)
        result.status = response.status_code
        if response.status_code == 404:
            result.outcome = "missing"
            return result
        if response.status_code != 200:
            result.outcome = "error"
            result.detail = f"HTTP {response.status_code}"
            return result
        counts, cpu, size = [], [], 0
        began = time.perf_counter()
        with StatementCounter(engine) as counter:
            for number in range(repeat):
                if number >= MIN_SAMPLES and time.perf_counter() - began > budget:
                    result.detail = f"stopped after {number} samples ({budget:.0f} s budget)"
                    break
                counter.count = 0
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(page.url, headers=BROWSER_HEADERS)
                result.samples_ms.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
                counts.append(counter.count)
                size = len(response.data)
    except Exception as error:  # a crashing page is a finding, not the end of the run
        result.outcome = "error"
        result.detail = "".join(traceback.format_exception_only(error)).strip()
        return result
    samples = result.samples_ms
    result.median_ms = statistics.median(samples)
    result.p95_ms = percentile(samples, 0.95)
    result.min_ms, result.max_ms = min(samples), max(samples)
    result.cpu_median_ms = statistics.median(cpu)
    result.samples = len(samples)
    result.queries = max(counts)
    result.queries_stable = len(set(counts)) == 1
    result.response_kb = size / 1024
    return result


def measure_all(app, engine, generated: Generated, *, warmup: int, repeat: int,
                progress=print) -> list[PageResult]:
    results = []
    for page in key_pages(app, generated):
        progress(f"  {page.title} ({page.url}) ...")
        results.append(measure(app, engine, page, warmup=warmup, repeat=repeat))
    return results
