"""One scale from start to end: a fresh database, the data, the pages, the exports."""

from __future__ import annotations

import gc
import os
import platform
import sqlite3
import time
from dataclasses import dataclass, field

from werkzeug.security import generate_password_hash

from bench import burst, database, exports, pages
from bench.data import STAFF_PASSWORD, generate
from bench.scales import Scale


@dataclass
class ScaleResult:
    scale: str
    database: str
    started_at: str
    seconds: float = 0.0
    generation_seconds: float = 0.0
    counts: dict = field(default_factory=dict)
    pages: list = field(default_factory=list)
    exports: list = field(default_factory=list)
    #: ``bench.burst``'s result, or None when not measured.
    burst: object = None
    environment: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"scale": self.scale, "database": self.database, "started_at": self.started_at,
                "seconds": round(self.seconds, 1),
                "generation_seconds": round(self.generation_seconds, 1),
                "counts": self.counts, "pages": [page.to_json() for page in self.pages],
                "exports": [export.to_json() for export in self.exports],
                "burst": self.burst.to_json() if self.burst is not None else None,
                "environment": self.environment}


def _environment(engine) -> dict:
    with engine.connect() as connection:
        version = connection.exec_driver_sql(
            "SELECT sqlite_version()" if engine.dialect.name == "sqlite"
            else "SHOW server_version").scalar()
    return {"python": platform.python_version(), "cpus": os.cpu_count(),
            "database_version": version, "sqlite_module": sqlite3.sqlite_version,
            "load_average_at_start": os.getloadavg()}


def run_scale(scale: Scale, *, postgres_url: str | None, warmup: int, repeat: int,
              with_exports: bool, keep: bool, gc_freeze: bool = False,
              with_burst: bool = True, progress=print) -> ScaleResult:
    from core.extensions import db

    started = time.perf_counter()
    target = database.new_target(postgres_url)
    result = ScaleResult(scale=scale.name, database=target.label,
                         started_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    try:
        app = database.create_bench_app(target)
        progress(f"Scale {scale.name} on {target.label}: migrating an empty database ...")
        database.prepare_schema(app)
        progress(f"Scale {scale.name}: generating data ...")
        password_hash = generate_password_hash(STAFF_PASSWORD,
                                               method=app.config["PASSWORD_HASH_METHOD"])
        with app.app_context():
            engine = db.engine
            began = time.perf_counter()
            with engine.begin() as connection:
                generated = generate(connection, scale, password_hash=password_hash)
            database.after_bulk_load(engine)
            result.generation_seconds = time.perf_counter() - began
            result.counts = generated.counts
            result.environment = _environment(engine)
        progress(f"Scale {scale.name}: {result.generation_seconds:.1f} s to generate "
                 f"{sum(generated.counts.values()):,} rows. Measuring the pages ...")
        if gc_freeze:
            # What a server can do once its app is loaded: the collector then leaves the
            # app's own objects alone instead of walking them on every full collection.
            gc.collect()
            gc.freeze()
        result.environment["gc_freeze"] = gc_freeze
        # Outside any app context: each request gets its own, as in production.
        result.pages = pages.measure_all(app, engine, generated, warmup=warmup, repeat=repeat,
                                         progress=progress)
        if with_exports:
            progress(f"Scale {scale.name}: measuring the exports ...")
            result.exports = exports.measure(target.url, target.instance, progress=progress)
        engine.dispose()
        if with_burst:
            progress(f"Scale {scale.name}: the download burst ...")
            result.burst = burst.measure(target.url, target.instance, progress=progress)
        if gc_freeze:
            gc.unfreeze()
        result.environment["load_average_at_end"] = os.getloadavg()
    finally:
        if keep:
            progress(f"Scale {scale.name}: kept {target.url}")
        else:
            database.remove(target)
    result.seconds = time.perf_counter() - started
    return result
