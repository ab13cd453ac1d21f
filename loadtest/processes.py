"""The processes the load test starts: gunicorn and the outbox worker. Each runs in its own
session, so that stopping it reaches its children too; the test only ever signals the
processes it started, by their ids."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

PROJECT_DIR = Path(__file__).resolve().parent.parent


class ManagedProcess:
    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path):
        self.name = name
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.stopped = False

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.argv, env=self.env, cwd=PROJECT_DIR,
                                            stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM to the process group (a graceful stop), SIGKILL when it takes too long."""
        if self.process is None or self.stopped:
            return
        self.stopped = True
        if self.process.poll() is None:
            _signal_group(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                _signal_group(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        # Children of a killed leader (a gunicorn worker) may outlive it in the group.
        _signal_group(self.process.pid, signal.SIGKILL)

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def _signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def children_of(pid: int) -> list[int]:
    """The ids of the live processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (in parentheses) may hold spaces: read after its closing one.
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


class Gunicorn(ManagedProcess):
    def __init__(self, port: int, workers: int, env: dict[str, str], log_path: Path,
                 app: str = "loadtest.wsgi:application"):
        argv = [sys.executable, "-m", "gunicorn", "--workers", str(workers),
                "--bind", f"127.0.0.1:{port}", "--timeout", "60",
                "--graceful-timeout", "10", "--error-logfile", "-", "--no-control-socket",
                app]
        super().__init__("gunicorn", argv, env, log_path)
        self.port = port
        self.worker_count = workers

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        return children_of(self.pid) if self.alive() else []

    def cpu_seconds(self) -> float:
        """CPU time used so far by the live workers (a killed worker's is lost with it)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.workers():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            total += int(fields[11]) + int(fields[12])  # utime and stime
        return total / ticks

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError("gunicorn exited while starting:\n" + self.log_tail())
            try:
                ready = httpx.get(self.base_url + "/calls", timeout=5).status_code == 200
            except httpx.TransportError:
                ready = False
            if ready and len(self.workers()) == self.worker_count:
                return
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer in time:\n" + self.log_tail())

    def kill_worker(self, pid: int) -> None:
        if pid not in self.workers():
            raise RuntimeError(f"{pid} is not a worker of this gunicorn")
        os.kill(pid, signal.SIGKILL)

    def wait_for_replacement(self, killed: int, timeout: float = 30.0) -> list[int]:
        """The worker ids once gunicorn is back to full strength without ``killed``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            workers = self.workers()
            if killed not in workers and len(workers) == self.worker_count:
                return workers
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not replace worker {killed} within {timeout:.0f} s")


class OutboxWorker(ManagedProcess):
    """``flask outbox send`` polling every second; restarted if it ever exits, and each exit
    is remembered (it should never happen)."""

    def __init__(self, env: dict[str, str], log_path: Path):
        argv = [sys.executable, "-m", "flask", "--app", "app", "outbox", "send",
                "--interval", "1"]
        super().__init__("outbox worker", argv, env, log_path)
        self.exits: list[int] = []

    def keep_alive(self) -> None:
        if self.process is not None and not self.stopped and self.process.poll() is not None:
            self.exits.append(self.process.returncode)
            self.start()
