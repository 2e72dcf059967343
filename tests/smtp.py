"""A real SMTP server for tests (aiosmtpd on localhost)."""

from __future__ import annotations

import email
import email.policy
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class _Handler:
    def __init__(self, server: SMTPServer) -> None:
        self.server = server

    async def handle_DATA(self, smtp, session, envelope):  # noqa: ANN001, ANN201, N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.server.lock:
            self.server.messages.append(message)
            self.server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SMTPServer:
    """Collects every message it receives in ``messages``."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} messages, got {len(self.messages)}")

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if address in str(m["To"])]

    @staticmethod
    def text_of(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @staticmethod
    def html_of(message: EmailMessage) -> str:
        part = message.get_body(preferencelist=("html",))
        return part.get_content() if part is not None else ""
