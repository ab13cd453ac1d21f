"""Figures from the clients' samples (throughput and latency per action, and in total), the
readable summary and the JSON result file."""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from loadtest.browser import Sample


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of ``values`` (``share`` from 0 to 1)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


@dataclass
class ActionFigures:
    label: str
    requests: int
    per_second: float
    median_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[str, int]
    no_answer: int

    def to_json(self) -> dict:
        return self.__dict__


def figures(samples: list[Sample], elapsed: float, total_label: str = "all requests"
            ) -> tuple[list[ActionFigures], ActionFigures]:
    by_label: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_label[sample.label].append(sample)
    rows = [_figures(label, group, elapsed) for label, group in sorted(by_label.items())]
    return rows, _figures(total_label, samples, elapsed)


def _figures(label: str, samples: list[Sample], elapsed: float) -> ActionFigures:
    answered = [sample.elapsed * 1000 for sample in samples if sample.status is not None]
    statuses = Counter(str(sample.status) for sample in samples if sample.status is not None)
    return ActionFigures(
        label=label, requests=len(samples),
        per_second=round(len(samples) / elapsed, 2) if elapsed else 0.0,
        median_ms=round(percentile(answered, 0.5), 1),
        p95_ms=round(percentile(answered, 0.95), 1),
        p99_ms=round(percentile(answered, 0.99), 1),
        max_ms=round(max(answered, default=0.0), 1),
        statuses=dict(sorted(statuses.items())),
        no_answer=sum(1 for sample in samples if sample.status is None))


def table(rows: list[ActionFigures], total: ActionFigures, *, unit: str = "requests",
          statuses: bool = True) -> str:
    """``unit`` names what is counted (requests, or whole actions); ``statuses`` adds the
    HTTP status counts (for actions, only how many got no answer)."""
    rate = "req/s" if unit == "requests" else "per s"
    header = (f"{'step' if unit == 'requests' else 'action':<26}{unit:>9}{rate:>8}"
              f"{'median':>9}{'p95':>9}{'p99':>9}{'max':>9}  "
              f"{'statuses' if statuses else 'failed'}")
    lines = [header, "-" * len(header)]
    for row in [*rows, total]:
        if row is total:
            lines.append("-" * len(header))
        codes = " ".join(f"{code}:{count}" for code, count in row.statuses.items())
        if not statuses:
            codes = f"no answer:{row.no_answer}" if row.no_answer else "0"
        elif row.no_answer:
            codes += f" no-answer:{row.no_answer}"
        lines.append(f"{row.label:<26}{row.requests:>9}{row.per_second:>8.1f}"
                     f"{row.median_ms:>7.0f}ms{row.p95_ms:>7.0f}ms{row.p99_ms:>7.0f}ms"
                     f"{row.max_ms:>7.0f}ms  {codes}")
    return "\n".join(lines)


@dataclass
class Check:
    name: str
    passed: bool
    detail: str

    def to_json(self) -> dict:
        return self.__dict__


def summary(checks: list[Check]) -> str:
    width = max(len(check.name) for check in checks)
    lines = []
    for check in checks:
        mark = "PASS" if check.passed else "FAIL"
        lines.append(f"  [{mark}] {check.name:<{width}}  {check.detail}")
    return "\n".join(lines)


def write_result(directory: Path, result: dict) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = directory / f"loadtest-{stamp}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    (directory / "latest.json").write_text(path.read_text())
    return path
