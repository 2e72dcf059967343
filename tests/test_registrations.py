"""Registration for meetings: the whole path by e-mail, waiting list,
cancellation, and every kind of bad input."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, utcnow
from app.models.workshop import Registration, RegistrationStatus, Workshop
from app.workshops import services
from tests.workshops_support import (
    confirm_direct,
    form,
    past,
    register_direct,
    registration_by_token,
    registration_path,
    upcoming,
)


def _statuses(make, workshop_id: int) -> dict[str, int]:
    return {
        status.value: make.count(Registration, workshop_id=workshop_id, status=status.value)
        for status in RegistrationStatus
    }


# --- the whole path with a real SMTP server --------------------------------------


def test_register_confirm_and_cancel_by_email_links(mail_client, smtp_server, make):
    workshop = upcoming(make, capacity=5, title="Warsztaty o wodorze")

    response = mail_client.post(
        f"/workshops/{workshop.slug}/register", data=form(email="ewa@example.org")
    )
    assert response.status_code == 303
    assert response.location.endswith(f"/workshops/{workshop.slug}#zapisy")
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "ewa@example.org"
    assert "Warsztaty o wodorze" in mail["Subject"]
    text = smtp_server.text_of(mail)
    assert "Potwierdzam zapis" in text
    path = registration_path(text)
    assert path in smtp_server.html_of(mail)
    # Unconfirmed: no place held yet.
    assert make.get(Workshop, workshop.id).places_taken == 0

    page = mail_client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'action="{path}/confirm"' in html
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert make.count(Registration, status="unconfirmed") == 1  # GET changed nothing

    confirmed = mail_client.post(f"{path}/confirm")
    assert confirmed.status_code == 303
    assert make.get(Workshop, workshop.id).places_taken == 1
    mails = smtp_server.wait_for(2)
    assert "Masz miejsce" in mails[1]["Subject"]
    body = smtp_server.text_of(mails[1])
    assert f"/workshops/{workshop.slug}.ics" in body
    cancel_path = registration_path(body, cancel=True)

    # The cancel link from the e-mail opens a page with one button, which POSTs.
    cancel_page = mail_client.get(cancel_path)
    assert cancel_page.status_code == 200
    cancel_html = cancel_page.get_data(as_text=True)
    assert cancel_html.count('type="submit" class="btn btn-danger') == 1
    assert f'action="{path}/cancel"' in cancel_html
    assert make.count(Registration, status="confirmed") == 1

    cancelled = mail_client.post(f"{path}/cancel")
    assert cancelled.status_code == 303
    assert make.count(Registration, status="cancelled") == 1
    assert make.get(Workshop, workshop.id).places_taken == 0
    mails = smtp_server.wait_for(3)
    assert "anulowany" in mails[2]["Subject"]
    assert "Zapis anulowany" in mail_client.get(path).get_data(as_text=True)


def test_promotion_from_the_waiting_list_is_mailed(mail_client, mail_app, smtp_server, make):
    workshop = upcoming(make, capacity=1)
    first, second, third = register_direct(mail_app, workshop.id, 3)
    for token in (first, second, third):
        mail_client.post(f"/registrations/{token}/confirm")
    assert _statuses(make, workshop.id)["confirmed"] == 1
    assert _statuses(make, workshop.id)["waiting"] == 2
    waiting_mails = smtp_server.to("osoba1@example.org")
    assert "liście rezerwowej" in waiting_mails[-1]["Subject"]
    assert "Twoje miejsce na liście: 1." in smtp_server.text_of(waiting_mails[-1])
    assert "Twoje miejsce na liście: 2." in smtp_server.text_of(
        smtp_server.to("osoba2@example.org")[-1]
    )

    mail_client.post(f"/registrations/{first}/cancel")

    assert registration_by_token(mail_app, first).status == "cancelled"
    promoted = registration_by_token(mail_app, second)
    assert promoted.status == "confirmed"
    assert promoted.promoted_at is not None
    assert registration_by_token(mail_app, third).status == "waiting"
    assert make.get(Workshop, workshop.id).places_taken == 1

    # Mail is delivered right after the request's commit.
    promotion = [m for m in smtp_server.to("osoba1@example.org") if "Zwolniło się" in m["Subject"]]
    [mail] = promotion
    text = smtp_server.text_of(mail)
    assert registration_path(text, cancel=True)
    assert not [m for m in smtp_server.to("osoba2@example.org") if "Zwolniło" in m["Subject"]]


# --- confirming and the waiting list ------------------------------------------------


def test_unconfirmed_registrations_hold_no_place(app, make):
    workshop = upcoming(make, capacity=2)
    register_direct(app, workshop.id, 5)
    assert make.get(Workshop, workshop.id).places_taken == 0
    assert make.get(Workshop, workshop.id).places_left == 2


def test_confirming_takes_a_place_until_full_then_the_waiting_list(app, make):
    workshop = upcoming(make, capacity=2)
    tokens = register_direct(app, workshop.id, 3)
    assert [confirm_direct(app, t) for t in tokens] == ["confirmed", "confirmed", "waiting"]
    stored = make.get(Workshop, workshop.id)
    assert stored.places_taken == 2
    assert registration_by_token(app, tokens[2]).waiting_since is not None


def test_confirming_twice_takes_one_place(app, client, make):
    workshop = upcoming(make, capacity=3)
    [token] = register_direct(app, workshop.id, 1)
    client.post(f"/registrations/{token}/confirm")
    second = client.post(f"/registrations/{token}/confirm", follow_redirects=True)
    assert "był już potwierdzony" in second.get_data(as_text=True)
    assert make.get(Workshop, workshop.id).places_taken == 1


def test_a_meeting_without_capacity_never_fills(app, make):
    workshop = upcoming(make, capacity=None)
    tokens = register_direct(app, workshop.id, 4)
    assert {confirm_direct(app, t) for t in tokens} == {"confirmed"}


def test_cancelling_a_waiting_registration_frees_no_place(app, client, make):
    workshop = upcoming(make, capacity=1)
    first, second = register_direct(app, workshop.id, 2)
    confirm_direct(app, first)
    confirm_direct(app, second)
    client.post(f"/registrations/{second}/cancel")
    assert registration_by_token(app, second).status == "cancelled"
    assert registration_by_token(app, first).status == "confirmed"
    assert make.get(Workshop, workshop.id).places_taken == 1


def test_cancelling_without_anyone_waiting_frees_the_place(app, client, make):
    workshop = upcoming(make, capacity=1)
    [token] = register_direct(app, workshop.id, 1)
    confirm_direct(app, token)
    client.post(f"/registrations/{token}/cancel")
    assert make.get(Workshop, workshop.id).places_taken == 0


def test_cancelling_an_unconfirmed_registration(app, client, make):
    workshop = upcoming(make)
    [token] = register_direct(app, workshop.id, 1)
    response = client.post(f"/registrations/{token}/cancel")
    assert response.status_code == 303
    assert registration_by_token(app, token).status == "cancelled"
    assert registration_by_token(app, token).active_email is None


def test_cancelling_twice_says_so(app, client, make):
    workshop = upcoming(make)
    [token] = register_direct(app, workshop.id, 1)
    confirm_direct(app, token)
    client.post(f"/registrations/{token}/cancel")
    again = client.post(f"/registrations/{token}/cancel", follow_redirects=True)
    assert "był już anulowany" in again.get_data(as_text=True)
    assert make.get(Workshop, workshop.id).places_taken == 0


def test_registration_page_get_never_changes_state(app, client, make):
    workshop = upcoming(make, capacity=1)
    [token] = register_direct(app, workshop.id, 1)
    for query in ("", "?cancel=1", "?confirm=1"):
        assert client.get(f"/registrations/{token}{query}").status_code == 200
    assert registration_by_token(app, token).status == "unconfirmed"
    confirm_direct(app, token)
    client.get(f"/registrations/{token}?cancel=1")
    assert registration_by_token(app, token).status == "confirmed"


def test_confirm_and_cancel_refuse_get(app, client, make):
    workshop = upcoming(make)
    [token] = register_direct(app, workshop.id, 1)
    assert client.get(f"/registrations/{token}/confirm").status_code == 405
    assert client.get(f"/registrations/{token}/cancel").status_code == 405
    assert registration_by_token(app, token).status == "unconfirmed"


def test_waiting_page_shows_the_position(app, client, make):
    workshop = upcoming(make, capacity=1)
    tokens = register_direct(app, workshop.id, 3)
    for token in tokens:
        confirm_direct(app, token)
    html = client.get(f"/registrations/{tokens[2]}").get_data(as_text=True)
    assert "Twoje miejsce na liście rezerwowej: 2" in html


def test_raising_capacity_moves_the_waiting_list_up(app, make, login, client):
    workshop = upcoming(make, capacity=1)
    tokens = register_direct(app, workshop.id, 3)
    for token in tokens:
        confirm_direct(app, token)
    login("moderator")
    with app.app_context():
        stored = db.session.get(Workshop, workshop.id)
        data = _staff_form(stored, capacity="2")
    response = client.post(f"/staff/workshops/{workshop.id}/edit", data=data)
    assert response.status_code == 303
    assert [registration_by_token(app, t).status for t in tokens] == [
        "confirmed",
        "confirmed",
        "waiting",
    ]
    assert make.get(Workshop, workshop.id).places_taken == 2
    with app.app_context():
        promoted = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.template == "registration_promoted")
        ).all()
    assert [m.recipient for m in promoted] == ["osoba1@example.org"]


def _staff_form(workshop: Workshop, **overrides: str) -> dict[str, str]:
    from app.timeutil import utc_to_local

    data = {
        "process_id": str(workshop.process_id),
        "kind": workshop.kind,
        "title": workshop.title,
        "slug": workshop.slug,
        "starts_at": utc_to_local(workshop.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": utc_to_local(workshop.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "venue": workshop.venue or "Sala",
        "capacity": "" if workshop.capacity is None else str(workshop.capacity),
        "published": "y",
    }
    data.update(overrides)
    return data


# --- bad input ------------------------------------------------------------------------


def _answer(app, workshop: Workshop, email: str) -> tuple[int, str | None, str]:
    """What a visitor sees after registering *email*: status, redirect and the
    page it leads to (its CSRF token aside)."""
    client = app.test_client()
    response = client.post(f"/workshops/{workshop.slug}/register", data=form(email=email))
    page = client.get(response.location).get_data(as_text=True) if response.location else ""
    return (
        response.status_code,
        response.location,
        re.sub(r'name="csrf_token"[^>]*value="[^"]*"', "", page),
    )


def _mails(app, template: str) -> list[OutboxMessage]:
    with app.app_context():
        mails = db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.template == template)
            .order_by(OutboxMessage.id)
        ).all()
        db.session.expunge_all()
        return mails


def test_registration_answers_alike_whether_the_address_is_new_pending_confirmed_or_waiting(
    app, make
):
    workshop = upcoming(make, capacity=1)
    [pending] = register_direct(app, workshop.id, 1, email_pattern="pending{}@example.org")
    confirmed, waiting = register_direct(app, workshop.id, 2, email_pattern="in{}@example.org")
    confirm_direct(app, confirmed)
    assert confirm_direct(app, waiting) == "waiting"

    # The same address in the same spelling for each, so only the state differs.
    answers = {
        state: _answer(app, workshop, email)
        for state, email in [
            ("new", "nowa@example.org"),
            ("pending", "pending0@example.org"),
            ("confirmed", "in0@example.org"),
            ("waiting", "in1@example.org"),
        ]
    }
    for state, (status, location, page) in answers.items():
        assert status == 303, state
        assert location == f"/workshops/{workshop.slug}#zapisy", state
        assert "Sprawdź skrzynkę" in page
    pages = {
        page.replace(email, "ADDRESS")
        for (_, _, page), email in zip(
            answers.values(),
            ["nowa@example.org", "pending0@example.org", "in0@example.org", "in1@example.org"],
            strict=True,
        )
    }
    assert len(pages) == 1
    assert make.count(Registration, workshop_id=workshop.id) == 4


def test_an_already_registered_address_gets_its_private_link_by_mail(app, make):
    workshop = upcoming(make)
    [token] = register_direct(app, workshop.id, 1, email_pattern="marta{}@example.org")
    confirm_direct(app, token)
    status, _, page = _answer(app, workshop, "  MARTA0@example.org ")
    assert status == 303
    assert "już zapisany" not in page
    assert make.count(Registration, workshop_id=workshop.id) == 1
    # The address (not the person asking) gets its private link again.
    [reminder] = _mails(app, "registration_reminder")
    assert reminder.recipient == "marta0@example.org"
    assert "zapis już istnieje" in reminder.body_text
    assert registration_path(reminder.body_text) == f"/registrations/{token}"
    assert registration_path(reminder.body_text, cancel=True) == f"/registrations/{token}?cancel=1"


def test_registering_again_before_confirming_resends_the_same_link(app, client, make):
    workshop = upcoming(make)
    [old_token] = register_direct(app, workshop.id, 1)
    status, _, _ = _answer(app, workshop, "osoba0@example.org")
    assert status == 303
    assert make.count(Registration, workshop_id=workshop.id) == 1
    # The link in the first mail keeps working: it is the one mailed again.
    assert client.get(f"/registrations/{old_token}").status_code == 200
    mails = _mails(app, "registration_confirm")
    assert len(mails) == 2
    assert {registration_path(mail.body_text) for mail in mails} == {f"/registrations/{old_token}"}
    assert client.post(f"/registrations/{old_token}/confirm").status_code == 303
    assert registration_by_token(app, old_token).status == "confirmed"


@pytest.mark.app_config(CONFIRMATION_MAILS_PER_ADDRESS_PER_HOUR=3)
def test_registration_mails_to_one_address_are_limited_per_hour(app, make):
    workshop, other = upcoming(make), upcoming(make)
    answers = {_answer(app, workshop, "ofiara@example.org")[:2] for _ in range(6)}
    assert answers == {(303, f"/workshops/{workshop.slug}#zapisy")}  # the same answer every time
    assert make.count(OutboxMessage, recipient="ofiara@example.org") == 3
    assert make.count(Registration, workshop_id=workshop.id) == 1
    # The limit is per meeting: another one is mailed as usual.
    _answer(app, other, "ofiara@example.org")
    assert make.count(OutboxMessage, recipient="ofiara@example.org") == 4


def test_after_cancelling_one_can_register_again(app, client, make):
    workshop = upcoming(make)
    [token] = register_direct(app, workshop.id, 1)
    client.post(f"/registrations/{token}/cancel")
    response = client.post(
        f"/workshops/{workshop.slug}/register", data=form(email="osoba0@example.org")
    )
    assert response.status_code == 303
    assert make.count(Registration, workshop_id=workshop.id) == 2


def test_registering_for_a_past_meeting_is_refused(client, make):
    workshop = past(make)
    response = client.post(f"/workshops/{workshop.slug}/register", data=form())
    assert response.status_code == 409
    assert "już się odbyło" in response.get_data(as_text=True)
    assert make.count(Registration) == 0


def test_registering_after_the_window_closed_is_refused(client, make):
    workshop = upcoming(make, registration_closes_at=utcnow() - timedelta(hours=1))
    response = client.post(f"/workshops/{workshop.slug}/register", data=form())
    assert response.status_code == 409
    assert "zostały już zamknięte" in response.get_data(as_text=True)
    assert make.count(Registration) == 0
    page = client.get(f"/workshops/{workshop.slug}").get_data(as_text=True)
    assert "zostały już zamknięte" in page
    assert 'name="consent"' not in page


def test_registering_before_the_window_opens_is_refused(client, make):
    workshop = upcoming(make, registration_opens_at=utcnow() + timedelta(days=2))
    response = client.post(f"/workshops/{workshop.slug}/register", data=form())
    assert response.status_code == 409
    assert "jeszcze się nie rozpoczęły" in response.get_data(as_text=True)
    assert make.count(Registration) == 0


def test_registering_for_an_unknown_meeting_is_404(client, make):
    assert client.post("/workshops/nie-ma-takiego/register", data=form()).status_code == 404
    assert client.get("/workshops/nie-ma-takiego").status_code == 404


def test_registering_for_an_unpublished_meeting_is_404(client, make):
    workshop = upcoming(make, published=False)
    assert client.post(f"/workshops/{workshop.slug}/register", data=form()).status_code == 404


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Podaj imię i nazwisko"),
        ("email", "nie-adres", "nie wygląda na adres e-mail"),
        ("email", "", "Podaj adres e-mail"),
        ("participant_group", "kosmita", "Not a valid choice"),
        ("participant_group", None, "Wybierz grupę"),
        ("consent", None, "Bez tej zgody"),
        ("needs", "x" * 1001, "Najwyżej 1000 znaków"),
    ],
)
def test_invalid_registration_form_is_re_rendered_with_errors(client, make, field, value, message):
    workshop = upcoming(make)
    response = client.post(f"/workshops/{workshop.slug}/register", data=form(**{field: value}))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Popraw błędy w formularzu" in html
    assert f'id="{field}-error"' in html
    assert make.count(Registration) == 0


def test_participant_group_choices_are_the_contract_values(client, make):
    workshop = upcoming(make)
    html = client.get(f"/workshops/{workshop.slug}").get_data(as_text=True)
    for value in (
        "resident",
        "young_person",
        "senior",
        "entrepreneur",
        "local_government",
        "other",
    ):
        assert f'value="{value}"' in html


def test_every_participant_group_is_accepted(app, client, make):
    workshop = upcoming(make)
    for index, group in enumerate(
        ("resident", "young_person", "senior", "entrepreneur", "local_government", "other")
    ):
        response = client.post(
            f"/workshops/{workshop.slug}/register",
            data=form(
                email=f"g{index}@example.org", participant_group=group, needs="Pętla indukcyjna"
            ),
        )
        assert response.status_code == 303
    assert make.count(Registration, workshop_id=workshop.id) == 6
    assert make.count(Registration, needs="Pętla indukcyjna") == 6


@pytest.mark.parametrize("token", ["forged-token", "x" * 64, "a" * 500])
def test_forged_token_is_a_clear_404(client, make, token):
    for response in (
        client.get(f"/registrations/{token}"),
        client.post(f"/registrations/{token}/confirm"),
        client.post(f"/registrations/{token}/cancel"),
    ):
        assert response.status_code == 404
        assert "nieprawidłowy albo wygasł" in response.get_data(as_text=True)


@pytest.mark.app_config(RETENTION_UNCONFIRMED_DAYS=2)
def test_expired_unconfirmed_link_is_a_clear_404(app, client, make):
    workshop = upcoming(make, capacity=1)
    [token] = register_direct(app, workshop.id, 1)
    with app.app_context():
        registration = services.find_by_token(token)
        registration.created_at = utcnow() - timedelta(days=3)
        db.session.commit()
    response = client.post(f"/registrations/{token}/confirm")
    assert response.status_code == 404
    assert "wygasł" in response.get_data(as_text=True)
    assert client.get(f"/registrations/{token}").status_code == 404
    assert make.get(Workshop, workshop.id).places_taken == 0


def test_an_expired_unconfirmed_registration_does_not_block_a_new_one(app, client, make):
    workshop = upcoming(make)
    [token] = register_direct(app, workshop.id, 1)
    with app.app_context():
        registration = services.find_by_token(token)
        registration.created_at = utcnow() - timedelta(days=30)
        db.session.commit()
    response = client.post(
        f"/workshops/{workshop.slug}/register", data=form(email="osoba0@example.org")
    )
    assert response.status_code == 303
    assert make.count(Registration, workshop_id=workshop.id, status="expired") == 1
    assert make.count(Registration, workshop_id=workshop.id, status="unconfirmed") == 1


def test_confirming_after_the_meeting_started_is_refused(app, client, make):
    workshop = upcoming(make)
    [token] = register_direct(app, workshop.id, 1)
    with app.app_context():
        stored = db.session.get(Workshop, workshop.id)
        stored.starts_at = utcnow() - timedelta(minutes=5)
        db.session.commit()
    response = client.post(f"/registrations/{token}/confirm")
    assert response.status_code == 404
    assert registration_by_token(app, token).status == "unconfirmed"


def test_cancelling_after_the_meeting_is_refused_with_a_message(app, client, make):
    workshop = upcoming(make)
    [token] = register_direct(app, workshop.id, 1)
    confirm_direct(app, token)
    with app.app_context():
        stored = db.session.get(Workshop, workshop.id)
        stored.starts_at = utcnow() - timedelta(hours=5)
        stored.ends_at = utcnow() - timedelta(hours=2)
        db.session.commit()
    response = client.post(f"/registrations/{token}/cancel")
    assert response.status_code == 409
    assert "już się odbyło" in response.get_data(as_text=True)
    assert registration_by_token(app, token).status == "confirmed"


# --- retention -------------------------------------------------------------------------


@pytest.mark.app_config(RETENTION_UNCONFIRMED_DAYS=3)
def test_purge_deletes_old_unconfirmed_and_those_of_past_meetings(app, make, runner):
    soon = upcoming(make)
    held = upcoming(make)
    old, fresh, kept = register_direct(app, soon.id, 3)
    [after_meeting] = register_direct(app, held.id, 1, email_pattern="po{}@example.org")
    confirm_direct(app, kept)
    with app.app_context():
        services.find_by_token(old).created_at = utcnow() - timedelta(days=4)
        meeting = db.session.get(Workshop, held.id)
        meeting.starts_at = utcnow() - timedelta(hours=3)
        meeting.ends_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    result = runner.invoke(args=["maintenance", "purge"])
    assert result.exit_code == 0, result.output
    assert "unconfirmed workshop registrations: 2" in result.output
    with app.app_context():
        assert services.find_by_token(old) is None
        assert services.find_by_token(after_meeting) is None
        assert services.find_by_token(fresh) is not None
        assert services.find_by_token(kept).status == "confirmed"


@pytest.mark.app_config(RETENTION_PERSONAL_DATA_DAYS=30)
def test_personal_data_of_long_past_meetings_is_anonymised(app, make):
    workshop = upcoming(make)
    [token] = register_direct(app, workshop.id, 1, participant_group="senior")
    confirm_direct(app, token)
    with app.app_context():
        meeting = db.session.get(Workshop, workshop.id)
        meeting.starts_at = utcnow() - timedelta(days=40)
        meeting.ends_at = utcnow() - timedelta(days=40) + timedelta(hours=2)
        registration = services.find_by_token(token)
        registration.attended = True
        db.session.commit()
        assert services.anonymise_old() == 1
        db.session.commit()
        registration = services.find_by_token(token)
        assert (registration.name, registration.email) == ("", "")
        assert registration.participant_group == "senior"
        assert registration.attended is True


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_registration_and_its_buttons_need_the_csrf_token(app, client, make):
    workshop = upcoming(make)
    response = client.post(f"/workshops/{workshop.slug}/register", data=form())
    assert response.status_code == 400
    assert make.count(Registration) == 0
    [token] = register_direct(app, workshop.id, 1)
    assert client.post(f"/registrations/{token}/confirm").status_code == 400
    assert registration_by_token(app, token).status == "unconfirmed"
    page = client.get(f"/registrations/{token}").get_data(as_text=True)
    assert page.count('name="csrf_token"') >= 2  # both buttons carry it


def test_private_links_are_masked_in_the_request_log(app, make):
    from app.logging import redact_path

    workshop = upcoming(make)
    tokens = register_direct(app, workshop.id, 5)
    for token in tokens:
        assert token not in redact_path(f"/registrations/{token}/confirm")
