"""Meetings: public pages, staff management, outcomes, statistics, demo."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Idea, IdeaEvent, OutboxMessage, utcnow
from app.models.workshop import Registration, Workshop, WorkshopGroup
from tests.workshops_support import confirm_direct, past, register_direct, upcoming

# --- public pages -----------------------------------------------------------------


def test_index_lists_upcoming_and_past_meetings(client, make):
    soon = upcoming(make, title="Warsztaty jutro")
    held = past(make, title="Warsztaty wczoraj")
    hidden = upcoming(make, title="Szkic spotkania", published=False)
    html = client.get("/workshops").get_data(as_text=True)
    assert soon.title in html and held.title in html
    assert hidden.title not in html
    assert html.index("Nadchodzące spotkania") < html.index(soon.title)
    assert html.index("Spotkania, które się odbyły") < html.index(held.title)


def test_index_filters_by_process(client, make):
    first, second = make.process(), make.process()
    mine = upcoming(make, process_id=first.id, title="Spotkanie pierwsze")
    other = upcoming(make, process_id=second.id, title="Spotkanie drugie")
    html = client.get(f"/workshops?process={first.slug}").get_data(as_text=True)
    assert mine.title in html
    assert other.title not in html
    assert client.get("/workshops?process=nie-ma-takiej").status_code == 404


def test_detail_shows_when_where_places_and_programme(client, make):
    workshop = make.workshop(
        title="Warsztaty energetyczne",
        kind="workshop",
        starts_at=datetime(2031, 1, 15, 16, 0, tzinfo=UTC),
        ends_at=datetime(2031, 1, 15, 18, 30, tzinfo=UTC),
        venue="Sala B",
        address="ul. Energetyków 12",
        programme="## Plan\n\n- **powitanie**",
        capacity=20,
        places_taken=5,
    )
    make.workshop_group(workshop.id, name="Młodzież i seniorzy")
    html = client.get(f"/workshops/{workshop.slug}").get_data(as_text=True)
    assert "15 stycznia 2031, 17:00–19:30" in html  # Warsaw time
    assert "Sala B" in html and "ul. Energetyków 12" in html
    assert "<strong>powitanie</strong>" in html
    assert "Wolne: 15 z 20" in html
    assert "Młodzież i seniorzy" in html
    assert 'name="participant_group"' in html


def test_full_meeting_offers_the_waiting_list(client, make):
    workshop = upcoming(make, capacity=3, places_taken=3)
    html = client.get(f"/workshops/{workshop.slug}").get_data(as_text=True)
    assert "listę rezerwową" in html
    assert "Zapisz mnie na listę rezerwową" in html


def test_home_page_item_still_renders(client, make):
    workshop = upcoming(make, title="Na stronie głównej", capacity=8, places_taken=3)
    html = client.get("/").get_data(as_text=True)
    assert "Na stronie głównej" in html
    assert "Zostało 5 wolnych miejsc" in html
    assert f'href="/workshops/{workshop.slug}"' in html


def test_unpublished_meeting_is_404_for_the_public_but_previewed_by_staff(client, make, login):
    workshop = upcoming(make, published=False)
    assert client.get(f"/workshops/{workshop.slug}").status_code == 404
    login("moderator")
    response = client.get(f"/workshops/{workshop.slug}")
    assert response.status_code == 200
    assert "nie jest opublikowane" in response.get_data(as_text=True)


def test_past_meeting_shows_published_minutes_groups_and_published_ideas(client, make):
    workshop = past(make, minutes="### Wnioski\n\nPostanowiono **dużo**.", minutes_published=True)
    group = make.workshop_group(workshop.id, name="Samorządowcy i młodzież")
    shown = make.idea(
        title="Autobus wodorowy do parku",
        source="workshop",
        workshop_id=workshop.id,
        workshop_group_id=group.id,
        process_id=workshop.process_id,
    )
    waiting = make.idea(
        title="Pomysł w moderacji",
        status="awaiting_review",
        source="workshop",
        workshop_id=workshop.id,
        process_id=workshop.process_id,
    )
    html = client.get(f"/workshops/{workshop.slug}").get_data(as_text=True)
    assert "<strong>dużo</strong>" in html
    assert "Samorządowcy i młodzież" in html
    assert f'href="/ideas/{shown.id}-{shown.slug}"' in html
    assert waiting.title not in html
    assert f"/ideas?source=workshop&amp;workshop={workshop.slug}" in html
    assert 'name="consent"' not in html  # no registration after the meeting


def test_unpublished_minutes_stay_hidden(client, make):
    workshop = past(make, minutes="Tajny szkic protokołu", minutes_published=False)
    html = client.get(f"/workshops/{workshop.slug}").get_data(as_text=True)
    assert "Tajny szkic protokołu" not in html
    assert "Protokół jest w przygotowaniu" in html


def test_workshop_ideas_appear_in_the_catalogue_filter(client, make):
    workshop = past(make)
    other = past(make)
    idea = make.idea(
        title="Makerspace w starej stołówce",
        source="workshop",
        workshop_id=workshop.id,
        process_id=workshop.process_id,
    )
    elsewhere = make.idea(
        title="Pomysł z innego spotkania",
        source="workshop",
        workshop_id=other.id,
        process_id=other.process_id,
    )
    response = client.get(f"/ideas?source=workshop&workshop={workshop.slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert idea.title in html
    assert elsewhere.title not in html


# --- staff: access --------------------------------------------------------------------

STAFF_GETS = [
    "/staff/workshops/",
    "/staff/workshops/new",
    "/staff/workshops/{id}",
    "/staff/workshops/{id}/edit",
    "/staff/workshops/{id}/registrations.csv",
]


@pytest.mark.parametrize("path", STAFF_GETS)
@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("moderator", 200), ("editor", 403)])
def test_staff_pages_are_for_moderators_and_admins(client, make, login, path, role, status):
    workshop = upcoming(make)
    login(role)
    assert client.get(path.format(id=workshop.id)).status_code == status


@pytest.mark.parametrize("path", STAFF_GETS)
def test_staff_pages_send_anonymous_people_to_sign_in(client, make, path):
    workshop = upcoming(make)
    response = client.get(path.format(id=workshop.id))
    assert response.status_code == 302
    assert "/staff/login" in response.location


def test_every_staff_workshop_route_requires_manage_workshops(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("staff_workshops.")]
    assert rules
    for rule in rules:
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "permission", None) == "manage_workshops", rule.endpoint


# --- staff: the CSV export ------------------------------------------------------------


def test_csv_export_lists_registrations_for_staff(app, client, make, login):
    workshop = upcoming(make, capacity=1)
    tokens = register_direct(app, workshop.id, 2)
    for token in tokens:
        confirm_direct(app, token)
    register_direct(app, workshop.id, 1, email_pattern="=cmd{}@example.org")
    login("moderator")
    response = client.get(f"/staff/workshops/{workshop.id}/registrations.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:2] == ["Imię i nazwisko", "E-mail"]
    emails = [row[1] for row in rows[1:]]
    assert emails == ["osoba0@example.org", "osoba1@example.org", "'=cmd0@example.org"]
    assert [row[4] for row in rows[1:]] == ["ma miejsce", "lista rezerwowa", "niepotwierdzony"]
    with app.app_context():
        assert db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "workshop.registrations_exported")
        )


@pytest.mark.parametrize("role", [None, "editor"])
def test_csv_export_is_refused_to_anonymous_and_editors(app, client, make, login, role):
    workshop = upcoming(make)
    register_direct(app, workshop.id, 1)
    if role:
        login(role)
    response = client.get(f"/staff/workshops/{workshop.id}/registrations.csv")
    assert response.status_code in (302, 403)
    assert response.status_code == (403 if role else 302)
    assert "osoba0@example.org" not in response.get_data(as_text=True)


# --- staff: creating and editing meetings ------------------------------------------


def _meeting_form(process_id: int, **overrides: str) -> dict[str, str]:
    data = {
        "process_id": str(process_id),
        "kind": "workshop",
        "title": "Spotkanie w Łęczycy – źródła energii",
        "slug": "",
        "lead": "Zapowiedź",
        "starts_at": "2031-01-15T17:00",
        "ends_at": "2031-01-15T19:30",
        "venue": "Sala widowiskowa",
        "address": "ul. Ogrodowa 1",
        "programme": "Program",
        "capacity": "25",
        "registration_closes_at": "2031-01-14T12:00",
        "published": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_staff_create_a_meeting_with_warsaw_times_and_polish_slug(app, client, make, login):
    process = make.process()
    user = login("moderator")
    response = client.post("/staff/workshops/new", data=_meeting_form(process.id))
    assert response.status_code == 303
    with app.app_context():
        workshop = db.session.scalar(select(Workshop))
        assert workshop.slug == "spotkanie-w-leczycy-zrodla-energii"
        assert workshop.starts_at == datetime(2031, 1, 15, 16, 0, tzinfo=UTC)
        assert workshop.ends_at == datetime(2031, 1, 15, 18, 30, tzinfo=UTC)
        assert workshop.registration_closes_at == datetime(2031, 1, 14, 11, 0, tzinfo=UTC)
        assert workshop.capacity == 25
        assert workshop.created_by_id == user.id
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "workshop.created"))
        assert entry.actor_id == user.id
    edit = client.get(response.location.replace(f"/{workshop.id}", f"/{workshop.id}/edit"))
    assert 'value="2031-01-15T17:00"' in edit.get_data(as_text=True)


def test_summer_time_is_converted_too(app, client, make, login):
    process = make.process()
    login("admin")
    client.post(
        "/staff/workshops/new",
        data=_meeting_form(
            process.id,
            starts_at="2031-07-01T10:00",
            ends_at="2031-07-01T12:00",
            registration_closes_at="",
        ),
    )
    with app.app_context():
        assert db.session.scalar(select(Workshop.starts_at)) == datetime(
            2031, 7, 1, 8, 0, tzinfo=UTC
        )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ends_at": "2031-01-15T16:00"}, "ends_at", "Koniec musi być później"),
        ({"registration_closes_at": "2031-01-15T18:00"}, "registration_closes_at", "najpóźniej"),
        ({"kind": "online", "online_url": ""}, "online_url", "potrzebuje linku"),
        ({"venue": ""}, "venue", "Podaj miejsce"),
        ({"capacity": "0"}, "capacity", "Od 1"),
        ({"slug": "Zły Slug"}, "slug", "Tylko małe litery"),
        ({"starts_at": "jutro"}, "starts_at", ""),
    ],
)
def test_invalid_meeting_form_shows_errors(client, make, login, overrides, field, message):
    process = make.process()
    login("moderator")
    response = client.post("/staff/workshops/new", data=_meeting_form(process.id, **overrides))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert message in html
    assert make.count(Workshop) == 0


def test_duplicate_slug_is_a_form_error(client, make, login):
    existing = upcoming(make, slug="zajety-adres")
    login("moderator")
    response = client.post(
        "/staff/workshops/new", data=_meeting_form(existing.process_id, slug="zajety-adres")
    )
    assert response.status_code == 400
    assert "już zajęty" in response.get_data(as_text=True)


def test_capacity_below_confirmed_registrations_is_a_form_error(app, client, make, login):
    workshop = upcoming(make, capacity=5)
    for token in register_direct(app, workshop.id, 3):
        confirm_direct(app, token)
    login("moderator")
    response = client.post(
        f"/staff/workshops/{workshop.id}/edit",
        data=_meeting_form(
            workshop.process_id,
            slug=workshop.slug,
            capacity="2",
            registration_closes_at="",
            starts_at=(utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
            ends_at=(utcnow() + timedelta(days=7, hours=2)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="capacity-error"' in html
    assert "potwierdzone miejsce ma już 3" in html
    assert make.get(Workshop, workshop.id).capacity == 5
    # Nothing else from the refused form was saved either.
    assert make.get(Workshop, workshop.id).title == workshop.title


def test_capacity_equal_to_confirmed_is_allowed(app, client, make, login):
    workshop = upcoming(make, capacity=5)
    for token in register_direct(app, workshop.id, 3):
        confirm_direct(app, token)
    login("moderator")
    response = client.post(
        f"/staff/workshops/{workshop.id}/edit",
        data=_meeting_form(
            workshop.process_id,
            slug=workshop.slug,
            capacity="3",
            registration_closes_at="",
            starts_at=(utcnow() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
            ends_at=(utcnow() + timedelta(days=7, hours=2)).strftime("%Y-%m-%dT%H:%M"),
        ),
    )
    assert response.status_code == 303
    assert make.get(Workshop, workshop.id).places_left == 0


def test_unknown_meeting_in_staff_is_404(client, make, login):
    login("moderator")
    assert client.get("/staff/workshops/999").status_code == 404
    assert client.get("/staff/workshops/999/edit").status_code == 404
    assert client.get("/staff/workshops/999/registrations.csv").status_code == 404


# --- staff: groups -----------------------------------------------------------------------


def test_staff_add_edit_and_remove_groups(app, client, make, login):
    workshop = upcoming(make)
    login("moderator")
    response = client.post(
        f"/staff/workshops/{workshop.id}/groups",
        data={"group-name": "Seniorzy i młodzież", "group-participants_count": "12"},
    )
    assert response.status_code == 303
    with app.app_context():
        group = db.session.scalar(select(WorkshopGroup))
        group_id = group.id
        assert (group.name, group.participants_count) == ("Seniorzy i młodzież", 12)
    client.post(
        f"/staff/workshops/{workshop.id}/groups/{group_id}",
        data={"group-name": "Seniorzy, młodzież i samorząd", "group-position": "1"},
    )
    assert make.get(WorkshopGroup, group_id).name == "Seniorzy, młodzież i samorząd"
    client.post(f"/staff/workshops/{workshop.id}/groups/{group_id}/delete", data={"confirm": "y"})
    assert make.count(WorkshopGroup) == 0
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-3:] == [
        "workshop.group_added",
        "workshop.group_updated",
        "workshop.group_removed",
    ]


def test_group_without_a_name_is_a_form_error(client, make, login):
    workshop = upcoming(make)
    login("moderator")
    response = client.post(f"/staff/workshops/{workshop.id}/groups", data={"group-name": ""})
    assert response.status_code == 400
    assert 'id="group-name-error"' in response.get_data(as_text=True)


def test_group_with_ideas_cannot_be_removed(client, make, login):
    workshop = past(make)
    group = make.workshop_group(workshop.id)
    make.idea(workshop_id=workshop.id, workshop_group_id=group.id, source="workshop")
    login("moderator")
    response = client.post(
        f"/staff/workshops/{workshop.id}/groups/{group.id}/delete",
        data={"confirm": "y"},
        follow_redirects=True,
    )
    assert "nie można jej usunąć" in response.get_data(as_text=True)
    assert make.count(WorkshopGroup) == 1


def test_group_of_another_meeting_is_404(client, make, login):
    one, other = upcoming(make), upcoming(make)
    group = make.workshop_group(other.id)
    login("moderator")
    assert client.post(f"/staff/workshops/{one.id}/groups/{group.id}/delete").status_code == 404


# --- staff: registrations, attendance, messages -----------------------------------------


def test_staff_see_registrations_with_needs(app, client, make, login):
    workshop = upcoming(make)
    register_direct(app, workshop.id, 2)
    login("moderator")
    html = client.get(f"/staff/workshops/{workshop.id}").get_data(as_text=True)
    assert "osoba0@example.org" in html and "osoba1@example.org" in html
    assert "niepotwierdzony" in html


def test_staff_mark_attendance_after_the_meeting_started(app, client, make, login):
    workshop = upcoming(make)
    first, second, unconfirmed = register_direct(app, workshop.id, 3)
    confirm_direct(app, first)
    confirm_direct(app, second)
    with app.app_context():
        meeting = db.session.get(Workshop, workshop.id)
        meeting.starts_at = utcnow() - timedelta(hours=3)
        meeting.ends_at = utcnow() - timedelta(hours=1)
        db.session.commit()
        ids = {r.email: r.id for r in db.session.scalars(select(Registration)).all()}
    login("moderator")
    response = client.post(
        f"/staff/workshops/{workshop.id}/attendance",
        data={"present": [str(ids["osoba0@example.org"]), str(ids["osoba2@example.org"])]},
    )
    assert response.status_code == 303
    with app.app_context():
        attended = {r.email: r.attended for r in db.session.scalars(select(Registration)).all()}
    assert attended == {
        "osoba0@example.org": True,
        "osoba1@example.org": False,
        "osoba2@example.org": None,  # not confirmed: not on the attendance list
    }


def test_attendance_before_the_meeting_is_refused(app, client, make, login):
    workshop = upcoming(make)
    [token] = register_direct(app, workshop.id, 1)
    confirm_direct(app, token)
    login("moderator")
    response = client.post(
        f"/staff/workshops/{workshop.id}/attendance", data={"present": ["1"]}, follow_redirects=True
    )
    assert "dopiero od rozpoczęcia" in response.get_data(as_text=True)
    assert make.count(Registration, attended=True) == 0


def test_message_to_everyone_registered_goes_one_per_person(app, make, smtp_server, make_app):
    mail_app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    client = mail_app.test_client()
    workshop = upcoming(make, capacity=2)
    tokens = register_direct(app, workshop.id, 4)
    for token in tokens[:3]:
        confirm_direct(app, token)  # two with a place, one waiting, one unconfirmed
    user = make.user(role="moderator")
    client.post("/staff/login", data={"email": user.email, "password": make.PASSWORD})
    response = client.post(
        f"/staff/workshops/{workshop.id}/message",
        data={
            "message-audience": "confirmed",
            "message-subject": "Zmiana sali",
            "message-body": "Spotykamy się w **sali C** na parterze.",
        },
    )
    assert response.status_code == 303
    mails = smtp_server.wait_for(2)
    sent = [m for m in mails if m["Subject"] == "Zmiana sali"]
    assert sorted(m["To"] for m in sent) == ["osoba0@example.org", "osoba1@example.org"]
    assert "sali C" in smtp_server.text_of(sent[0])
    assert "<strong>sali C</strong>" in smtp_server.html_of(sent[0])
    with app.app_context():
        rows = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "workshop_message")
        ).all()
        assert len(rows) == 2
        assert (
            db.session.scalar(
                select(AuditEntry).where(AuditEntry.action == "workshop.message_sent")
            ).data["recipients"]
            == 2
        )


def test_message_can_include_the_waiting_list(app, client, make, login):
    workshop = upcoming(make, capacity=1)
    for token in register_direct(app, workshop.id, 3):
        confirm_direct(app, token)
    login("moderator")
    client.post(
        f"/staff/workshops/{workshop.id}/message",
        data={
            "message-audience": "confirmed_waiting",
            "message-subject": "Informacja",
            "message-body": "Treść",
        },
    )
    assert make.count(OutboxMessage, template="workshop_message") == 3


def test_message_without_recipients_or_subject_is_refused(client, make, login):
    workshop = upcoming(make)
    login("moderator")
    empty = client.post(
        f"/staff/workshops/{workshop.id}/message",
        data={"message-audience": "confirmed", "message-subject": "", "message-body": "x"},
    )
    assert empty.status_code == 400
    assert 'id="message-subject-error"' in empty.get_data(as_text=True)
    nobody = client.post(
        f"/staff/workshops/{workshop.id}/message",
        data={"message-audience": "confirmed", "message-subject": "Temat", "message-body": "x"},
    )
    assert nobody.status_code == 400
    assert "nie ma do kogo" in nobody.get_data(as_text=True)
    assert make.count(OutboxMessage, template="workshop_message") == 0


# --- staff: minutes -------------------------------------------------------------------------


def test_minutes_are_published_after_the_meeting(app, client, make, login):
    workshop = past(make)
    login("moderator")
    response = client.post(
        f"/staff/workshops/{workshop.id}/minutes",
        data={"minutes-minutes": "Ustalono **trzy** rzeczy.", "minutes-minutes_published": "y"},
    )
    assert response.status_code == 303
    stored = make.get(Workshop, workshop.id)
    assert stored.minutes_published and stored.minutes_published_at
    assert "<strong>trzy</strong>" in client.get(f"/workshops/{workshop.slug}").get_data(
        as_text=True
    )
    assert make.count(AuditEntry, action="workshop.minutes_published") == 1


def test_minutes_cannot_be_published_before_the_meeting(client, make, login):
    workshop = upcoming(make)
    login("moderator")
    response = client.post(
        f"/staff/workshops/{workshop.id}/minutes",
        data={"minutes-minutes": "Za wcześnie", "minutes-minutes_published": "y"},
    )
    assert response.status_code == 400
    assert "dopiero po spotkaniu" in response.get_data(as_text=True)
    assert not make.get(Workshop, workshop.id).minutes_published


def test_minutes_draft_is_saved_unpublished(client, make, login):
    workshop = upcoming(make)
    login("moderator")
    client.post(f"/staff/workshops/{workshop.id}/minutes", data={"minutes-minutes": "Szkic"})
    stored = make.get(Workshop, workshop.id)
    assert (stored.minutes, stored.minutes_published) == ("Szkic", False)


# --- staff: ideas from the meeting -------------------------------------------------------


def _idea_form(category_id: int, group_id: int = 0, mode: str = "publish") -> dict[str, str]:
    return {
        "idea-title": "Wodorowa linia autobusowa",
        "idea-description": "Autobusy na wodór z lokalnej elektrolizy łączą gminy z parkiem.",
        "idea-category": str(category_id),
        "idea-group": str(group_id),
        "idea-mode": mode,
    }


def test_recorded_idea_is_published_at_once(app, client, make, login):
    workshop = past(make)
    group = make.workshop_group(workshop.id, name="Samorząd i firmy")
    category = make.category()
    user = login("moderator")
    response = client.post(
        f"/staff/workshops/{workshop.id}/ideas", data=_idea_form(category.id, group.id)
    )
    assert response.status_code == 303
    with app.app_context():
        idea = db.session.scalar(select(Idea))
        assert idea.source == "workshop"
        assert idea.status == "published"
        assert idea.published_at is not None
        assert (idea.workshop_id, idea.workshop_group_id) == (workshop.id, group.id)
        assert idea.process_id == workshop.process_id
        assert idea.created_by_id == user.id
        assert "elektrolizy" in idea.search_text and "wodorowa" in idea.search_text
        kinds = [e.kind for e in db.session.scalars(select(IdeaEvent).order_by(IdeaEvent.id))]
        assert kinds == ["submitted", "published"]
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {"idea.recorded_from_workshop", "idea.publish"} <= actions
        idea_id, slug = idea.id, idea.slug
    html = client.get(f"/workshops/{workshop.slug}").get_data(as_text=True)
    assert f'href="/ideas/{idea_id}-{slug}"' in html
    assert "Samorząd i firmy" in html
    catalogue = client.get(f"/ideas?source=workshop&workshop={workshop.slug}")
    assert "Wodorowa linia autobusowa" in catalogue.get_data(as_text=True)
    found = client.get("/ideas?q=elektrolizy").get_data(as_text=True)
    assert "Wodorowa linia autobusowa" in found


def test_recorded_idea_can_go_to_moderation(app, client, make, login):
    workshop = past(make)
    category = make.category()
    login("moderator")
    client.post(
        f"/staff/workshops/{workshop.id}/ideas",
        data=_idea_form(category.id, mode="review"),
        follow_redirects=True,  # the flash names the idea
    )
    with app.app_context():
        idea = db.session.scalar(select(Idea))
        assert idea.status == "awaiting_review"
        assert idea.published_at is None
        assert idea.workshop_group_id is None
    assert "Wodorowa linia" not in client.get(f"/workshops/{workshop.slug}").get_data(as_text=True)


def test_recorded_idea_with_a_group_of_another_meeting_is_refused(client, make, login):
    workshop, other = past(make), past(make)
    foreign = make.workshop_group(other.id)
    category = make.category()
    login("moderator")
    response = client.post(
        f"/staff/workshops/{workshop.id}/ideas", data=_idea_form(category.id, foreign.id)
    )
    assert response.status_code == 400
    assert make.count(Idea) == 0


def test_recorded_idea_too_short_is_a_form_error(client, make, login):
    workshop = past(make)
    category = make.category()
    login("moderator")
    data = _idea_form(category.id) | {"idea-description": "za krótko"}
    response = client.post(f"/staff/workshops/{workshop.id}/ideas", data=data)
    assert response.status_code == 400
    assert 'id="idea-description-error"' in response.get_data(as_text=True)
    assert make.count(Idea) == 0


# --- dashboard and statistics -------------------------------------------------------------


def test_dashboard_tile_for_moderators_not_editors(app, client, make, login):
    upcoming(make)
    held = upcoming(make)
    [token] = register_direct(app, held.id, 1)
    confirm_direct(app, token)
    with app.app_context():
        meeting = db.session.get(Workshop, held.id)
        meeting.starts_at = utcnow() - timedelta(hours=3)
        meeting.ends_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    login("moderator")
    html = client.get("/staff/").get_data(as_text=True)
    assert "Nadchodzące spotkania" in html
    assert "Spotkania bez zaznaczonej obecności" in html
    assert "Protokoły do opublikowania" in html


def test_dashboard_has_no_workshop_tiles_for_editors(client, make, login):
    upcoming(make)
    login("editor")
    assert "Nadchodzące spotkania" not in client.get("/staff/").get_data(as_text=True)


# --- demo ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_demo_meetings(app, runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    now = utcnow()
    with app.app_context():
        workshops = db.session.scalars(select(Workshop).order_by(Workshop.starts_at)).all()
        kinds = {w.kind for w in workshops}
        assert {"expert_meeting", "workshop", "summary_meeting"} <= kinds
        held = [w for w in workshops if w.is_past(now)]
        assert held and all(w.minutes_published for w in held)
        session = next(w for w in held if w.kind == "workshop")
        assert len(session.groups) >= 4
        ideas = db.session.scalars(
            select(Idea).where(Idea.workshop_id == session.id, Idea.status == "published")
        ).all()
        assert 4 <= len(ideas) <= 5
        assert all(i.source == "workshop" and i.workshop_group_id for i in ideas)
        from app.demo.ideas import FORM_IDEAS

        assert not {i.title for i in ideas} & {row[0] for row in FORM_IDEAS}
        future = [w for w in workshops if not w.is_past(now) and w.capacity]
        assert any(w.places_left and w.places_left > 0 for w in future)
        full = [w for w in future if w.places_left == 0]
        assert full
        confirmed = db.session.scalar(
            select(db.func.count())
            .select_from(Registration)
            .where(Registration.workshop_id == full[0].id, Registration.status == "confirmed")
        )
        assert confirmed == full[0].capacity == full[0].places_taken
        assert db.session.scalar(
            select(db.func.count())
            .select_from(Registration)
            .where(Registration.workshop_id == full[0].id, Registration.status == "waiting")
        )
        emails = db.session.scalars(select(Registration.email)).all()
        assert all(e.endswith("@example.org") for e in emails)
        assert workshops[-1].kind == "summary_meeting"
        for workshop in workshops:
            assert workshop.places_taken == db.session.scalar(
                select(db.func.count())
                .select_from(Registration)
                .where(Registration.workshop_id == workshop.id, Registration.status == "confirmed")
            )


def test_staff_cancel_a_registration_and_the_waiting_list_moves_up(app, client, make, login):
    workshop = upcoming(make, capacity=1)
    first, second = register_direct(app, workshop.id, 2)
    confirm_direct(app, first)
    confirm_direct(app, second)
    with app.app_context():
        holder = db.session.scalar(
            select(Registration).where(Registration.email == "osoba0@example.org")
        )
        holder_id = holder.id
    login("moderator")
    page = client.get(f"/staff/workshops/{workshop.id}").get_data(as_text=True)
    assert f'form="cancel-{holder_id}"' in page
    response = client.post(
        f"/staff/workshops/{workshop.id}/registrations/{holder_id}/cancel", data={"confirm": "y"}
    )
    assert response.status_code == 303
    with app.app_context():
        statuses = dict(db.session.execute(select(Registration.email, Registration.status)).all())
    assert statuses == {"osoba0@example.org": "cancelled", "osoba1@example.org": "confirmed"}
    assert make.count(AuditEntry, action="workshop.registration_cancelled") == 1
    assert make.count(OutboxMessage, template="registration_promoted") == 1
    assert make.count(OutboxMessage, template="registration_cancelled") == 1


def test_staff_cancel_of_another_meetings_registration_is_404(app, client, make, login):
    one, other = upcoming(make), upcoming(make)
    register_direct(app, other.id, 1)
    with app.app_context():
        registration_id = db.session.scalar(select(Registration.id))
    login("moderator")
    response = client.post(f"/staff/workshops/{one.id}/registrations/{registration_id}/cancel")
    assert response.status_code == 404
    assert make.count(Registration, status="unconfirmed") == 1


def test_ids_beyond_the_integer_range_are_404(client, make, login):
    workshop = upcoming(make)
    login("moderator")
    huge = 2**40
    assert client.get(f"/staff/workshops/{huge}").status_code == 404
    assert client.get(f"/staff/workshops/{huge}/edit").status_code == 404
    assert client.post(f"/staff/workshops/{workshop.id}/groups/{huge}/delete").status_code == 404
    assert (
        client.post(f"/staff/workshops/{workshop.id}/registrations/{huge}/cancel").status_code
        == 404
    )
