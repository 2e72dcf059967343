"""Telling people about directions: one mail per person per change, a digest
for several changes in a day, also under concurrent changes, and a link that
stops such mail (one click, no cookie, no CSRF token)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select

from app import notices
from app.directions import mail, services
from app.errors import ServiceError
from app.extensions import db
from app.mail import deliver_due
from app.models import (
    Direction,
    DirectionIdea,
    DirectionMailOptOut,
    Notice,
    OutboxMessage,
    Support,
    utcnow,
)
from app.privacy.services import erase_personal_data, export_personal_data
from tests.smtp import SMTPServer

AUTHOR = "autorka@example.org"


def _idea(make, process_id, n, email=AUTHOR, **extra):
    return make.idea(process_id=process_id, title=f"Pomysł do kierunku {n}", email=email, **extra)


def _support(app, idea_id, email, *, notify=True, confirmed=True):
    with app.app_context():
        db.session.add(
            Support(
                idea_id=idea_id,
                email=email,
                notify=notify,
                confirmed_at=utcnow() if confirmed else None,
            )
        )
        db.session.commit()


def _direction(app, make, process_id, title="Turystyka na odkrywce") -> int:
    with app.test_request_context():
        direction = services.create_direction(
            services.DirectionData(process_id, title, "", "Opis.", "Wydział"), None
        )
        db.session.commit()
        return direction.id


def _link(app, direction_id, idea_id):
    with app.test_request_context():
        link = services.link_idea(db.session.get(Direction, direction_id), idea_id, "", None)
        db.session.commit()
        return link.id


def _status(app, direction_id, status, reason="Powód zmiany statusu."):
    with app.test_request_context():
        services.change_status(db.session.get(Direction, direction_id), status, reason, None, None)
        db.session.commit()


def _notices(app) -> list[tuple[str, str]]:
    with app.app_context():
        return list(
            db.session.execute(
                select(Notice.recipient, Notice.event).order_by(Notice.recipient, Notice.id)
            ).tuples()
        )


def _tomorrow_morning() -> datetime:
    return utcnow() + timedelta(days=1, hours=1)


def test_taking_up_an_idea_tells_the_author_and_supporters_who_asked_once_each(app, make):
    process = make.process()
    idea = _idea(make, process.id, 1)
    _support(app, idea.id, "ola@example.org")
    _support(app, idea.id, "OLA@example.org ", notify=True)  # the same person, typed again
    _support(app, idea.id, "cichy@example.org", notify=False)
    _support(app, idea.id, "niepotwierdzony@example.org", confirmed=False)
    _support(app, idea.id, AUTHOR)  # the author supports it too
    unconsented = _idea(make, process.id, 2, email="bez-zgody@example.org", consented_at=None)
    direction_id = _direction(app, make, process.id)

    link_id = _link(app, direction_id, idea.id)
    _link(app, direction_id, unconsented.id)

    event = f"direction:{direction_id}:link:{link_id}"
    assert _notices(app) == [(AUTHOR, event), ("ola@example.org", event)]
    with app.app_context():
        notice = db.session.scalar(select(Notice).where(Notice.recipient == AUTHOR))
        assert notice.cadence == "daily" and notice.kind == "direction"
        assert "Pomysł do kierunku 1" in notice.title and "Turystyka na odkrywce" in notice.title
        assert notice.url.endswith("/directions/turystyka-na-odkrywce")
        assert urlsplit(notice.unsubscribe_url).path.startswith("/directions/unsubscribe/")


def test_a_status_change_is_one_mail_per_person_however_many_of_their_ideas(app, make):
    process = make.process()
    first, second = _idea(make, process.id, 1), _idea(make, process.id, 2)
    _support(app, first.id, "jan@example.org")
    _support(app, second.id, "jan@example.org")
    direction_id = _direction(app, make, process.id)
    _link(app, direction_id, first.id)
    _link(app, direction_id, second.id)
    with app.app_context():
        db.session.execute(Notice.__table__.delete())
        db.session.commit()

    _status(app, direction_id, "submitted")

    with app.app_context():
        recipients = db.session.scalars(select(Notice.recipient).order_by(Notice.recipient)).all()
        assert recipients == [AUTHOR, "jan@example.org"]


def test_several_changes_in_one_day_go_out_as_one_digest(mail_app, make, smtp_server):
    app = mail_app
    process = make.process()
    idea = _idea(make, process.id, 1)
    direction_id = _direction(app, make, process.id, title="Energopolis")
    _link(app, direction_id, idea.id)
    _status(app, direction_id, "submitted", "Wniosek złożony w naborze.")
    _status(app, direction_id, "funded", "Przyznano dofinansowanie.")
    assert len(_notices(app)) == 3

    with app.test_request_context():
        assert notices.send_due(now=utcnow()) == 0  # not before the digest hour
        assert notices.send_due(now=_tomorrow_morning()) == 1
        assert notices.send_due(now=_tomorrow_morning() + timedelta(hours=2)) == 0
        deliver_due()
    [message] = smtp_server.wait_for(1)
    assert message["To"] == AUTHOR
    assert message["Subject"] == "Odkrywka: 3 nowe wiadomości"
    assert message["List-Unsubscribe"].startswith("<http://odkrywka.test/directions/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = SMTPServer.text_of(message)
    assert "http://odkrywka.test/directions/energopolis" in text
    assert "przyznano finansowanie" in text and "Przyznano dofinansowanie." in text


def _at_once(app, count: int, work) -> list[object]:
    """Run *work()* in *count* threads released together, each in its own
    request context and transaction; returns what each returned or raised."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def run(index: int) -> None:
        with app.test_request_context():
            barrier.wait()
            try:
                results[index] = work()
                db.session.commit()
            except ServiceError as error:
                db.session.rollback()
                results[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_changes_still_make_one_mail_per_person_per_change(app, make):
    process = make.process()
    idea = _idea(make, process.id, 1)
    _support(app, idea.id, "ola@example.org")
    direction_id = _direction(app, make, process.id)

    # Four editors take up the same idea at the same moment: one link, one notice each.
    linked = _at_once(
        app,
        4,
        lambda: services.link_idea(db.session.get(Direction, direction_id), idea.id, "", None).id,
    )
    assert sum(isinstance(r, int) for r in linked) == 1
    assert all(isinstance(r, int) or r.status == 409 for r in linked)
    assert len(_notices(app)) == 2

    # Four editors who saw the same version change the status at once: one change.
    with app.app_context():
        version = db.session.get(Direction, direction_id).version
    changed = _at_once(
        app,
        4,
        lambda: (
            services.change_status(
                db.session.get(Direction, direction_id),
                "submitted",
                "Wniosek złożony.",
                version,
                None,
            ).id
        ),
    )
    assert sum(isinstance(r, int) for r in changed) == 1
    assert all(isinstance(r, int) or r.status in (409, 422) for r in changed)
    with app.app_context():
        per_person = db.session.execute(
            select(Notice.recipient, func.count()).group_by(Notice.recipient)
        ).all()
    assert dict(per_person) == {AUTHOR: 2, "ola@example.org": 2}

    # The same change reported again (a job run twice) is no second notice.
    with app.test_request_context():
        direction = db.session.get(Direction, direction_id)
        assert mail.notify_status_change(direction, direction.events[-1]) == 0
        link = db.session.scalars(select(DirectionIdea)).one()
        assert mail.notify_idea_linked(direction, link, direction.events[-1]) == 0
    assert len(_notices(app)) == 4

    # Next morning each person gets one digest, even with two senders at once.
    with app.test_request_context():
        db.session.commit()
    sent = _at_once(app, 2, lambda: notices.send_due(now=_tomorrow_morning()))
    assert sum(sent) == 2
    with app.app_context():
        assert sorted(
            db.session.scalars(
                select(OutboxMessage.recipient).where(OutboxMessage.template == "notice_digest")
            )
        ) == [AUTHOR, "ola@example.org"]


def test_an_archived_direction_tells_nobody(app, make):
    process = make.process()
    idea = _idea(make, process.id, 1)
    direction_id = _direction(app, make, process.id)
    with app.test_request_context():
        services.set_archived(db.session.get(Direction, direction_id), True, None)
        db.session.commit()
    _link(app, direction_id, idea.id)
    assert _notices(app) == []


def test_the_unsubscribe_link_asks_then_stops_mail_with_one_click_without_csrf(make_app, make):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    process = make.process()
    idea = _idea(make, process.id, 1)
    _support(app, idea.id, "ola@example.org")
    direction_id = _direction(app, make, process.id)
    _link(app, direction_id, idea.id)
    with app.app_context():
        url = db.session.scalar(select(Notice.unsubscribe_url).where(Notice.recipient == AUTHOR))
    path = urlsplit(url).path

    asked = client.get(path)
    assert asked.status_code == 200
    assert "Tak, nie wysyłajcie mi tych wiadomości" in asked.get_data(as_text=True)
    assert asked.headers["Cache-Control"] == "no-store"
    assert make.count(DirectionMailOptOut) == 0  # a GET (a link scanner) changes nothing

    # A mail program's one-click POST: no cookie, no CSRF token.
    stopped = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})
    assert stopped.status_code == 200
    assert make.count(DirectionMailOptOut) == 1
    assert app.test_client().post(path).status_code == 200  # twice: still one row
    assert make.count(DirectionMailOptOut) == 1
    with app.app_context():
        row = db.session.scalars(select(DirectionMailOptOut)).one()
        assert AUTHOR not in row.email_hash  # only a keyed hash is kept
    # The waiting notice went; the supporter's stays; later changes skip the author.
    assert [r for r, _ in _notices(app)] == ["ola@example.org"]
    _status(app, direction_id, "submitted")
    assert AUTHOR not in [r for r, _ in _notices(app)]
    assert len(_notices(app)) == 2

    forged = path[:-4] + ("aaaa" if not path.endswith("aaaa") else "bbbb")
    assert client.get(forged).status_code == 404
    assert app.test_client().post(forged).status_code == 404
    assert make.count(DirectionMailOptOut) == 1


def test_the_opt_out_is_in_the_data_download_and_goes_with_erasure_and_retention(app, make):
    process = make.process()
    idea = _idea(make, process.id, 1, email="znika@example.org")
    kept_idea = _idea(make, process.id, 2, email="zostaje@example.org")
    with app.test_request_context():
        for address in ("znika@example.org", "zostaje@example.org", "nikt@example.org"):
            digest = mail.address_hash(address)
            mail.opt_out(digest, mail.unsubscribe_token(address))
        db.session.commit()
        assert export_personal_data("znika@example.org")["direction_mail_stopped"] is True
        assert export_personal_data("inny@example.org")["direction_mail_stopped"] is False

        # Retention: an opt-out nobody's address is held for any more goes.
        assert mail.purge_unneeded_opt_outs() == 1
        db.session.commit()
        assert not mail.is_opted_out("nikt@example.org")
        assert mail.is_opted_out("znika@example.org") and mail.is_opted_out("zostaje@example.org")

        erase_personal_data("znika@example.org")
        db.session.commit()
    with app.app_context():
        hashes = set(db.session.scalars(select(DirectionMailOptOut.email_hash)))
    with app.test_request_context():
        assert hashes == {mail.address_hash("zostaje@example.org")}
    assert idea.id and kept_idea.id
