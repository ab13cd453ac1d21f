"""Periodic work the worker process does between its other tasks: each package registers a
task and how often it runs (retention of personal data, say). The outbox worker's loop calls
``run_due``; each task runs in its own transaction, and a failing one is logged and retried
at its next turn without stopping the others."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.extensions import db
from core.timeutil import utcnow

log = logging.getLogger(__name__)


@dataclass
class Task:
    name: str
    function: Callable[[], object]
    every: timedelta
    last_run: datetime | None = None


_tasks: dict[str, Task] = {}


def register(name: str, every: timedelta):
    """Decorator: run the function every ``every`` in the worker."""
    def decorate(function: Callable[[], object]) -> Callable[[], object]:
        _tasks[name] = Task(name, function, every)
        return function
    return decorate


def run_due(now: datetime | None = None) -> dict[str, object]:
    """Run the tasks whose time has come; returns each run task's result."""
    now = now or utcnow()
    results = {}
    for task in _tasks.values():
        if task.last_run is not None and now - task.last_run < task.every:
            continue
        task.last_run = now
        try:
            results[task.name] = task.function()
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("housekeeping task %s failed", task.name)
    return results
