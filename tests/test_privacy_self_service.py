"""Residents' own data requests from their private links: a workshop
registration or a support downloads everything held about it (JSON) and
erases it; the link dies afterwards."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.catalogue import services as supports
from app.extensions import db
from app.models import AuditEntry, Idea, OutboxMessage, Support, utcnow
from app.models.workshop import Registration, Workshop
from tests.factories import Factory
from tests.workshops_support import form, registration_path, upcoming

SUPPORT_CONFIRM = re.compile(r"http://odkrywka\.test(/supports/confirm/[A-Za-z0-9_\-]+)")
SUPPORT_PAGE = re.compile(r"http://odkrywka\.test(/supports/(?!confirm/)[A-Za-z0-9_\-]+)")
CSRF_ON = pytest.mark.app_config(WTF_CSRF_ENABLED=True)


def audit_rows(app, action: str) -> list[AuditEntry]:  # noqa: ANN001
    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def outbox(app, recipient: str) -> list[tuple[str, str]]:  # noqa: ANN001
    with app.app_context():
        return [
            (row.template, row.status)
            for row in db.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.recipient == recipient)
                .order_by(OutboxMessage.id)
            )
        ]


# --- workshop registrations ------------------------------------------------------


def register_and_confirm(client, smtp_server, workshop, email: str, name: str, **extra):  # noqa: ANN001
    """Register through the form and confirm from the mailed link; the private path."""
    before = len(smtp_server.to(email))
    response = client.post(
        f"/workshops/{workshop.slug}/register", data=form(email=email, name=name, **extra)
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    mail = _wait_to(smtp_server, email, before + 1)[-1]
    path = registration_path(smtp_server.text_of(mail))
    assert client.post(f"{path}/confirm").status_code == 303
    _wait_to(smtp_server, email, before + 2)
    return path


def _wait_to(smtp_server, email: str, count: int) -> list:  # noqa: ANN001
    """The messages to *email*, once there are at least *count* of them."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        found = smtp_server.to(email)
        if len(found) >= count:
            return found
        time.sleep(0.02)
    raise AssertionError(f"expected {count} messages to {email}, got {len(smtp_server.to(email))}")


def test_registration_data_download_holds_the_registration_and_its_mail(
    mail_client, mail_app, smtp_server, make
):
    workshop = upcoming(make, capacity=5, title="Warsztaty o wodorze", venue="Dom Kultury")
    path = register_and_confirm(
        mail_client, smtp_server, workshop, "ewa@example.org", "Ewa Lis", needs="Pętla indukcyjna"
    )
    # Someone else on the same meeting: none of their data may leak.
    register_and_confirm(mail_client, smtp_server, workshop, "jan@example.org", "Jan Bąk")

    page = mail_client.get(path).get_data(as_text=True)
    assert f'href="{path}/data.json"' in page
    assert f'href="{path}/erase"' in page

    response = mail_client.get(f"{path}/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    data = json.loads(response.get_data(as_text=True))
    assert data["workshop"]["title"] == "Warsztaty o wodorze"
    assert data["workshop"]["venue"] == "Dom Kultury"
    assert data["workshop"]["starts_at"].startswith(workshop.starts_at.date().isoformat())
    assert data["participant"] == {
        "name": "Ewa Lis",
        "email": "ewa@example.org",
        "participant_group": "resident",
        "needs": "Pętla indukcyjna",
        "language": "pl",
    }
    assert data["registration"]["status"] == "confirmed"
    assert data["registration"]["created_at"] and data["registration"]["confirmed_at"]
    assert data["registration"]["cancelled_at"] is None
    assert data["consent"]["version"] == mail_app.config["CONSENT_VERSION"]
    assert data["consent"]["given_at"]
    subjects = [mail["subject"] for mail in data["emails"]]
    assert len(subjects) == 2
    assert subjects[0].startswith("Potwierdź zapis na spotkanie")
    assert subjects[1].startswith("Masz miejsce")
    assert {mail["status"] for mail in data["emails"]} == {"sent"}
    body = response.get_data(as_text=True)
    assert "jan@example.org" not in body and "Jan Bąk" not in body

    # The download changed nothing.
    assert make.count(Registration, status="confirmed") == 2


def test_registration_mail_about_another_meeting_is_not_in_the_download(
    mail_client, smtp_server, make
):
    first = upcoming(make, capacity=5, title="Spotkanie pierwsze", slug="spotkanie")
    second = upcoming(make, capacity=5, title="Spotkanie drugie", slug="spotkanie-2")
    path = register_and_confirm(mail_client, smtp_server, first, "ewa@example.org", "Ewa Lis")
    register_and_confirm(mail_client, smtp_server, second, "ewa@example.org", "Ewa Lis")
    data = mail_client.get(f"{path}/data.json").get_json()
    assert [mail["subject"] for mail in data["emails"]] == [
        "Potwierdź zapis na spotkanie: Spotkanie pierwsze",
        "Masz miejsce na spotkaniu: Spotkanie pierwsze",
    ]


def test_unknown_or_forged_registration_links_give_the_dead_link_page(client, make):
    for path in (
        "/registrations/" + "x" * 43 + "/data.json",
        "/registrations/" + "x" * 43 + "/erase",
        "/registrations/" + "ż" * 10 + "/data.json",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Ten link jest nieprawidłowy albo wygasł" in response.get_data(as_text=True)
    assert (
        client.post("/registrations/" + "x" * 43 + "/erase", data={"confirm": "y"}).status_code
        == 404
    )


def test_erasing_a_confirmed_registration_frees_the_place_for_the_waiting_list(
    mail_client, mail_app, smtp_server, make
):
    workshop = upcoming(make, capacity=1, title="Spacer badawczy")
    anna = register_and_confirm(
        mail_client, smtp_server, workshop, "anna@example.org", "Anna Nowak", needs="Wózek"
    )
    bogdan = register_and_confirm(
        mail_client, smtp_server, workshop, "bogdan@example.org", "Bogdan Wróbel"
    )
    assert make.count(Registration, status="waiting") == 1
    assert make.get(Workshop, workshop.id).places_taken == 1

    page = mail_client.get(f"{anna}/erase")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "najpierw odwołamy zapis" in html
    assert f'action="{anna}/erase"' in html
    assert page.headers["Cache-Control"] == "no-store"
    assert make.count(Registration, status="confirmed") == 1  # GET changed nothing

    # Without the confirmation box nothing happens.
    refused = mail_client.post(f"{anna}/erase", data={})
    assert refused.status_code == 400
    assert make.count(Registration, email="anna@example.org") == 1

    erased = mail_client.post(f"{anna}/erase", data={"confirm": "y"})
    assert erased.status_code == 303
    result = mail_client.get(erased.location)
    assert result.status_code == 200
    assert "Odwołaliśmy Twój zapis" in result.get_data(as_text=True)
    assert "Spacer badawczy" in result.get_data(as_text=True)

    with mail_app.app_context():
        rows = db.session.scalars(select(Registration).order_by(Registration.id)).all()
        first, second = rows
        assert (first.name, first.email, first.needs, first.active_email) == ("", "", "", None)
        assert first.status == "cancelled" and first.cancelled_at is not None
        assert first.participant_group == "resident"  # anonymous, for the statistics
        assert second.email == "bogdan@example.org"
        assert second.status == "confirmed" and second.promoted_at is not None
        assert db.session.get(Workshop, workshop.id).places_taken == 1

    # The person on the waiting list is told, through the real server.
    promoted = _wait_to(smtp_server, "bogdan@example.org", 3)[-1]
    assert "Zwolniło się miejsce" in promoted["Subject"]
    # Anna hears that her registration was cancelled; her older mail is gone.
    cancelled = _wait_to(smtp_server, "anna@example.org", 3)[-1]
    assert "Zapis anulowany" in cancelled["Subject"]
    assert outbox(mail_app, "anna@example.org") == [("registration_cancelled", "sent")]
    assert len(outbox(mail_app, "bogdan@example.org")) == 3

    [entry] = audit_rows(mail_app, "privacy.registration_anonymised")
    assert entry.data == {"email": "a***@example.org", "outcome": "cancelled"}
    assert entry.actor_id is None

    # The link is dead for every page, and a second erase does nothing.
    for path in (anna, f"{anna}/data.json", f"{anna}/erase"):
        assert mail_client.get(path).status_code == 404, path
    assert mail_client.post(f"{anna}/erase", data={"confirm": "y"}).status_code == 404
    assert mail_client.post(f"{anna}/cancel").status_code == 404
    assert make.count(Registration, status="confirmed") == 1
    # Bogdan's link still works and shows only his data.
    mine = mail_client.get(bogdan).get_data(as_text=True)
    assert "Bogdan Wróbel" in mine and "Anna" not in mine


def test_erasing_a_registration_for_a_meeting_that_took_place_keeps_the_attendance(
    mail_client, mail_app, smtp_server, make
):
    workshop = upcoming(make, capacity=10, title="Spotkanie podsumowujące")
    path = register_and_confirm(mail_client, smtp_server, workshop, "ola@example.org", "Ola Kos")
    now = utcnow()
    with mail_app.app_context():
        db.session.execute(
            update(Workshop)
            .where(Workshop.id == workshop.id)
            .values(starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=2, hours=-3))
        )
        db.session.execute(update(Registration).values(attended=True))
        db.session.commit()
    page = mail_client.get(f"{path}/erase").get_data(as_text=True)
    assert "najpierw odwołamy" not in page
    response = mail_client.post(f"{path}/erase", data={"confirm": "y"})
    assert response.status_code == 303
    assert "Usunęliśmy Twoje imię" in mail_client.get(response.location).get_data(as_text=True)
    with mail_app.app_context():
        [registration] = db.session.scalars(select(Registration)).all()
        assert registration.status == "confirmed" and registration.attended is True
        assert (registration.name, registration.email) == ("", "")
        assert db.session.get(Workshop, workshop.id).places_taken == 1
    assert outbox(mail_app, "ola@example.org") == []
    assert mail_client.get(path).status_code == 404


def test_the_erased_page_without_an_erasure_says_nothing(client):
    response = client.get("/registrations/erased")
    assert response.status_code == 302
    assert client.get("/supports/erased").status_code == 302


@CSRF_ON
def test_registration_erase_needs_the_form_token(app, client, make):
    from tests.workshops_support import register_direct

    workshop = upcoming(make, capacity=3)
    [token] = register_direct(app, workshop.id, 1)
    response = client.post(f"/registrations/{token}/erase", data={"confirm": "y"})
    assert response.status_code == 400
    assert make.count(Registration, email="osoba0@example.org", status="unconfirmed") == 1
    page = client.get(f"/registrations/{token}/erase").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        f"/registrations/{token}/erase", data={"confirm": "y", "csrf_token": csrf}
    )
    assert response.status_code == 303
    assert make.count(Registration, email="osoba0@example.org") == 0
    assert make.count(Registration, status="cancelled") == 1


# --- supports ------------------------------------------------------------------------


def support_by_mail(client, smtp_server, idea, email: str, notify: bool = True):  # noqa: ANN001
    """Support *idea* through the form; (confirm path, private page path) from the mail."""
    before = len(smtp_server.to(email))
    data = {"email": email}
    if notify:
        data["notify"] = "y"
    assert client.post(f"/ideas/{idea.id}/support", data=data).status_code == 302
    mail = _wait_to(smtp_server, email, before + 1)[-1]
    text = smtp_server.text_of(mail)
    confirm = SUPPORT_CONFIRM.search(text).group(1)
    private = SUPPORT_PAGE.search(text).group(1)
    assert private in smtp_server.html_of(mail)
    return confirm, private


def test_supporter_reaches_a_private_page_from_the_mail_and_the_confirmed_page(
    mail_client, mail_app, smtp_server, make
):
    idea = make.idea(title="Ławki nad zalewem")
    confirm, private = support_by_mail(mail_client, smtp_server, idea, "ola@example.org")

    pending = mail_client.get(private)
    assert pending.status_code == 200
    assert "czeka na potwierdzenie" in pending.get_data(as_text=True)
    assert pending.headers["Referrer-Policy"] == "no-referrer"
    assert pending.headers["Cache-Control"] == "no-store"

    # The contract link works exactly as before, and now links the private page.
    confirmed = mail_client.get(confirm)
    assert confirmed.status_code == 200
    html = confirmed.get_data(as_text=True)
    assert "Dziękujemy" in html
    assert f'href="{private}"' in html
    assert make.get(Idea, idea.id).supports_count == 1
    assert "już policzone" in mail_client.get(confirm).get_data(as_text=True)
    assert make.get(Idea, idea.id).supports_count == 1

    page = mail_client.get(private).get_data(as_text=True)
    assert "poparcie policzone" in page
    assert f'action="{private}/notifications"' in page
    assert f'href="{private}/data.json"' in page and f'href="{private}/erase"' in page


def test_support_data_download(mail_client, mail_app, smtp_server, make):
    idea = make.idea(title="Ścieżka rowerowa do Kleszczowa")
    confirm, private = support_by_mail(mail_client, smtp_server, idea, "ola@example.org")
    mail_client.get(confirm)
    other_confirm, _other = support_by_mail(
        mail_client, smtp_server, idea, "piotr@example.org", notify=False
    )
    mail_client.get(other_confirm)

    response = mail_client.get(f"{private}/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["supporter"] == {"email": "ola@example.org", "language": "pl"}
    assert data["support"]["status"] == "confirmed"
    assert data["support"]["notify"] is True
    assert data["support"]["created_at"] and data["support"]["confirmed_at"]
    assert data["idea"]["id"] == idea.id
    assert data["idea"]["title"] == "Ścieżka rowerowa do Kleszczowa"
    assert data["idea"]["url"].endswith(f"/ideas/{idea.id}-{idea.slug}")
    assert [mail["subject"] for mail in data["emails"]] == ["Potwierdź poparcie pomysłu"]
    assert "piotr@example.org" not in response.get_data(as_text=True)


def test_withdrawing_a_confirmed_support_counts_it_down_once(
    mail_client, mail_app, smtp_server, make
):
    idea = make.idea(title="Sadzenie drzew")
    confirm, private = support_by_mail(mail_client, smtp_server, idea, "ola@example.org")
    mail_client.get(confirm)
    other_confirm, other_private = support_by_mail(
        mail_client, smtp_server, idea, "piotr@example.org"
    )
    mail_client.get(other_confirm)
    assert make.get(Idea, idea.id).supports_count == 2

    page = mail_client.get(f"{private}/erase")
    assert page.status_code == 200
    assert "zmniejszy się o jedno" in page.get_data(as_text=True)
    assert make.count(Support, idea_id=idea.id) == 2  # GET changed nothing
    assert mail_client.post(f"{private}/erase", data={}).status_code == 400
    assert make.count(Support, idea_id=idea.id) == 2

    response = mail_client.post(f"{private}/erase", data={"confirm": "y"})
    assert response.status_code == 303
    result = mail_client.get(response.location).get_data(as_text=True)
    assert "Wycofaliśmy Twoje poparcie" in result and "Sadzenie drzew" in result
    assert make.get(Idea, idea.id).supports_count == 1
    assert make.count(Support, email="ola@example.org") == 0
    assert outbox(mail_app, "ola@example.org") == []
    [entry] = audit_rows(mail_app, "support.withdrawn")
    assert entry.data == {"idea_id": idea.id, "email": "o***@example.org", "counted": True}

    # Posted again (a double click, a second tab): the link is dead, the count stays.
    assert mail_client.post(f"{private}/erase", data={"confirm": "y"}).status_code == 404
    for path in (private, f"{private}/data.json", f"{private}/erase"):
        assert mail_client.get(path).status_code == 404, path
    assert mail_client.get(confirm).status_code == 404
    assert make.get(Idea, idea.id).supports_count == 1
    # The other supporter is untouched.
    assert mail_client.get(other_private).status_code == 200
    assert make.count(Support, email="piotr@example.org") == 1


def test_withdrawing_a_pending_support_leaves_the_count(mail_client, smtp_server, make):
    idea = make.idea()
    with_count = make.get(Idea, idea.id).supports_count
    _confirm, private = support_by_mail(mail_client, smtp_server, idea, "ola@example.org")
    response = mail_client.post(f"{private}/erase", data={"confirm": "y"})
    assert response.status_code == 303
    assert "niepotwierdzone poparcie" in mail_client.get(response.location).get_data(as_text=True)
    assert make.get(Idea, idea.id).supports_count == with_count
    assert make.count(Support, idea_id=idea.id) == 0


def _confirmed_support(app, idea, email: str) -> int:  # noqa: ANN001
    with app.app_context():
        support = Support(idea_id=idea.id, email=email, confirmed_at=utcnow())
        db.session.add(support)
        db.session.execute(
            update(Idea).where(Idea.id == idea.id).values(supports_count=Idea.supports_count + 1)
        )
        db.session.commit()
        return support.id


def test_two_withdrawals_of_the_same_support_count_down_once(app, make):
    idea = make.idea()
    support_id = _confirmed_support(app, idea, "ola@example.org")
    _confirmed_support(app, idea, "jan@example.org")
    outcomes = []
    barrier = threading.Barrier(2)

    def withdraw() -> None:
        with app.test_request_context():
            support = db.session.get(Support, support_id)
            barrier.wait()
            outcomes.append(supports.withdraw_support(support))
            db.session.commit()

    threads = [threading.Thread(target=withdraw) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=lambda outcome: outcome is None) == [
        {"idea_id": idea.id, "counted": True},
        None,
    ]
    assert make.get(Idea, idea.id).supports_count == 1
    assert len(audit_rows(app, "support.withdrawn")) == 1


def test_the_count_never_goes_below_zero(app, make):
    idea = make.idea()
    support_id = _confirmed_support(app, idea, "ola@example.org")
    with app.app_context():
        db.session.execute(update(Idea).where(Idea.id == idea.id).values(supports_count=0))
        db.session.commit()
    with app.test_request_context():
        supports.withdraw_support(db.session.get(Support, support_id))
        db.session.commit()
    assert make.get(Idea, idea.id).supports_count == 0


def test_forged_support_links_lead_nowhere(app, client, make):
    idea = make.idea()
    support_id = _confirmed_support(app, idea, "ola@example.org")
    with app.test_request_context():
        token = supports.support_link_token(db.session.get(Support, support_id))
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    wrong_mac = base64.urlsafe_b64encode(raw[:4] + bytes(32)).rstrip(b"=").decode()
    huge_id = base64.urlsafe_b64encode(b"\xff" * 4 + raw[4:]).rstrip(b"=").decode()
    for forged in (
        wrong_mac,
        huge_id,
        token[:-2],
        token + "AA",
        "x" * 48,
        "ż" * 48,
        "confirm",
    ):
        assert client.get(f"/supports/{forged}").status_code == 404, forged
        assert client.get(f"/supports/{forged}/data.json").status_code == 404, forged
    assert client.get(f"/supports/{token}").status_code == 200
    # Another supporter's link shows their support only.
    other_id = _confirmed_support(app, idea, "jan@example.org")
    with app.test_request_context():
        other = supports.support_link_token(db.session.get(Support, other_id))
    assert other != token
    data = client.get(f"/supports/{other}/data.json").get_json()
    assert data["supporter"]["email"] == "jan@example.org"


def test_stopping_notifications_keeps_the_support(mail_app, smtp_server, make):
    idea = make.idea(title="Biblioteka w parku")
    client = mail_app.test_client()
    confirm, private = support_by_mail(client, smtp_server, idea, "ola@example.org")
    client.get(confirm)
    editor = make.user(role="editor")
    staff = mail_app.test_client()
    response = staff.post(
        "/staff/login", data={"email": editor.email, "password": Factory.PASSWORD}
    )
    assert response.status_code == 302
    answer = {
        "result_status": "under_analysis",
        "answer": "Analizujemy ten pomysł.",
        "progress": "",
    }

    # An answer mail carries the private page, the way to stop such mail.
    assert staff.post(f"/staff/ideas/{idea.id}/answer", data=answer).status_code == 302
    mail = _wait_to(smtp_server, "ola@example.org", 2)[-1]
    assert "Analizujemy" in smtp_server.text_of(mail)
    assert private in smtp_server.text_of(mail)
    assert private in smtp_server.html_of(mail)

    response = client.post(f"{private}/notifications")
    assert response.status_code == 303
    assert response.location.endswith(private)
    assert "Nie wysyłamy Ci powiadomień" in client.get(private).get_data(as_text=True)
    with mail_app.app_context():
        support = db.session.scalar(select(Support).where(Support.email == "ola@example.org"))
        assert support.notify is False and support.confirmed_at is not None
    assert make.get(Idea, idea.id).supports_count == 1

    answer["answer"] = "Drugie słowo w tej sprawie."
    assert staff.post(f"/staff/ideas/{idea.id}/answer", data=answer).status_code == 302
    with mail_app.app_context():
        answered = db.session.scalars(
            select(OutboxMessage.recipient).where(OutboxMessage.body_text.contains("Drugie słowo"))
        ).all()
    assert answered and "ola@example.org" not in answered  # the author was told, not Ola
    assert len(smtp_server.to("ola@example.org")) == 2


@CSRF_ON
def test_support_changes_need_the_form_token(app, client, make):
    idea = make.idea()
    support_id = _confirmed_support(app, idea, "ola@example.org")
    with app.app_context():
        db.session.execute(update(Support).values(notify=True))
        db.session.commit()
    with app.test_request_context():
        token = supports.support_link_token(db.session.get(Support, support_id))
    assert client.post(f"/supports/{token}/erase", data={"confirm": "y"}).status_code == 400
    assert client.post(f"/supports/{token}/notifications").status_code == 400
    with app.app_context():
        support = db.session.get(Support, support_id)
        assert support is not None and support.notify is True
    assert make.get(Idea, idea.id).supports_count == 1


def test_staff_erasing_a_support_the_supporter_just_withdrew_counts_nothing_more(app, make):
    """Staff opened the support before the supporter withdrew it."""
    from app.privacy.services import delete_support

    idea = make.idea()
    support_id = _confirmed_support(app, idea, "ola@example.org")
    _confirmed_support(app, idea, "jan@example.org")
    loaded, withdrawn = threading.Event(), threading.Event()
    errors: list[Exception] = []

    def staff() -> None:
        with app.test_request_context():
            support = db.session.get(Support, support_id)
            assert support.confirmed_at is not None
            loaded.set()
            withdrawn.wait(10)
            try:
                delete_support(support)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - the test reports it
                db.session.rollback()
                errors.append(error)

    thread = threading.Thread(target=staff)
    thread.start()
    loaded.wait(10)
    with app.test_request_context():
        supports.withdraw_support(db.session.get(Support, support_id))
        db.session.commit()
    withdrawn.set()
    thread.join()
    assert errors == []
    assert make.get(Idea, idea.id).supports_count == 1
    assert make.count(Support, idea_id=idea.id) == 1
