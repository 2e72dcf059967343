"""Two moderators clicking at once: real requests on real threads against a
live server. Exactly one decision wins; the other is refused, and nothing
(history, audit, mail) is written twice."""

from __future__ import annotations

import threading

import pytest
import requests

from app.models import IdeaStatus
from tests.factories import Factory
from tests.moderation_support import audit_rows, events_of, outbox

S = IdeaStatus


def _signed_in_session(live_server, make, role="moderator") -> requests.Session:  # noqa: ANN001
    user = make.user(role=role)
    session = requests.Session()
    response = session.post(
        f"{live_server.url}/staff/login",
        data={"email": user.email, "password": Factory.PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302
    return session


def _race(live_server, make, idea, decisions) -> list[int]:  # noqa: ANN001
    """Send each decision from its own signed-in session, all at once."""
    sessions = [_signed_in_session(live_server, make) for _ in decisions]
    barrier = threading.Barrier(len(decisions))
    statuses: list[int | None] = [None] * len(decisions)
    errors: list[BaseException] = []

    def send(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            response = sessions[index].post(
                f"{live_server.url}/staff/ideas/{idea.id}/decision",
                data={"version": idea.version, **decisions[index]},
                allow_redirects=False,
                timeout=60,
            )
            statuses[index] = response.status_code
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(decisions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not errors, errors
    return statuses  # type: ignore[return-value]


@pytest.mark.parametrize("attempt", range(3))
def test_two_moderators_publishing_at_once_give_one_decision_and_one_mail(
    app, make, live_server, attempt
):
    idea = make.idea(status=S.AWAITING_REVIEW)
    statuses = _race(live_server, make, idea, [{"action": "publish"}, {"action": "publish"}])
    assert sorted(statuses) == [303, 409]
    assert [e.kind for e in events_of(app, idea.id)] == ["published"]
    assert len(audit_rows(app, action="idea.publish", object_id=idea.id)) == 1
    assert len(outbox(app)) == 1
    assert make.get(type(idea), idea.id).version == idea.version + 1


def test_publish_and_reject_at_once_leave_exactly_one_outcome(app, make, live_server):
    idea = make.idea(status=S.AWAITING_REVIEW)
    statuses = _race(
        live_server,
        make,
        idea,
        [
            {"action": "publish"},
            {"action": "reject", "reason": "Poza tematem konsultacji.", "confirm": "y"},
        ],
    )
    assert sorted(statuses) == [303, 409]
    after = make.get(type(idea), idea.id)
    winner = "publish" if statuses[0] == 303 else "reject"
    assert after.status == (S.PUBLISHED if winner == "publish" else S.REJECTED)
    assert len(events_of(app, idea.id)) == 1
    assert len(audit_rows(app, object_id=idea.id, object_type="ideas")) == 1
    [message] = outbox(app)
    expected = "moderation_published" if winner == "publish" else "moderation_rejected"
    assert message.template == expected


def test_four_moderators_at_once_still_give_one_decision(app, make, live_server):
    idea = make.idea(status=S.PUBLISHED)
    statuses = _race(
        live_server, make, idea, [{"action": "hide", "reason": "Naruszenie regulaminu."}] * 4
    )
    assert sorted(statuses) == [303, 409, 409, 409]
    assert len(events_of(app, idea.id)) == 1
    assert len(outbox(app)) == 1
