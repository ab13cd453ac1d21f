"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it accepts, and can be
stopped and started again on the same port to play an outage."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    recipient: str
    subject: str
    body_sha256: str


def normalised_body(text: str) -> str:
    """Line endings and trailing blanks differ between what was queued and what arrives."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def body_digest(text: str) -> str:
    return hashlib.sha256(normalised_body(text).encode()).hexdigest()


def normalised_subject(text: str) -> str:
    return " ".join(text.split())


class _CollectingHandler:
    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[Received] = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        body = message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        received = [Received(recipient.lower(), normalised_subject(str(message["subject"])),
                             body_digest(text)) for recipient in envelope.rcpt_tos]
        with self.lock:
            self.messages.extend(received)
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self, port: int):
        self.port = port
        self.handler = _CollectingHandler()
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        if self._controller is None:
            controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
            controller.start()
            self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.messages)
