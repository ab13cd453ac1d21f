"""The settings every process of a run shares (the seeding in this process, gunicorn, the
outbox worker, ``flask db upgrade``), given as environment variables as a deployment would."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from loadtest.processes import PROJECT_DIR

#: Generous: fifty clients share one address and every worker keeps its own count.
LOGIN_RATE_LIMIT = "2000 per minute"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Environment:
    database_url: str
    instance_dir: Path
    web_port: int
    smtp_port: int
    secret_key: str = ""

    def __post_init__(self):
        self.secret_key = self.secret_key or secrets.token_urlsafe(48)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def variables(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("MAIL_", "FLASK_"))}
        env.update({
            "APP_ENV": "production",
            "DATABASE_URL": self.database_url,
            "INSTANCE_PATH": str(self.instance_dir),
            "SECRET_KEY": self.secret_key,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(self.smtp_port),
            "MAIL_DEFAULT_SENDER": "Open Government Grants <no-reply@loadtest.example.org>",
            "PUBLIC_BASE_URL": self.base_url,
            # Plain HTTP on the loopback: a Secure cookie would never come back.
            "SESSION_COOKIE_SECURE": "0",
            "LOADTEST_LOGIN_RATE_LIMIT": LOGIN_RATE_LIMIT,
            "PYTHONUNBUFFERED": "1",
        })
        env.pop("REDIS_URL", None)
        return env

    def apply_here(self) -> None:
        """Use the same settings in this process (for seeding)."""
        for key in [key for key in os.environ if key.startswith("MAIL_")]:
            del os.environ[key]
        os.environ.update(self.variables())

    def flask(self, *args: str, log_path: Path) -> None:
        with open(log_path, "ab") as log:
            finished = subprocess.run(
                [sys.executable, "-m", "flask", "--app", "app", *args], env=self.variables(),
                cwd=PROJECT_DIR, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, timeout=300)
        if finished.returncode:
            output = log_path.read_text(errors="replace").splitlines()[-30:]
            raise RuntimeError(f"flask {' '.join(args)} failed:\n" + "\n".join(output))
