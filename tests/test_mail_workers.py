"""Several `flask mail send` workers at once (real processes, as on several
hosts) against a real SMTP server: every message is delivered exactly once.
Runs on the suite's database: SQLite (conditional UPDATE claim) and
PostgreSQL (FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.mail import queue_mail
from app.models import OutboxMessage, OutboxStatus
from tests.production_support import (
    BIN,
    REPO,
    SlowSMTPServer,
    free_port,
    server_env,
    start_mail_workers,
    stop_process,
    wait_until_all_sent,
)

pytestmark = [pytest.mark.slow, pytest.mark.network]


@pytest.fixture
def slow_smtp():
    server = SlowSMTPServer(port=free_port())
    server.start()
    yield server
    server.stop()


def queue(app, count: int) -> list[str]:
    recipients = [f"czytelnik{i}@example.org" for i in range(count)]
    with app.test_request_context():
        for address in recipients:
            queue_mail(address, "test_message", "Wiadomość testowa", body=f"Treść dla {address}")
        db.session.commit()
    return recipients


@pytest.mark.slow
def test_three_mail_workers_deliver_every_message_exactly_once(
    app, database_url, slow_smtp, tmp_path
):
    recipients = queue(app, 150)
    workers = start_mail_workers(database_url, slow_smtp.port, 3, tmp_path)
    try:
        wait_until_all_sent(app, len(recipients), workers)
        slow_smtp.wait_for(len(recipients), timeout=15)
        # Give the workers a few more rounds: nothing may be sent twice.
        time.sleep(1.0)
    finally:
        outputs = [stop_process(worker) for worker in workers]
    assert not any("Traceback" in output for output in outputs), outputs
    # SIGTERM lets a worker finish its round and exit cleanly.
    assert [worker.returncode for worker in workers] == [0, 0, 0], outputs

    delivered = Counter(to for _, tos in slow_smtp.envelopes for to in tos)
    assert sorted(delivered) == sorted(recipients)
    assert set(delivered.values()) == {1}, [a for a, n in delivered.items() if n > 1]
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage)).all()
        assert {row.status for row in rows} == {OutboxStatus.SENT}
        assert {row.attempts for row in rows} == {1}
        # The work really was shared: more than one process claimed messages.
        assert len({row.claimed_by for row in rows}) >= 2


@pytest.mark.slow
def test_a_worker_started_while_the_server_is_down_delivers_later_without_duplicates(
    app, database_url, slow_smtp, tmp_path
):
    recipients = queue(app, 20)
    port = slow_smtp.port
    slow_smtp.stop()
    env = server_env(database_url, MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    down = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", "mail", "send"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert down.returncode == 0, down.stdout + down.stderr
    assert "Sent 0, failed 20." in down.stdout
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage)).all()
        assert {row.status for row in rows} == {OutboxStatus.PENDING}
        assert all(row.last_error for row in rows)
        # Retry now instead of after the backoff.
        for row in rows:
            row.next_attempt_at = row.created_at
        db.session.commit()

    slow_smtp.start()
    workers = start_mail_workers(database_url, port, 2, tmp_path)
    try:
        wait_until_all_sent(app, len(recipients), workers)
        slow_smtp.wait_for(len(recipients), timeout=15)
        time.sleep(0.5)
    finally:
        [stop_process(worker) for worker in workers]
    delivered = Counter(to for _, tos in slow_smtp.envelopes for to in tos)
    assert sorted(delivered) == sorted(recipients)
    assert set(delivered.values()) == {1}


def _attempted(app) -> list[OutboxMessage]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxMessage)).all()
        for row in rows:
            db.session.expunge(row)
        db.session.remove()
    return rows


def _wait_for(app, condition, workers, timeout: float = 60, nudge: bool = True):
    """Poll the outbox until *condition(rows)*; with *nudge*, move every
    waiting message's next try an hour earlier each round: the clock moved
    forward past the backoff, without waiting for it."""
    deadline = time.monotonic() + timeout
    rows: list[OutboxMessage] = []
    while time.monotonic() < deadline:
        rows = _attempted(app)
        if condition(rows):
            return rows
        if any(worker.poll() is not None for worker in workers):
            break
        if nudge:
            with app.app_context():
                for row in rows:
                    # Conditional: a message a worker claimed meanwhile is left alone.
                    db.session.execute(
                        db.update(OutboxMessage)
                        .where(
                            OutboxMessage.id == row.id,
                            OutboxMessage.status == OutboxStatus.PENDING,
                            OutboxMessage.next_attempt_at == row.next_attempt_at,
                        )
                        .values(next_attempt_at=row.next_attempt_at - timedelta(hours=1))
                    )
                db.session.commit()
                db.session.remove()
        time.sleep(0.2)
    outputs = [stop_process(worker)[-3000:] for worker in workers]
    raise AssertionError(
        f"condition not met: {Counter((r.status, r.attempts) for r in rows)}\n{outputs}"
    )


@pytest.mark.slow
def test_two_workers_through_an_outage_and_a_recovery_deliver_each_message_once(
    app, database_url, slow_smtp, tmp_path
):
    """The relay refuses connections, then answers 451, then accepts, while
    two `mail send --loop` workers keep running."""
    recipients = queue(app, 40)
    slow_smtp.stop()
    workers = start_mail_workers(database_url, slow_smtp.port, 2, tmp_path)
    try:
        # Connections refused: every message tried several times, none lost.
        rows = _wait_for(
            app,
            lambda rows: all(r.attempts >= 3 and r.status == "pending" for r in rows),
            workers,
        )
        assert all("refused" in (r.last_error or "").lower() for r in rows)
        # Up again, but answering "451 try again later".
        slow_smtp.temporary_failure = True
        slow_smtp.start()
        rows = _wait_for(
            app,
            lambda rows: all("451" in (r.last_error or "") for r in rows),
            workers,
        )
        # Nothing given up or sent; a row may be mid-attempt ("sending") as the
        # workers keep trying.
        assert {r.status for r in rows} <= {OutboxStatus.PENDING, OutboxStatus.SENDING}
        assert slow_smtp.delivered_to() == []
        # Accepting: everything goes out, once.
        slow_smtp.temporary_failure = False
        _wait_for(app, lambda rows: {r.status for r in rows} == {"sent"}, workers)
        slow_smtp.wait_for(len(recipients), timeout=15)
        time.sleep(0.5)  # a few more rounds: nothing may be sent twice
    finally:
        outputs = [stop_process(worker) for worker in workers]
    assert not any("Traceback" in output for output in outputs), outputs
    delivered = Counter(slow_smtp.delivered_to())
    assert sorted(delivered) == sorted(recipients)
    assert set(delivered.values()) == {1}, [a for a, n in delivered.items() if n > 1]
    rows = _attempted(app)
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    assert len({row.claimed_by for row in rows}) >= 2
