"""A page timed while the open data is being downloaded: gunicorn (4 sync workers, the
production settings, ``bench/wsgi.py``) on the scale's database; 8 anonymous clients download
the 360Giving JSON and spreadsheet and the IATI file over and over, without validators (a
full body each time, as new visitors would); meanwhile another client times ``/calls`` over
HTTP, the page a visitor opens first. The downloads are made once before, so the files are
built and stored: the burst measures serving them, not building them (the exports measure
that).
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

from bench.pages import percentile

CLIENTS = 8
DOWNLOADS = ("/open-data/360giving.json", "/open-data/360giving.xlsx", "/open-data/iati.xml")
TIMED_PAGE = "/calls"
WORKERS = 4
#: Untimed requests for the page per worker before it is timed.
WARMUP_PER_WORKER = 3


@dataclass
class BurstResult:
    #: "ok", "error" or "missing" (an address of the burst answers 404)
    outcome: str
    page: str = TIMED_PAGE
    clients: int = CLIENTS
    median_ms: float | None = None
    p95_ms: float | None = None
    samples: int = 0
    downloads: int = 0
    download_median_ms: float | None = None
    download_errors: int = 0
    #: The same page timed over HTTP without the burst, for comparison.
    quiet_p95_ms: float | None = None
    detail: str = ""
    samples_ms: list[float] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


def _time_page(base_url: str, samples: int) -> list[float]:
    timings = []
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for _ in range(samples):
            started = time.perf_counter()
            response = client.get(TIMED_PAGE, headers={"Accept-Encoding": "gzip"})
            timings.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
    return timings


def _downloader(base_url: str, number: int, stop: threading.Event, timings: list[float],
                errors: list[str]) -> None:
    with httpx.Client(base_url=base_url, timeout=120) as client:
        turn = number
        while not stop.is_set():
            path = DOWNLOADS[turn % len(DOWNLOADS)]
            turn += 1
            started = time.perf_counter()
            try:
                response = client.get(path, headers={"Accept-Encoding": "gzip"})
            except httpx.TransportError as error:
                errors.append(f"{path}: {error}")
                continue
            timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                errors.append(f"{path}: HTTP {response.status_code}")


def measure(database_url: str, instance: Path, *, samples: int = 60,
            progress=print) -> BurstResult:
    from loadtest.environment import Environment, free_port
    from loadtest.processes import Gunicorn

    environment = Environment(database_url=database_url, instance_dir=instance,
                              web_port=free_port(), smtp_port=free_port())
    server = Gunicorn(environment.web_port, WORKERS, environment.variables(),
                      instance / "burst-gunicorn.log", app="bench.wsgi:application")
    result = BurstResult(outcome="ok")
    server.start()
    try:
        server.wait_ready()
        with httpx.Client(base_url=server.base_url, timeout=300) as client:
            for path in DOWNLOADS:  # built and stored once, before the burst
                status = client.get(path).status_code
                if status != 200:
                    result.outcome = "missing" if status == 404 else "error"
                    result.detail = f"{path}: HTTP {status}"
                    return result
        # Every worker serves the page a few times first (its templates compiled, its
        # connections open), as the pages are warmed up before they are timed.
        _time_page(server.base_url, WARMUP_PER_WORKER * WORKERS)
        result.quiet_p95_ms = percentile(_time_page(server.base_url, samples // 2), 0.95)
        progress(f"  {CLIENTS} clients downloading the open data while {TIMED_PAGE} is "
                 "timed ...")
        stop, timings, errors = threading.Event(), [], []
        threads = [threading.Thread(target=_downloader, daemon=True,
                                    args=(server.base_url, number, stop, timings, errors))
                   for number in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)  # every client has a download under way
        try:
            result.samples_ms = _time_page(server.base_url, samples)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=150)
        result.samples = len(result.samples_ms)
        result.median_ms = statistics.median(result.samples_ms)
        result.p95_ms = percentile(result.samples_ms, 0.95)
        result.downloads = len(timings)
        result.download_median_ms = statistics.median(timings) if timings else None
        result.download_errors = len(errors)
        if errors:
            result.detail = "; ".join(errors[:3])
    except Exception as error:  # a failing burst is a finding, not the end of the run
        result.outcome = "error"
        result.detail = f"{type(error).__name__}: {error}"[-600:]
    finally:
        server.stop()
    return result
