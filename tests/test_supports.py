"""Supports: e-mail confirmation, one per address, closed windows, races."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from app.extensions import db
from app.models import Idea, IdeaStatus, OutboxMessage, Support, utcnow

LINK = re.compile(r"http://odkrywka\.test(/supports/confirm/[A-Za-z0-9_\-]+)")


def confirm_paths(app, recipient: str) -> list[str]:
    with app.app_context():
        bodies = db.session.scalars(
            select(OutboxMessage.body_text)
            .where(OutboxMessage.recipient == recipient)
            .order_by(OutboxMessage.id)
        ).all()
    return [m.group(1) for body in bodies for m in LINK.finditer(body)]


def supports_count(make, idea) -> int:
    return make.get(Idea, idea.id).supports_count


def test_support_is_pending_until_the_mailed_link_is_opened(
    mail_client, mail_app, make, smtp_server
):
    idea = make.idea(title="Basen przy szkole")
    response = mail_client.post(f"/ideas/{idea.id}/support", data={"email": "Ola@Example.org"})
    assert response.status_code == 302
    assert make.count(Support, idea_id=idea.id, email="ola@example.org") == 1
    assert supports_count(make, idea) == 0

    [message] = smtp_server.wait_for(1)
    assert message["To"] == "ola@example.org"
    text = smtp_server.text_of(message)
    assert "Basen przy szkole" in text
    path = LINK.search(text).group(1)
    assert path in smtp_server.html_of(message)

    confirmed = mail_client.get(path)
    assert confirmed.status_code == 200
    assert "Dziękujemy" in confirmed.get_data(as_text=True)
    assert supports_count(make, idea) == 1
    again = mail_client.get(path)
    assert again.status_code == 200
    assert "już policzone" in again.get_data(as_text=True)
    assert supports_count(make, idea) == 1


@pytest.mark.app_config(CONFIRMATION_MAILS_PER_ADDRESS_PER_HOUR=10)
def test_one_support_per_address_per_idea(client, app, make):
    idea = make.idea()
    for address in ("jan@example.org", " JAN@example.org ", "jan@EXAMPLE.org"):
        assert client.post(f"/ideas/{idea.id}/support", data={"email": address}).status_code == 302
    assert make.count(Support, idea_id=idea.id) == 1
    paths = confirm_paths(app, "jan@example.org")
    assert len(paths) == 3  # each request mails a fresh link; only the newest works
    assert client.get(paths[0]).status_code == 404
    assert client.get(paths[-1]).status_code == 200
    assert supports_count(make, idea) == 1
    # Once counted, another request changes nothing and says so by e-mail only.
    response = client.post(f"/ideas/{idea.id}/support", data={"email": "jan@example.org"})
    assert response.status_code == 302
    assert supports_count(make, idea) == 1
    assert make.count(Support, idea_id=idea.id) == 1
    assert make.count(OutboxMessage, recipient="jan@example.org", template="support_already") == 1


@pytest.mark.app_config(CONFIRMATION_MAILS_PER_ADDRESS_PER_HOUR=3)
def test_support_mails_to_one_address_are_limited_per_hour(client, app, make):
    idea, other = make.idea(), make.idea()
    for _ in range(6):
        response = client.post(f"/ideas/{idea.id}/support", data={"email": "ofiara@example.org"})
        assert response.status_code == 302  # the same answer every time
    assert make.count(OutboxMessage, recipient="ofiara@example.org") == 3
    # The last link mailed still works: later requests changed nothing.
    assert client.get(confirm_paths(app, "ofiara@example.org")[-1]).status_code == 200
    # The limit is per idea: supporting another one is mailed as usual.
    client.post(f"/ideas/{other.id}/support", data={"email": "ofiara@example.org"})
    assert make.count(OutboxMessage, recipient="ofiara@example.org") == 4


def test_the_same_address_may_support_different_ideas(client, make):
    first, second = make.idea(), make.idea()
    for idea in (first, second):
        client.post(f"/ideas/{idea.id}/support", data={"email": "ewa@example.org"})
    assert make.count(Support, email="ewa@example.org") == 2


def test_the_reply_never_tells_whether_an_address_already_supported(client, app, make):
    idea = make.idea()
    fresh = client.post(f"/ideas/{idea.id}/support", data={"email": "a@example.org"})
    client.get(confirm_paths(app, "a@example.org")[0])
    repeat = client.post(f"/ideas/{idea.id}/support", data={"email": "a@example.org"})
    assert fresh.status_code == repeat.status_code == 302
    assert fresh.headers["Location"] == repeat.headers["Location"]


@pytest.mark.parametrize("email", ["", "not-an-address", "a@", "x" * 250 + "@example.org"])
def test_invalid_address_is_refused_back_at_the_idea_page(client, make, email):
    idea = make.idea()
    response = client.post(f"/ideas/{idea.id}/support", data={"email": email, "notify": "y"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/ideas/{idea.id}-{idea.slug}#poparcie"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="error-summary"' in page
    assert 'id="email-error"' in page
    assert 'aria-invalid="true"' in page
    if email:
        assert f'value="{email}"' in page
    assert 'id="notify" name="notify" type="checkbox" value="y"' in page
    assert "checked" in page[page.index('id="notify"') - 40 : page.index('id="notify"') + 80]
    assert make.count(Support) == 0
    # Shown once: the next visit is the plain page.
    assert 'id="error-summary"' not in client.get(f"/ideas/{idea.id}").get_data(as_text=True)


def test_a_refused_attempt_is_not_shown_on_another_idea(client, make):
    idea, other = make.idea(), make.idea(title="Inny pomysł na region")
    client.post(f"/ideas/{idea.id}/support", data={"email": "zly-adres"})
    page = client.get(f"/ideas/{other.id}").get_data(as_text=True)
    assert "zly-adres" not in page and 'id="error-summary"' not in page


def test_notify_choice_is_kept(client, make):
    idea = make.idea()
    client.post(f"/ideas/{idea.id}/support", data={"email": "n@example.org", "notify": "y"})
    client.post(f"/ideas/{idea.id}/support", data={"email": "m@example.org"})
    with client.application.app_context():
        notify = dict(db.session.execute(select(Support.email, Support.notify)).all())
    assert notify == {"n@example.org": True, "m@example.org": False}


def test_supports_close_with_the_consultation(client, app, make):
    past = utcnow() - timedelta(days=1)
    process = make.process(opens_at=past - timedelta(days=30), closes_at=past)
    idea = make.idea(process_id=process.id)
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    # No support form (following the idea stays open: its answers still come).
    assert f'action="/ideas/{idea.id}/support"' not in html
    assert "zostało zakończone" in html
    response = client.post(f"/ideas/{idea.id}/support", data={"email": "late@example.org"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count("Zbieranie poparć dla tego pomysłu zostało zakończone.") == 2
    assert make.count(Support) == 0


def test_a_link_opened_after_the_consultation_closed_does_not_count(client, app, make):
    process = make.process()
    idea = make.idea(process_id=process.id)
    client.post(f"/ideas/{idea.id}/support", data={"email": "slow@example.org"})
    from app.models import Process

    with app.app_context():
        db.session.get(Process, process.id).closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = client.get(confirm_paths(app, "slow@example.org")[0])
    assert response.status_code == 409
    assert supports_count(make, idea) == 0


def test_expired_link_does_not_count_and_is_purged(client, app, make, runner):
    idea = make.idea()
    client.post(f"/ideas/{idea.id}/support", data={"email": "old@example.org"})
    with app.app_context():
        support = db.session.scalar(select(Support))
        support.created_at = utcnow() - timedelta(days=30)
        db.session.commit()
    assert client.get(confirm_paths(app, "old@example.org")[0]).status_code == 410
    assert supports_count(make, idea) == 0
    result = runner.invoke(args=["maintenance", "purge"])
    assert "unconfirmed supports: 1" in result.output
    assert make.count(Support) == 0


@pytest.mark.parametrize(
    "status", [IdeaStatus.AWAITING_REVIEW, IdeaStatus.HIDDEN, IdeaStatus.MERGED]
)
def test_unpublished_ideas_cannot_be_supported(client, make, status):
    idea = make.idea(status=status)
    assert (
        client.post(f"/ideas/{idea.id}/support", data={"email": "x@example.org"}).status_code == 404
    )
    assert make.count(Support) == 0


def test_unknown_link_is_404(client, app):
    assert client.get("/supports/confirm/nie-ma-takiego-linku").status_code == 404


def test_support_needs_post(client, make):
    idea = make.idea()
    assert client.get(f"/ideas/{idea.id}/support").status_code == 405


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_SUPPORT="2 per minute")
def test_supports_are_rate_limited(client, make):
    idea = make.idea()
    codes = [
        client.post(f"/ideas/{idea.id}/support", data={"email": f"r{n}@example.org"}).status_code
        for n in range(3)
    ]
    assert codes == [302, 302, 429]


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_support_form_needs_its_csrf_token(client, make):
    idea = make.idea()
    response = client.post(f"/ideas/{idea.id}/support", data={"email": "c@example.org"})
    assert response.status_code == 400
    assert make.count(Support) == 0


def _in_parallel(count: int, action) -> list:  # noqa: ANN001
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(n: int) -> None:
        barrier.wait()
        try:
            results[n] = action(n)
        except Exception as error:  # noqa: BLE001 - reported by the assertion
            results[n] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_duplicate_supports_keep_one_row_and_never_fail(live_server, app, make):
    idea = make.idea()
    url = f"{live_server.url}/ideas/{idea.id}/support"

    def post(_n: int) -> int:
        return requests.post(url, data={"email": "tlum@example.org"}, allow_redirects=False,
                             timeout=30).status_code  # fmt: skip

    codes = _in_parallel(8, post)
    assert codes == [302] * 8, codes
    assert make.count(Support, idea_id=idea.id) == 1


@pytest.mark.slow
def test_concurrent_confirmations_count_once(live_server, app, make):
    idea = make.idea()
    app.test_client().post(f"/ideas/{idea.id}/support", data={"email": "klik@example.org"})
    path = confirm_paths(app, "klik@example.org")[0]

    def get(_n: int) -> int:
        return requests.get(live_server.url + path, timeout=30).status_code

    codes = _in_parallel(8, get)
    assert codes == [200] * 8, codes
    assert supports_count(make, idea) == 1
