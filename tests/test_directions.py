"""Development directions: staff pages and who may use them, linking ideas,
field errors for bad input, exact amounts, public pages, API, feed, sitemap."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.api.openapi import build_spec
from app.directions import lifecycle, services
from app.extensions import db
from app.models import (
    ApplicationStatus,
    Direction,
    DirectionEvent,
    DirectionIdea,
    FundingApplication,
    IdeaStatus,
)
from tests.test_api import validator


def _direction(app, make, *, title="Turystyka pokopalniana", ideas=(), **extra) -> Direction:
    """A direction of a new consultation (or of ``process_id``), holding *ideas*."""
    process_id = extra.pop("process_id", None) or make.process().id
    with app.test_request_context():
        direction = services.create_direction(
            services.DirectionData(
                process_id=process_id,
                title=title,
                slug=extra.pop("slug", ""),
                summary="Scena na **dnie** odkrywki.",
                responsible_unit="Wydział Turystyki",
            ),
            None,
        )
        for idea in ideas:
            services.link_idea(direction, idea.id, "Pierwszy etap", None)
        db.session.commit()
        db.session.refresh(direction)
        db.session.expunge(direction)
    return direction


def _form_errors(html: str) -> str:
    return " ".join(re.findall(r'class="invalid-feedback[^"]*"[^>]*>([^<]+)<', html))


# -- who may do what --------------------------------------------------------------

PAGES = [
    ("GET", "/staff/directions/"),
    ("GET", "/staff/directions/{id}"),
    ("GET", "/staff/directions/new"),
    ("GET", "/staff/directions/{id}/edit"),
    ("GET", "/staff/directions/{id}/applications/new"),
    ("POST", "/staff/directions/{id}/status"),
    ("POST", "/staff/directions/{id}/ideas"),
    ("POST", "/staff/directions/{id}/archive"),
]


@pytest.mark.parametrize("role", ["editor", "moderator", "admin"])
def test_role_matrix_editors_and_admins_change_moderators_read(app, client, make, login, role):
    direction = _direction(app, make)
    login(role)
    for method, pattern in PAGES:
        path = pattern.format(id=direction.id)
        response = client.open(path, method=method, data={})
        reading = method == "GET" and path in (
            "/staff/directions/",
            f"/staff/directions/{direction.id}",
        )
        if role == "moderator" and not reading:
            assert response.status_code == 403, path
        elif method == "GET":
            assert response.status_code == 200, path
        else:
            assert response.status_code not in (401, 403, 500), path
    page = client.get(f"/staff/directions/{direction.id}").get_data(as_text=True)
    assert ("Zmień status" in page) is (role != "moderator")
    assert ("Dodaj pomysł" in page) is (role != "moderator")


def test_ids_beyond_the_database_range_are_not_found(app, client, make, login):
    direction = _direction(app, make)
    login("editor")
    huge = 2**40
    for path in (
        f"/staff/directions/{huge}",
        f"/staff/directions/{direction.id}/ideas/{huge}/delete",
        f"/staff/directions/{direction.id}/milestones/{huge}",
        f"/staff/directions/{direction.id}/applications/{huge}",
    ):
        method = client.post if path.endswith("delete") else client.get
        assert method(path).status_code == 404, path


def test_anonymous_people_are_sent_to_sign_in(app, client, make):
    direction = _direction(app, make)
    for path in ("/staff/directions/", f"/staff/directions/{direction.id}"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/staff/login" in response.headers["Location"]


# -- creating and editing --------------------------------------------------------------


def test_an_editor_creates_a_direction_and_it_is_audited(app, client, make, login):
    process = make.process()
    login("editor")
    response = client.post(
        "/staff/directions/new",
        data={
            "title": "Energopolis: zielona energia",
            "slug": "",
            "process_id": process.id,
            "responsible_unit": "Regionalna Agencja Rozwoju",
            "summary": "## Cel\n\nEnergia ze słońca.",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        direction = db.session.scalar(select(Direction).where(Direction.process_id == process.id))
        assert direction.slug == "energopolis-zielona-energia"
        assert direction.status == "preparing"
    assert make.audit_actions(object_type="directions", object_id=direction.id) == [
        "direction.create"
    ]


@pytest.mark.parametrize(
    ("data", "field_text"),
    [
        ({"title": "", "slug": "x"}, "Tytuł musi mieć od 3 do 200 znaków."),
        ({"slug": "!!!"}, "Adres musi zawierać litery lub cyfry."),
        ({"process_id": ""}, "Wybierz konsultacje."),
        ({"process_id": "987654"}, "Wybierz konsultacje."),
    ],
)
def test_bad_direction_input_is_a_field_error(app, client, make, login, data, field_text):
    process = make.process()
    login("editor")
    form = {"title": "Nowy kierunek", "slug": "", "process_id": process.id, "summary": ""}
    form.update(data)
    response = client.post("/staff/directions/new", data=form)
    assert response.status_code == 400
    assert field_text in _form_errors(response.get_data(as_text=True))


def test_a_slug_that_exists_is_a_field_error_with_the_typed_text_kept(app, client, make, login):
    taken = _direction(app, make, slug="kultura-i-turystyka")
    login("editor")
    response = client.post(
        "/staff/directions/new",
        data={
            "title": "Inny kierunek",
            "slug": "kultura-i-turystyka",
            "process_id": taken.process_id,
            "summary": "Mój opis",
        },
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "ma już inny kierunek" in _form_errors(html)
    assert "Mój opis" in html
    assert make.count(Direction, slug="kultura-i-turystyka") == 1


def test_a_stale_edit_is_refused(app, client, make, login):
    direction = _direction(app, make)
    login("editor")
    form = {
        "title": "Nowy tytuł",
        "slug": direction.slug,
        "process_id": direction.process_id,
        "summary": "",
        "version": str(direction.version),
    }
    assert client.post(f"/staff/directions/{direction.id}/edit", data=form).status_code == 303
    again = client.post(f"/staff/directions/{direction.id}/edit", data=form)
    assert again.status_code == 409
    assert "w międzyczasie" in again.get_data(as_text=True)


# -- ideas --------------------------------------------------------------------------------


def test_ideas_are_found_by_title_words_and_linked_then_unlinked(app, client, make, login):
    process = make.process()
    opera = make.idea(process_id=process.id, title="Opera na odkrywce")
    make.idea(process_id=process.id, title="Kemping miejski")
    other = make.idea(title="Opera w innym regionie")  # another consultation
    hidden = make.idea(process_id=process.id, title="Opera ukryta", status=IdeaStatus.HIDDEN)
    direction = _direction(app, make, process_id=process.id)
    login("editor")

    found = client.get(f"/staff/directions/{direction.id}?q=odkryw+OPERA").get_data(as_text=True)
    assert "Opera na odkrywce" in found
    assert f'name="idea_id" value="{opera.id}"' in found
    assert "Kemping miejski" not in found
    assert "Opera w innym regionie" not in found and "Opera ukryta" not in found

    response = client.post(
        f"/staff/directions/{direction.id}/ideas",
        data={"idea_id": opera.id, "note": "Scena letnia"},
    )
    assert response.status_code == 303
    with app.app_context():
        [link] = db.session.scalars(select(DirectionIdea)).all()
        assert (link.idea_id, link.note) == (opera.id, "Scena letnia")
    # Already linked: not offered again, and refused when posted again.
    assert "Opera na odkrywce</p>" not in client.get(
        f"/staff/directions/{direction.id}?q=opera"
    ).get_data(as_text=True)
    again = client.post(f"/staff/directions/{direction.id}/ideas", data={"idea_id": opera.id})
    assert again.status_code == 409
    # Ideas of another consultation, unpublished or unknown: a clear error.
    for idea_id in (other.id, hidden.id, 987654321, "abc", ""):
        refused = client.post(f"/staff/directions/{direction.id}/ideas", data={"idea_id": idea_id})
        assert refused.status_code == 422, idea_id
        assert "pomysł" in _form_errors(refused.get_data(as_text=True)), idea_id

    response = client.post(f"/staff/directions/{direction.id}/ideas/{link.id}/delete")
    assert response.status_code == 303
    assert make.count(DirectionIdea) == 0
    assert make.audit_actions(object_type="directions", object_id=direction.id) == [
        "direction.create",
        "direction.link_idea",
        "direction.unlink_idea",
    ]
    with app.app_context():
        kinds = db.session.scalars(
            select(DirectionEvent.kind).where(DirectionEvent.direction_id == direction.id)
        ).all()
    assert kinds == ["created", "idea_linked", "idea_unlinked"]


def test_one_idea_feeds_several_directions_and_its_page_names_them(app, client, make):
    process = make.process()
    idea = make.idea(process_id=process.id, title="Zintegrowany city camping")
    first = _direction(app, make, title="Turystyka", process_id=process.id, ideas=[idea])
    second = _direction(app, make, title="Transport", process_id=process.id, ideas=[idea])
    with app.test_request_context():
        services.change_status(
            db.session.get(Direction, second.id), "submitted", "Wniosek złożony.", None, None
        )
        db.session.commit()
    html = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    section = html.split('id="idea-directions-heading"', 1)[1].split("</section>", 1)[0]
    assert "Wykorzystany w kierunku:" in html
    assert f"/directions/{first.slug}" in section and "w przygotowaniu" in section
    assert f"/directions/{second.slug}" in section and "zgłoszony do finansowania" in section


def test_ideas_are_reordered(app, client, make, login):
    process = make.process()
    a = make.idea(process_id=process.id, title="Pierwszy pomysł")
    b = make.idea(process_id=process.id, title="Drugi pomysł")
    direction = _direction(app, make, process_id=process.id, ideas=[a, b])
    login("editor")
    with app.app_context():
        second = db.session.scalar(select(DirectionIdea).where(DirectionIdea.idea_id == b.id))
    client.post(f"/staff/directions/{direction.id}/ideas/{second.id}/move", data={"offset": "-1"})
    with app.app_context():
        order = [link.idea_id for link in db.session.get(Direction, direction.id).links]
    assert order == [b.id, a.id]


# -- status ------------------------------------------------------------------------------


def test_a_status_change_needs_a_reason_and_an_allowed_step(app, client, make, login):
    direction = _direction(app, make)
    login("editor")
    url = f"/staff/directions/{direction.id}/status"
    no_reason = client.post(url, data={"status": "submitted", "reason": "", "version": 1})
    assert no_reason.status_code == 400
    assert "Podaj powód" in _form_errors(no_reason.get_data(as_text=True))
    skipped = client.post(url, data={"status": "completed", "reason": "Gotowe.", "version": 1})
    assert skipped.status_code == 422
    assert "nie można przejść" in _form_errors(skipped.get_data(as_text=True))
    unknown = client.post(url, data={"status": "lost", "reason": "Zgubiony.", "version": 1})
    assert unknown.status_code == 400

    done = client.post(
        url, data={"status": "suspended", "reason": "Brak wkładu własnego.", "version": 1}
    )
    assert done.status_code == 303
    stored = make.get(Direction, direction.id)
    assert (stored.status, stored.status_reason) == ("suspended", "Brak wkładu własnego.")
    page = client.get(f"/directions/{direction.slug}").get_data(as_text=True)
    assert "Brak wkładu własnego." in page and "Wstrzymany" in page


def test_status_labels_are_defined_once_for_every_status():
    from app.models import DirectionStatus

    assert set(lifecycle.STATUS_LABELS) == set(DirectionStatus)
    assert set(lifecycle.TRANSITIONS) == set(DirectionStatus)
    assert set(lifecycle.APPLICATION_LABELS) == set(ApplicationStatus)


# -- funding applications and money ----------------------------------------------------------


def _application_form(**changes) -> dict:
    form = {
        "programme": "Fundusze Europejskie dla Łódzkiego 2021–2027",
        "call": "FELD.06.02-IZ.00-003/26",
        "applicant": "Gmina Bełchatów",
        "status": "granted",
        "amount_requested": "12 500 000,01",
        "amount_granted": "12 499 999,99",
        "submitted_on": "2026-10-01",
        "decided_on": "2026-11-15",
        "public_note": "Pierwszy etap.",
    }
    form.update(changes)
    return form


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"amount_requested": "-5"}, "amount_requested", "nie może być ujemna"),
        ({"amount_requested": "0"}, "amount_requested", "większa od zera"),
        ({"amount_requested": "1e30"}, "amount_requested", "Wpisz kwotę"),
        ({"amount_requested": "100 000 000 001"}, "amount_requested", "zbyt duża"),
        ({"amount_requested": "12,345"}, "amount_requested", "Wpisz kwotę"),
        ({"amount_requested": "dużo"}, "amount_requested", "Wpisz kwotę"),
        ({"amount_requested": "NaN"}, "amount_requested", "Wpisz kwotę"),
        ({"amount_requested": ""}, "amount_requested", "Podaj kwotę"),
        ({"amount_granted": "-1"}, "amount_granted", "nie może być ujemna"),
        ({"amount_granted": "13 000 000"}, "amount_granted", "nie może być większa"),
        ({"amount_granted": ""}, "amount_granted", "Podaj przyznaną kwotę"),
        ({"status": "submitted"}, "amount_granted", "tylko dla wniosku"),
        ({"decided_on": "2026-09-30"}, "decided_on", "nie może być wcześniejsza"),
        ({"submitted_on": ""}, "submitted_on", "Podaj datę złożenia"),
        ({"decided_on": "31.02.2026"}, "decided_on", ""),
        ({"programme": ""}, "programme", "Podaj nazwę programu"),
        ({"status": "maybe"}, "status", "Wybierz status"),
    ],
)
def test_bad_application_input_is_a_field_error_never_a_500(
    app, client, make, login, changes, field, text
):
    direction = _direction(app, make)
    login("editor")
    response = client.post(
        f"/staff/directions/{direction.id}/applications/new", data=_application_form(**changes)
    )
    assert response.status_code in (400, 422), response.status_code
    html = response.get_data(as_text=True)
    error = re.search(rf'id="{field}-error">([^<]*)<', html)
    assert error is not None, _form_errors(html)
    assert text in error.group(1)
    assert make.count(FundingApplication) == 0


def test_amounts_are_exact_to_the_grosz_and_formatted_the_polish_way(app, client, make, login):
    direction = _direction(app, make)
    login("editor")
    url = f"/staff/directions/{direction.id}/applications/new"
    assert client.post(url, data=_application_form()).status_code == 303
    second = _application_form(
        status="submitted", amount_requested="0,02", amount_granted="", decided_on=""
    )
    assert client.post(url, data=second).status_code == 303
    third = _application_form(
        status="withdrawn", amount_requested="999 999", amount_granted="", decided_on=""
    )
    assert client.post(url, data=third).status_code == 303
    with app.app_context():
        stored = db.session.scalars(
            select(FundingApplication).order_by(FundingApplication.id)
        ).all()
        assert [a.amount_requested for a in stored] == [
            Decimal("12500000.01"),
            Decimal("0.02"),
            Decimal("999999.00"),
        ]
        assert all(isinstance(a.amount_requested, Decimal) for a in stored)
        assert stored[0].amount_granted == Decimal("12499999.99")
        # Withdrawn applications do not count; the rest add up exactly.
        totals = services.totals(stored)
        assert totals.requested == Decimal("12500000.03")
        assert totals.granted == Decimal("12499999.99")
    with app.test_request_context():
        assert lifecycle.format_money(Decimal("12500000")) == "12\u00a0500\u00a0000\u00a0zł"
        assert lifecycle.format_money(Decimal("1250.5")) == "1\u00a0250,50\u00a0zł"
    page = client.get(f"/directions/{direction.slug}").get_data(as_text=True)
    assert "12\u00a0500\u00a0000,03\u00a0zł" in page  # the total requested
    assert "12\u00a0499\u00a0999,99\u00a0zł" in page
    body = client.get(f"/api/v1/directions/{direction.slug}").get_json()
    assert [a["amount_requested"] for a in body["applications"]] == [
        "12500000.01",
        "0.02",
        "999999.00",
    ]
    assert body["applications"][0]["amount_granted"] == "12499999.99"
    assert body["applications"][1]["amount_granted"] is None
    # The edit form shows the stored amount back, exactly.
    with app.app_context():
        first_id = db.session.scalar(select(FundingApplication.id).order_by(FundingApplication.id))
    edit = client.get(f"/staff/directions/{direction.id}/applications/{first_id}")
    assert 'value="12500000,01"' in edit.get_data(as_text=True)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12 500 000", Decimal("12500000.00")),
        ("12\u00a0500\u00a0000,5 zł", Decimal("12500000.50")),
        ("1.250,75", Decimal("1250.75")),
        ("1250.75", Decimal("1250.75")),
        ("1.250", Decimal("1250.00")),
        ("12.500.000", Decimal("12500000.00")),
        ("0.5", Decimal("0.50")),
        ("", None),
    ],
)
def test_amounts_are_read_as_people_type_them(text, value):
    assert lifecycle.parse_amount(text) == value


# -- public pages, API, feed, sitemap ------------------------------------------------------


def test_public_pages_show_cards_and_the_direction_with_ideas_and_their_source(app, client, make):
    process = make.process()
    workshop = make.workshop(process_id=process.id, title="Warsztaty o turystyce")
    group = make.workshop_group(workshop.id, name="Przedsiębiorcy")
    from_form = make.idea(process_id=process.id, title="Opera na odkrywce")
    from_workshop = make.idea(
        process_id=process.id,
        title="Zintegrowany city camping",
        source="workshop",
        workshop_id=workshop.id,
        workshop_group_id=group.id,
    )
    direction = _direction(
        app, make, process_id=process.id, ideas=[from_form, from_workshop], title="Turystyka"
    )
    archived = _direction(app, make, process_id=process.id, title="Stary kierunek")
    with app.test_request_context():
        services.set_archived(db.session.get(Direction, archived.id), True, None)
        db.session.add(
            FundingApplication(
                direction_id=direction.id,
                programme="FST",
                amount_requested=Decimal("12500000"),
                status="submitted",
                submitted_on=date.today(),
            )
        )
        db.session.commit()

    cards = client.get("/directions").get_data(as_text=True)
    assert "Turystyka" in cards and "Stary kierunek" not in cards
    assert "2 pomysły" in cards
    assert "12\u00a0500\u00a0000\u00a0zł" in cards
    assert "w przygotowaniu" in cards
    page = client.get(f"/directions/{direction.slug}").get_data(as_text=True)
    assert "<strong>dnie</strong>" in page  # Markdown summary
    assert "Zgłoszony przez formularz" in page
    assert "Warsztaty o turystyce" in page and "grupa „Przedsiębiorcy”" in page
    assert "Pierwszy etap" in page  # the note
    assert client.get(f"/directions/{archived.slug}").status_code == 404
    assert client.get("/directions/nie-ma-takiego").status_code == 404


def test_api_lists_and_shows_directions_per_the_contract(app, client, make):
    process = make.process()
    idea = make.idea(process_id=process.id, title="Opera na odkrywce")
    hidden_idea = make.idea(process_id=process.id, title="Ukryty")
    direction = _direction(app, make, process_id=process.id, ideas=[idea, hidden_idea])
    with app.app_context():
        db.session.get(type(hidden_idea), hidden_idea.id).status = IdeaStatus.HIDDEN
        db.session.commit()
    for number in range(2):
        _direction(app, make, process_id=process.id, title=f"Kierunek dodatkowy {number}")
    with app.test_request_context():
        spec = build_spec()
    page = client.get(f"/api/v1/directions?process={process.slug}&per_page=2").get_json()
    validator(spec, "DirectionPage").validate(page)
    assert (page["page"], page["per_page"], page["total"]) == (1, 2, 3)
    one = client.get(f"/api/v1/directions/{direction.slug}").get_json()
    validator(spec, "Direction").validate(one)
    assert set(one) == {"slug", "title", "status", "summary", "ideas", "applications", "url"}
    assert one["ideas"] == [
        {
            "id": idea.id,
            "title": "Opera na odkrywce",
            "url": f"http://odkrywka.test/ideas/{idea.id}-opera-na-odkrywce",
        }
    ]
    assert one["url"] == f"http://odkrywka.test/directions/{direction.slug}"
    missing = client.get("/api/v1/directions/nie-ma")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    assert client.get("/api/v1/directions?page=0").status_code == 400
    assert client.get("/api/v1/directions?process=nie-ma").status_code == 400


def test_feed_sitemap_and_results_include_directions(app, client, make):
    process = make.process()
    idea = make.idea(process_id=process.id, title="Farma na zwałowisku")
    direction = _direction(app, make, process_id=process.id, ideas=[idea], title="Energopolis")
    with app.test_request_context():
        services.save_application(
            db.session.get(Direction, direction.id),
            None,
            services.ApplicationData(
                programme="Fundusz na rzecz Sprawiedliwej Transformacji",
                call_number="FST/1",
                applicant="Agencja",
                amount_requested=Decimal("9800000.00"),
                amount_granted=Decimal("8750000.50"),
                submitted_on=date.today() - timedelta(days=10),
                decided_on=date.today(),
                status="granted",
                public_note="",
            ),
            None,
        )
        db.session.commit()
    feed = client.get("/feeds/directions.atom")
    assert feed.status_code == 200 and feed.mimetype == "application/atom+xml"
    text = feed.get_data(as_text=True)
    assert "Energopolis: Kierunek wykorzystuje pomysł „Farma na zwałowisku”" in text
    assert "Fundusz na rzecz Sprawiedliwej Transformacji (przyznano dofinansowanie)" in text
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert f"http://odkrywka.test/directions/{direction.slug}</loc>" in sitemap
    assert "http://odkrywka.test/directions</loc>" in sitemap
    results = client.get(f"/results?process={process.slug}").get_data(as_text=True)
    assert 'id="by-direction"' in results and 'id="money-requested"' in results
    assert "Energopolis" in results
    assert "9\u00a0800\u00a0000,00\u00a0zł" in results or "9\u00a0800\u00a0000\u00a0zł" in results
    assert "8\u00a0750\u00a0000,5\u00a0zł" in results or "8\u00a0750\u00a0000,50" in results


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "1 kierunek rozwojowy"),
        (2, "2 kierunki rozwojowe"),
        (4, "4 kierunki rozwojowe"),
        (5, "5 kierunków rozwojowych"),
        (12, "12 kierunków rozwojowych"),
        (22, "22 kierunki rozwojowe"),
        (25, "25 kierunków rozwojowych"),
    ],
)
def test_polish_plural_forms(app, count, expected):
    from flask_babel import ngettext

    with app.test_request_context():
        assert (
            ngettext("%(num)s kierunek rozwojowy", "%(num)s kierunków rozwojowych", count)
            == expected
        )
        wnioski = ngettext("%(num)s wniosek", "%(num)s wniosków", count)
        assert (
            wnioski.split(" ", 1)[1]
            == {
                "kierunek": "wniosek",
                "kierunki": "wnioski",
                "kierunków": "wniosków",
            }[expected.split(" ")[1]]
        )


def test_milestones_order_and_archive_through_the_staff_pages(app, client, make, login):
    first = _direction(app, make, title="Pierwszy kierunek")
    second = _direction(app, make, title="Drugi kierunek", process_id=first.process_id)
    login("editor")
    url = f"/staff/directions/{first.id}/milestones/new"
    bad = client.post(url, data={"title": "Projekt sceny", "due_on": "", "progress": "150"})
    assert bad.status_code == 400
    assert "od 0 do 100" in _form_errors(bad.get_data(as_text=True))
    done = client.post(
        url, data={"title": "Projekt sceny", "due_on": "2027-03-01", "progress": "40"}
    )
    assert done.status_code == 303
    page = client.get(f"/directions/{first.slug}").get_data(as_text=True)
    assert "Projekt sceny" in page and "1 marca 2027" in page

    client.post(f"/staff/directions/{second.id}/move", data={"offset": "-1"})
    cards = client.get("/directions").get_data(as_text=True)
    assert cards.index("Drugi kierunek") < cards.index("Pierwszy kierunek")

    client.post(f"/staff/directions/{first.id}/archive")
    assert client.get(f"/directions/{first.slug}").status_code == 404
    client.post(f"/staff/directions/{first.id}/archive", data={"restore": "1"})
    assert client.get(f"/directions/{first.slug}").status_code == 200
    assert make.audit_actions(object_type="directions", object_id=first.id)[-2:] == [
        "direction.archive",
        "direction.restore",
    ]
