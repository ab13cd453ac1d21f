"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps every message it accepts, and can be
stopped and started again on the same port to play an outage."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

#: The outbox row a message came from, in the Message-ID the worker gives it.
_OUTBOX_ID = re.compile(r"<outbox-(\d+)\.")


@dataclass(frozen=True)
class Received:
    recipient: str
    subject: str
    #: The outbox row's id, or "" when the Message-ID names none. (Stored bodies lose their
    #: token links once delivered, so the body cannot identify a message.)
    outbox_id: str


def outbox_id(message_id: str | None) -> str:
    match = _OUTBOX_ID.match(message_id or "")
    return match.group(1) if match else ""


def normalised_subject(text: str) -> str:
    return " ".join(text.split())


class _CollectingHandler:
    def __init__(self):
        self.lock = threading.Lock()
        self.messages: list[Received] = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        received = [Received(recipient.lower(), normalised_subject(str(message["subject"])),
                             outbox_id(message["message-id"])) for recipient in envelope.rcpt_tos]
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
