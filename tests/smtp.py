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

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201, N802
        if self.server.temporary_failure:
            self.server.refusals += 1
            return "451 4.3.0 Mail server temporarily unavailable, try again later"
        if address.lower() in self.server.unknown_recipients:
            self.server.refusals += 1
            return "550 5.1.1 <" + address + ">: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):  # noqa: ANN001, ANN201, N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.server.lock:
            self.server.messages.append(message)
            self.server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SMTPServer:
    """Collects every message it receives in ``messages``.

    Faults on demand: ``stop()`` refuses connections; ``temporary_failure``
    answers every recipient with 451 (try again later); addresses in
    ``unknown_recipients`` get 550 (no such user, for good)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.temporary_failure = False
        self.unknown_recipients: set[str] = set()
        self.refusals = 0
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

    def delivered_to(self) -> list[str]:
        """Every recipient of every accepted message, repeats included."""
        with self.lock:
            return [rcpt for _sender, rcpts in self.envelopes for rcpt in rcpts]

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
