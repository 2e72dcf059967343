"""Residents' privacy: the notice, staff handling of data requests, retention."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.maintenance import purge_all
from app.models import (
    AuditEntry,
    Idea,
    IdeaStatus,
    OutboxMessage,
    OutboxStatus,
    Registration,
    RegistrationStatus,
    Support,
    Workshop,
    utcnow,
)
from app.privacy import services

PERSON = "Anna.Kowalska@Example.org"


def add_support(app, idea_id: int, email: str, confirmed: bool = True) -> int:  # noqa: ANN001
    with app.app_context():
        support = Support(
            idea_id=idea_id, email=email.lower(), confirmed_at=utcnow() if confirmed else None
        )
        db.session.add(support)
        if confirmed:
            db.session.get(Idea, idea_id).supports_count += 1
        db.session.commit()
        return support.id


def add_registration(app, workshop_id: int, email: str, *, confirm: bool = True) -> int:  # noqa: ANN001
    from app.workshops import services as workshops

    with app.test_request_context():
        workshop = db.session.get(Workshop, workshop_id)
        registration, _resent = workshops.register(
            workshop,
            name="Anna Kowalska",
            email=email,
            participant_group="resident",
            needs="Tłumacz PJM",
        )
        if confirm:
            workshops.confirm(registration)
        db.session.commit()
        return registration.id


def add_mail(app, recipient: str, status: str, age_days: int) -> int:  # noqa: ANN001
    with app.app_context():
        when = utcnow() - timedelta(days=age_days)
        message = OutboxMessage(
            recipient=recipient,
            subject="Temat",
            body_text="Treść z prywatnym linkiem",
            template="test",
            status=status,
            created_at=when,
            sent_at=when if status == OutboxStatus.SENT else None,
        )
        db.session.add(message)
        db.session.commit()
        return message.id


def audit_rows(app, prefix: str) -> list[AuditEntry]:  # noqa: ANN001
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action.startswith(prefix)).order_by(AuditEntry.id)
        ).all()
        for row in rows:
            db.session.expunge(row)
        return rows


# --- the notice -------------------------------------------------------------


def test_privacy_notice_names_the_organiser_of_the_consultation(client, make):
    make.process(organiser="Park Technologiczny Przykładowo")
    response = client.get("/privacy")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1
    assert "Park Technologiczny Przykładowo" in html


@pytest.mark.app_config(
    PRIVACY_CONTROLLER_NAME="Gmina Przykładowa",
    PRIVACY_CONTROLLER_EMAIL="rodo@gmina.example",
    PRIVACY_DPO_EMAIL="iod@gmina.example",
    RETENTION_PERSONAL_DATA_DAYS=180,
    RETENTION_UNCONFIRMED_DAYS=3,
    RETENTION_OUTBOX_DAYS=14,
)
def test_privacy_notice_uses_the_configured_controller_and_retention(client):
    html = client.get("/privacy").get_data(as_text=True)
    assert "Gmina Przykładowa" in html
    assert "mailto:rodo@gmina.example" in html
    assert "mailto:iod@gmina.example" in html
    assert "180 dni" in html
    assert "3 dniach" in html
    assert "14 dni" in html


def test_privacy_notice_covers_rights_cookies_and_view_counting(client):
    html = client.get("/privacy").get_data(as_text=True)
    for words in (
        "art. 15 RODO",  # access
        "art. 16 RODO",  # rectification
        "art. 17 RODO",  # erasure
        "art. 18 RODO",  # restriction
        "art. 21 RODO",  # objection
        "Prezesa Urzędu Ochrony Danych Osobowych",
        "Pliki cookie",
        "sesji",
        "skrót kluczowany",
        "stronie śledzenia pomysłu",
    ):
        assert words in html, words


def test_accessibility_statement_follows_the_required_structure(client):
    response = client.get("/accessibility")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count("<h1") == 1
    sections = [
        "Wstęp",
        "Stan dostępności cyfrowej",
        "Treści niedostępne",
        "Przygotowanie deklaracji dostępności",
        "Informacje zwrotne i dane kontaktowe",
        "Procedura wnioskowo-skargowa",
        "Dostępność architektoniczna",
        "Aplikacje mobilne",
    ]
    positions = [html.index(title) for title in sections]
    assert positions == sorted(positions)
    for words in (
        "ustawą z dnia 4 kwietnia 2019 r.",
        "Rzecznika Praw Obywatelskich",
        "axe-core",
        "samooceny",
        'id="a11y-data-publikacja"',
        'id="a11y-data-aktualizacja"',
        'id="a11y-status"',
        'id="a11y-email"',
        "7 dni",
    ):
        assert words in html, words


@pytest.mark.app_config(
    ACCESSIBILITY_ARCHITECTURE="Wejście główne od ulicy Parkowej jest bez progów.\n\nWinda do 3. piętra.",
    ACCESSIBILITY_CONTACT_EMAIL="a11y@gmina.example",
    ACCESSIBILITY_PUBLISHED_ON="2026-10-01",
)
def test_accessibility_statement_is_configurable(client):
    html = client.get("/accessibility").get_data(as_text=True)
    assert "<p>Wejście główne od ulicy Parkowej jest bez progów.</p>" in html
    assert "<p>Winda do 3. piętra.</p>" in html
    assert "mailto:a11y@gmina.example" in html
    assert 'datetime="2026-10-01"' in html
    assert "1 października 2026" in html


def test_footer_links_to_both_statements(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="/privacy"' in html
    assert 'href="/accessibility"' in html


# --- staff: data requests ------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("moderator", 200), ("editor", 403)])
def test_privacy_requests_page_is_for_admins_and_moderators(client, login, role, status):
    login(role)
    assert client.get("/staff/privacy").status_code == status


def test_staff_find_everything_held_for_an_address(app, client, login, make):
    login("moderator")
    idea = make.idea(email=PERSON, title="Ścieżka rowerowa wokół zalewu")
    other = make.idea(status=IdeaStatus.PUBLISHED)
    add_support(app, other.id, PERSON)
    workshop = make.workshop()
    add_registration(app, workshop.id, PERSON)
    response = client.post("/staff/privacy", data={"email": "  anna.kowalska@example.org "})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "Ścieżka rowerowa wokół zalewu" in html
    assert other.title in html
    assert workshop.title in html
    [entry] = audit_rows(app, "privacy.lookup")
    assert entry.data == {"email": "a***@example.org"}
    assert idea.id


def test_staff_export_the_data_as_json(app, client, login, make):
    login("admin")
    make.idea(email=PERSON, author_name="Anna Kowalska", municipality="Konin")
    workshop = make.workshop()
    add_registration(app, workshop.id, PERSON)
    response = client.post("/staff/privacy/export", data={"email": PERSON})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["email"] == PERSON.lower()
    assert data["ideas"][0]["author_name"] == "Anna Kowalska"
    assert data["ideas"][0]["municipality"] == "Konin"
    assert data["registrations"][0]["needs"] == "Tłumacz PJM"
    assert data["emails"]  # the registration mails
    assert [row.action for row in audit_rows(app, "privacy.exported")] == ["privacy.exported"]


def test_erasing_needs_an_explicit_confirmation(app, client, login, make):
    login("moderator")
    idea = make.idea(email=PERSON)
    response = client.post("/staff/privacy/erase", data={"email": PERSON})
    assert response.status_code == 400
    assert make.get(Idea, idea.id).email == PERSON


def test_staff_erase_everything_held_for_an_address(app, client, login, make):
    login("moderator")
    published = make.idea(email=PERSON, author_name="Anna Kowalska", show_author_name=True)
    waiting = make.idea(status=IdeaStatus.AWAITING_REVIEW, email=PERSON)
    supported = make.idea(status=IdeaStatus.PUBLISHED)
    add_support(app, supported.id, PERSON)
    add_support(app, supported.id, "someone.else@example.org")
    full = make.workshop(capacity=1)
    mine = add_registration(app, full.id, PERSON)
    queued = add_registration(app, full.id, "waiting@example.org")  # waiting list
    old_mail = add_mail(app, PERSON.lower(), OutboxStatus.SENT, 2)

    response = client.post("/staff/privacy/erase", data={"email": PERSON, "confirm": "y"})
    assert response.status_code == 303

    after = make.get(Idea, published.id)
    assert after.email is None and after.author_name is None and not after.show_author_name
    assert after.status == IdeaStatus.PUBLISHED  # the content stays
    assert make.get(Idea, waiting.id) is None  # never published: deleted
    assert make.count(Support, idea_id=supported.id) == 1
    assert make.get(Idea, supported.id).supports_count == 1
    registration = make.get(Registration, mine)
    assert registration.status == RegistrationStatus.CANCELLED
    assert (registration.name, registration.email, registration.needs) == ("", "", "")
    # The freed place went to the waiting list.
    assert make.get(Registration, queued).status == RegistrationStatus.CONFIRMED
    assert make.get(OutboxMessage, old_mail) is None
    with app.app_context():
        left = services.find_personal_data(PERSON)
        assert not (left.ideas or left.supports or left.registrations)
    [summary] = audit_rows(app, "privacy.erased")
    assert summary.data["email"] == "a***@example.org"
    assert summary.data["ideas"] == 2 and summary.data["supports"] == 1
    assert summary.data["registrations"] == 1


def test_no_full_address_in_the_audit_log(app, client, login, make):
    login("admin")
    make.idea(email=PERSON)
    client.post("/staff/privacy", data={"email": PERSON})
    client.post("/staff/privacy/export", data={"email": PERSON})
    client.post("/staff/privacy/erase", data={"email": PERSON, "confirm": "y"})
    rows = audit_rows(app, "privacy.")
    assert len(rows) >= 4
    assert PERSON.lower() not in json.dumps([row.data for row in rows]).lower()


# --- the resident's own controls ------------------------------------------------


def test_the_author_downloads_and_erases_from_the_tracking_page(client, make):
    idea = make.idea(email=PERSON, author_name="Anna Kowalska")
    data = client.get(f"/ideas/track/{idea.track_token}/data.json")
    assert data.status_code == 200
    payload = json.loads(data.get_data(as_text=True))
    assert payload["author"]["email"] == PERSON
    erase = client.post(f"/ideas/track/{idea.track_token}/erase", data={"confirm": "y"})
    assert erase.status_code in (302, 303)
    after = make.get(Idea, idea.id)
    assert after.email is None and after.author_name is None
    assert client.get(f"/ideas/track/{idea.track_token}").status_code == 404


def test_a_registration_cancelled_by_its_link_frees_the_place(app, client, make):
    from app.workshops import services as workshops

    workshop = make.workshop(capacity=5)
    registration_id = add_registration(app, workshop.id, PERSON)
    with app.test_request_context():
        token = workshops.link_token(db.session.get(Registration, registration_id))
    response = client.post(f"/registrations/{token}/cancel")
    assert response.status_code == 303
    assert make.get(Registration, registration_id).status == RegistrationStatus.CANCELLED
    assert make.get(Workshop, workshop.id).places_taken == 0


# --- retention -----------------------------------------------------------------


def test_purge_deletes_old_copies_of_sent_mail(app, make):
    old_sent = add_mail(app, "a@example.org", OutboxStatus.SENT, 31)
    old_failed = add_mail(app, "b@example.org", OutboxStatus.FAILED, 31)
    recent = add_mail(app, "c@example.org", OutboxStatus.SENT, 29)
    pending = add_mail(app, "d@example.org", OutboxStatus.PENDING, 40)
    with app.app_context():
        results = purge_all()
    assert results["sent mail copies"] == 2
    assert make.get(OutboxMessage, old_sent) is None
    assert make.get(OutboxMessage, old_failed) is None
    assert make.get(OutboxMessage, recent) is not None
    assert make.get(OutboxMessage, pending) is not None


@pytest.mark.app_config(RETENTION_OUTBOX_DAYS=7)
def test_mail_retention_is_configurable(app, make):
    message = add_mail(app, "a@example.org", OutboxStatus.SENT, 8)
    with app.app_context():
        purge_all()
    assert make.get(OutboxMessage, message) is None


def test_purge_strips_authors_and_supporters_long_after_the_consultation(app, make):
    now = utcnow()
    days = app.config["RETENTION_PERSONAL_DATA_DAYS"]
    old = make.process(
        opens_at=now - timedelta(days=days + 60), closes_at=now - timedelta(days=days + 1)
    )
    recent = make.process(opens_at=now - timedelta(days=30), closes_at=now - timedelta(days=1))
    shown = make.idea(
        process_id=old.id,
        email="a@example.org",
        author_name="Jan Nowak",
        show_author_name=True,
        municipality="Koło",
    )
    hidden = make.idea(
        process_id=old.id, email="b@example.org", author_name="Ewa Lis", show_author_name=False
    )
    keep = make.idea(process_id=recent.id, email="c@example.org", author_name="Ola Kot")
    add_support(app, shown.id, "fan@example.org")
    add_support(app, keep.id, "fan@example.org")
    with app.app_context():
        results = purge_all()
    assert results["idea authors' data after the consultation"] == 2
    first, second, third = (make.get(Idea, i.id) for i in (shown, hidden, keep))
    assert first.email is None and first.municipality is None and first.track_token_hash is None
    assert first.author_name == "Jan Nowak"  # shown with consent: stays public
    assert second.email is None and second.author_name is None
    assert third.email == "c@example.org" and third.author_name == "Ola Kot"
    assert make.count(Support, idea_id=shown.id) == 0
    assert make.get(Idea, shown.id).supports_count == 1
    assert make.count(Support, idea_id=keep.id) == 1


def test_purge_command_reports_the_privacy_rules(runner):
    result = runner.invoke(args=["maintenance", "purge"])
    assert result.exit_code == 0, result.output
    assert "sent mail copies: 0" in result.output
    assert "idea authors' data after the consultation: 0" in result.output
