"""The consultation report: the page, the PDF, frozen versions, the CLI.

PDF rendering takes about a second, so only a few tests make one."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    AuditEntry,
    FrozenReport,
    Idea,
    IdeaAnswer,
    IdeaSource,
    Process,
    Registration,
    RegistrationStatus,
    ResultStatus,
    utcnow,
)


@pytest.fixture
def consultation(app, make):
    """A consultation with phases, a held meeting with two working groups
    and registrations, an upcoming meeting, ideas from the form and the
    groups with supports and official answers, and an unpublished idea."""
    now = utcnow()
    process = make.process(slug="nowa-energia", title="Nowa energia", organiser="Park")
    today = date.today()
    make.phase(process.id, title="Zbieranie pomysłów", starts_on=today - timedelta(days=9),
               ends_on=today + timedelta(days=20), position=1)  # fmt: skip
    make.phase(process.id, title="Spotkanie podsumowujące", starts_on=today + timedelta(days=30),
               ends_on=None, position=2)  # fmt: skip
    held = make.workshop(process_id=process.id, title="Warsztaty w Bogatyni",
                         starts_at=now - timedelta(days=3),
                         ends_at=now - timedelta(days=3) + timedelta(hours=3),
                         participants_count=17)  # fmt: skip
    make.workshop(process_id=process.id, title="Warsztaty w Zgorzelcu")  # upcoming
    youth = make.workshop_group(held.id, name="Młodzież i seniorzy", position=1)
    firms = make.workshop_group(held.id, name="Samorząd i firmy", position=2)
    energy = make.category(name="Energia i klimat", slug="energia")
    culture = make.category(name="Kultura i turystyka", slug="kultura")
    ideas = {}
    for key, fields in {
        "opera": dict(title="Opera na odkrywce", category_id=culture.id, supports_count=21,
                      result_status=ResultStatus.ACCEPTED, progress=10),
        "farma": dict(title="Farma fotowoltaiczna na zwałowisku", category_id=energy.id,
                      supports_count=14, result_status=ResultStatus.IN_PROGRESS, progress=35,
                      source=IdeaSource.WORKSHOP, workshop_id=held.id,
                      workshop_group_id=youth.id),
        "kolej": dict(title="Kolej do parku technologicznego", category_id=energy.id,
                      supports_count=2, result_status=ResultStatus.NOT_PURSUED,
                      source=IdeaSource.WORKSHOP, workshop_id=held.id,
                      workshop_group_id=firms.id),
        "camping": dict(title="Zintegrowany city camping", category_id=culture.id,
                        source=IdeaSource.WORKSHOP, workshop_id=held.id,
                        workshop_group_id=youth.id),
    }.items():  # fmt: skip
        ideas[key] = make.idea(process_id=process.id, **fields)
    make.idea(process_id=process.id, category_id=energy.id, status="awaiting_review",
              title="Pomysł jeszcze w moderacji")  # fmt: skip
    with app.app_context():
        for key in ("opera", "farma", "kolej"):
            idea = db.session.get(Idea, ideas[key].id)
            db.session.add(IdeaAnswer(idea_id=idea.id, result_status=idea.result_status,
                                      answer="Odpowiedź.", progress=idea.progress))  # fmt: skip
        for n, (group, attended) in enumerate(
            [("resident", True), ("resident", None), ("senior", True), ("young_person", False)]
        ):
            db.session.add(
                Registration(
                    workshop_id=held.id,
                    name=f"Osoba {n}",
                    email=f"o{n}@example.org",
                    participant_group=group,
                    status=RegistrationStatus.CONFIRMED,
                    attended=attended,
                    token_hash=f"{n:064d}",
                )  # fmt: skip
            )
        db.session.commit()
    return {"process": process, "ideas": ideas, "held": held}


def test_unknown_or_unpublished_consultation_is_404(client, make):
    hidden = make.process(slug="szkic", published=False)
    for slug in ("nie-ma-takiej", hidden.slug):
        for path in ("/report", "/report.pdf", "/report/1", "/report/1.pdf"):
            assert client.get(f"/processes/{slug}{path}").status_code == 404, path


def test_page_holds_every_section_of_the_report(client, consultation):
    response = client.get("/processes/nowa-energia/report")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    # The process and its phases with dates.
    assert "Nowa energia" in text and "Park" in text
    assert "Zbieranie pomysłów" in text and "Spotkanie podsumowujące" in text
    # The meetings, the head count and who came, by participant group (the
    # absent person is not counted).
    assert "Warsztaty w Bogatyni" in text and "Warsztaty w Zgorzelcu" in text
    assert "Mieszkaniec / mieszkanka: 2" in text
    assert "Senior / seniorka: 1" in text
    assert "Osoba młoda (do 26 lat):" not in text
    assert " 17 " in text
    # Ideas by source, each working group apart, and by category.
    assert "Warsztaty w Bogatyni – grupa „Młodzież i seniorzy” 2" in text
    assert "Warsztaty w Bogatyni – grupa „Samorząd i firmy” 1" in text
    assert "Formularz 1" in text
    assert "Energia i klimat 2" in text and "Kultura i turystyka 2" in text
    # The most supported ideas, in order; the unpublished one nowhere.
    assert text.index("Opera na odkrywce") < text.index("Farma fotowoltaiczna")
    assert "Pomysł jeszcze w moderacji" not in text
    # Official answers by status.
    assert "Organizator odpowiedział na 3 pomysły." in text
    assert "Przyjęty do programu (1 pomysł)" in text
    assert "postęp 35 %" in text
    # Charts: server-drawn SVG with a title and a description, and a table.
    assert page.count("<svg") >= 4
    assert re.search(r'<svg[^>]+role="img"[^>]+aria-labelledby="chart-category-title '
                     r'chart-category-desc"', page)  # fmt: skip
    assert '<desc id="chart-category-desc">' in page
    assert "Energia i klimat: 2; Kultura i turystyka: 2." in page
    # The PDF is linked.
    assert 'href="/processes/nowa-energia/report.pdf"' in page


def test_directions_with_their_ideas_applications_and_totals_and_the_recordings(
    app, client, make, consultation
):
    from decimal import Decimal

    from app.models import Direction, DirectionIdea, FundingApplication, Video, VideoCaption

    ideas, held = consultation["ideas"], consultation["held"]
    process_id = consultation["process"].id
    with app.app_context():
        tourism = Direction(
            process_id=process_id,
            slug="turystyka",
            title="Turystyka pokopalniana",
            status="funded",
            responsible_unit="Wydział Turystyki",
            position=1,
        )
        stopped = Direction(
            process_id=process_id,
            slug="kolej",
            title="Kolej regionalna",
            status="suspended",
            status_reason="Brak naboru w tym roku.",
            position=2,
        )
        hidden = Direction(process_id=process_id, slug="archiwum", title="Kierunek w archiwum",
                           archived_at=utcnow())  # fmt: skip
        db.session.add_all([tourism, stopped, hidden])
        db.session.flush()
        db.session.add_all([
            DirectionIdea(direction_id=tourism.id, idea_id=ideas["opera"].id,
                          note="Scena letnia na dnie wyrobiska", position=1),
            DirectionIdea(direction_id=tourism.id, idea_id=ideas["camping"].id, position=2),
            DirectionIdea(direction_id=stopped.id, idea_id=ideas["kolej"].id),
            FundingApplication(direction_id=tourism.id, programme="FE dla Łódzkiego",
                               call_number="FELD.06.02-IZ.00-003/26", applicant="Gmina Bełchatów",
                               amount_requested=Decimal("12500000.00"),
                               amount_granted=Decimal("8750000.50"), status="granted",
                               submitted_on=date(2026, 11, 4), decided_on=date(2026, 11, 13)),
            FundingApplication(direction_id=tourism.id, programme="KPO",
                               amount_requested=Decimal("2400000.25"), status="submitted",
                               submitted_on=date(2026, 11, 20)),
            FundingApplication(direction_id=tourism.id, programme="Wycofany program",
                               amount_requested=Decimal("999.99"), status="withdrawn"),
        ])  # fmt: skip
        recording = Video(
            slug="nagranie-bogatynia",
            title="Nagranie z Bogatyni",
            source="embed",
            embed_url="https://www.youtube-nocookie.com/embed/abc",
            duration_s=4000,
            status="published",
            published_at=utcnow() - timedelta(days=1),
            plays=27690,
            process_id=process_id,
            workshop_id=held.id,
        )
        draft = Video(slug="szkic", title="Nagranie w szkicu", source="embed",
                      embed_url="https://www.youtube-nocookie.com/embed/def", duration_s=60,
                      process_id=process_id)  # fmt: skip
        db.session.add_all([recording, draft])
        db.session.flush()
        db.session.add_all([
            VideoCaption(video_id=recording.id, lang="pl", content="WEBVTT\n"),
            VideoCaption(video_id=recording.id, lang="en", content="WEBVTT\n"),
        ])  # fmt: skip
        db.session.commit()

    page = client.get("/processes/nowa-energia/report").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).replace("\xa0", " ")
    assert "Turystyka pokopalniana" in text and "Kolej regionalna" in text
    assert "Kierunek w archiwum" not in text
    assert "Brak naboru w tym roku." in text and "Wydział Turystyki" in text
    # The ideas each direction takes up, with their source and the note.
    assert "Wykorzystuje 2 pomysły" in text and "Wykorzystuje 1 pomysł " in text
    assert "Scena letnia na dnie wyrobiska" in text
    assert "(Warsztaty w Bogatyni – grupa „Młodzież i seniorzy”)" in text
    # Applications and totals to the grosz; the withdrawn one is not counted.
    assert "nabór FELD.06.02-IZ.00-003/26" in text and "wnioskodawca: Gmina Bełchatów" in text
    assert "Razem 14 900 000,25 zł 8 750 000,50 zł" in text
    assert "Wnioskowano 14 900 000,25 zł" in text and "Przyznano 8 750 000,50 zł" in text
    assert "Pomysły wykorzystane w kierunkach 3" in text
    assert "Wnioski o dofinansowanie 2" in text
    assert 'id="chart-requested"' in page and 'id="chart-granted"' in page
    # The recordings: a published one with its meeting, length, captions, plays.
    assert "Nagranie z Bogatyni" in text and "Nagranie w szkicu" not in text
    assert "1:06:40" in text and "pl, en" in text and "27 690" in text


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "Opublikowano 1 pomysł."),
        (2, "Opublikowano 2 pomysły."),
        (4, "Opublikowano 4 pomysły."),
        (5, "Opublikowano 5 pomysłów."),
        (12, "Opublikowano 12 pomysłów."),
        (22, "Opublikowano 22 pomysły."),
        (25, "Opublikowano 25 pomysłów."),
    ],
)
def test_polish_plural_forms(app, count, expected):
    from flask_babel import ngettext

    with app.test_request_context("/"):
        said = ngettext("Opublikowano %(num)s pomysł.", "Opublikowano %(num)s pomysłów.", count)
        assert said == expected
        answered = ngettext(
            "Organizator odpowiedział na %(num)s pomysł.",
            "Organizator odpowiedział na %(num)s pomysłów.",
            count,
        )
        assert answered.endswith(expected.split(" ", 1)[1])
        uses = ngettext("Wykorzystuje %(num)s pomysł", "Wykorzystuje %(num)s pomysłów", count)
        assert uses == "Wykorzystuje " + expected.split(" ", 1)[1].rstrip(".")
        versions = ngettext("%(num)s wersja zamrożona", "%(num)s wersji zamrożonych", count)
        assert versions == {1: "1 wersja zamrożona", 2: "2 wersje zamrożone",
                            4: "4 wersje zamrożone", 22: "22 wersje zamrożone"}.get(
            count, f"{count} wersji zamrożonych")  # fmt: skip


def test_the_report_in_english(client, consultation):
    page = client.get("/processes/nowa-energia/report?lang=en").get_data(as_text=True)
    assert "Consultation report" in page
    assert "Ideas by category" in page


def _pdf_text(pdf: bytes, tmp_path) -> str:  # noqa: ANN001
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed: apt-get install poppler-utils")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(  # noqa: S603 - a fixed program on our own file
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],  # noqa: S607
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    # Digits may be grouped with (narrow) no-break spaces.
    return re.sub(r"(?<=\d)[\u00a0\u202f](?=\d)", "", text)


@pytest.mark.slow
def test_pdf_holds_the_figures_of_the_stats_api(client, consultation, tmp_path):
    stats = client.get("/api/v1/stats?process=nowa-energia").get_json()
    response = client.get("/processes/nowa-energia/report.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    text = _pdf_text(response.data, tmp_path)

    def figure(label: str, value: int) -> None:
        assert re.search(rf"{re.escape(label)}\s+{value}\b", text), (label, value)

    figure("Opublikowane pomysły", stats["ideas"]["total"])
    figure("Potwierdzone poparcia", stats["supports"])
    figure("Odbyte spotkania", stats["workshops"]["held"])
    figure("Zaplanowane spotkania", stats["workshops"]["upcoming"])
    figure("Uczestnicy odbytych spotkań", stats["workshops"]["participants"])
    for source, label in (("form", "Formularz"), ("workshop", "Warsztaty"),
                          ("staff", "Organizator")):  # fmt: skip
        figure(f"źródło: {label}", stats["ideas"]["by_source"][source])
    names = {"energia": "Energia i klimat", "kultura": "Kultura i turystyka"}
    for slug, n in stats["ideas"]["by_category"].items():
        figure(names[slug], n)
    labels = {"published": "Opublikowany", "under_analysis": "W analizie",
              "accepted": "Przyjęty do programu", "in_progress": "W realizacji",
              "implemented": "Zrealizowany", "not_pursued": "Niepodjęty"}  # fmt: skip
    for status, n in stats["ideas"]["by_status"].items():
        figure(labels[status], n)
    assert stats["ideas"]["total"] == 4 and stats["supports"] == 37
    assert "Opera na odkrywce" in text and "Warsztaty w Bogatyni" in text


@pytest.mark.slow
def test_frozen_version_stays_as_it_was_after_later_edits(app, client, login, make,
                                                          consultation):  # fmt: skip
    editor = login("editor")
    response = client.post("/staff/consultation-reports/nowa-energia/freeze",
                           data={f"p{consultation['process'].id}-note": "Na spotkanie"})  # fmt: skip
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/processes/nowa-energia/report/1")

    html = client.get("/processes/nowa-energia/report/1")
    pdf = client.get("/processes/nowa-energia/report/1.pdf")
    assert html.status_code == pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF-")
    with app.app_context():
        version = db.session.scalars(select(FrozenReport)).one()
        assert version.number == 1 and version.frozen_by_id == editor.id
        assert version.note == "Na spotkanie"
        # The hashes are those of the bytes served.
        assert version.pdf_sha256 == hashlib.sha256(pdf.data).hexdigest()
        assert version.html_sha256 == hashlib.sha256(html.data).hexdigest()
        audit = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "report.frozen")).one()  # fmt: skip
        assert audit.actor_id == editor.id and audit.data["pdf_sha256"] == version.pdf_sha256
    digest = base64.b64encode(hashlib.sha256(pdf.data).digest()).decode()
    assert pdf.headers["Repr-Digest"] == f"sha-256=:{digest}:"
    assert "immutable" in pdf.headers["Cache-Control"]
    assert "Opera na odkrywce" in html.get_data(as_text=True)
    assert "Wersja zamrożona nr 1" in html.get_data(as_text=True)

    # Later the data changes: an idea renamed, a new one, the consultation
    # moved to another address.
    with app.app_context():
        db.session.get(Idea, consultation["ideas"]["opera"].id).title = "Opera w kopalni"
        db.session.get(Process, consultation["process"].id).slug = "energia-2027"
        db.session.commit()
    make.idea(process_id=consultation["process"].id, title="Nowy pomysł po zamrożeniu")

    live = client.get("/processes/energia-2027/report").get_data(as_text=True)
    assert "Opera w kopalni" in live and "Opublikowano 5 pomysłów." in live
    # The live page lists the version, at the new address.
    assert 'href="/processes/energia-2027/report/1.pdf"' in live
    assert version.pdf_sha256 in live
    for slug in ("nowa-energia", "energia-2027"):
        again_html = client.get(f"/processes/{slug}/report/1")
        again_pdf = client.get(f"/processes/{slug}/report/1.pdf")
        assert again_html.data == html.data and again_pdf.data == pdf.data
    assert "Opera w kopalni" not in html.get_data(as_text=True)
    assert "Opublikowano 4 pomysły." in html.get_data(as_text=True)
    assert client.get("/processes/energia-2027/report/2").status_code == 404


def test_freezing_is_for_editors_and_administrators(client, login, make, consultation):
    url = "/staff/consultation-reports/nowa-energia/freeze"
    response = client.post(url)
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    assert client.get("/staff/consultation-reports/").status_code == 302
    login("moderator")
    assert client.get("/staff/consultation-reports/").status_code == 403
    assert client.post(url).status_code == 403
    assert make.count(FrozenReport) == 0
    assert "Zamroź wersję" not in client.get("/processes/nowa-energia/report").get_data(
        as_text=True)  # fmt: skip


@pytest.mark.slow
def test_administrators_freeze_too(client, login, make, consultation):
    login("admin")  # editors: test_frozen_version_stays_as_it_was_after_later_edits
    page = client.get("/staff/consultation-reports/")
    assert page.status_code == 200 and "Nowa energia" in page.get_data(as_text=True)
    assert "Zamroź wersję" in client.get("/processes/nowa-energia/report").get_data(as_text=True)
    assert client.post("/staff/consultation-reports/nowa-energia/freeze").status_code == 303
    assert make.count(FrozenReport) == 1
    assert make.audit_actions(action="report.frozen") == ["report.frozen"]


def test_a_too_long_note_is_refused_at_its_field(client, login, make, consultation):
    login("editor")
    field = f"p{consultation['process'].id}-note"
    response = client.post("/staff/consultation-reports/nowa-energia/freeze",
                           data={field: "x" * 201})  # fmt: skip
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and "x" * 201 in page
    assert make.count(FrozenReport) == 0
    assert client.post("/staff/consultation-reports/nie-ma/freeze").status_code == 404


@pytest.mark.slow
def test_cli_writes_the_pdf_and_freezes(app, client, runner, make, consultation, tmp_path):
    # A reader's kept page shows a new frozen version at once.
    assert client.get("/processes/nowa-energia/report").headers["X-Page-Cache"] == "miss"
    assert client.get("/processes/nowa-energia/report").headers["X-Page-Cache"] == "hit"
    out = tmp_path / "raport.pdf"
    result = runner.invoke(args=["report", "build", "--process", "nowa-energia",
                                 "--output", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert str(out) in result.output
    assert out.read_bytes().startswith(b"%PDF-")
    assert make.count(FrozenReport) == 0

    result = runner.invoke(args=["report", "build", "--process", "nowa-energia", "--freeze",
                                 "--output", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    with app.app_context():
        version = db.session.scalars(select(FrozenReport)).one()
        assert version.pdf == out.read_bytes()
        assert version.pdf_sha256 == hashlib.sha256(out.read_bytes()).hexdigest()
        assert version.frozen_by_id is None
    assert "/processes/nowa-energia/report/1.pdf" in result.output
    page = client.get("/processes/nowa-energia/report")
    assert page.headers["X-Page-Cache"] == "miss"
    assert version.pdf_sha256 in page.get_data(as_text=True)
    assert make.audit_actions(action="report.frozen") == ["report.frozen"]

    result = runner.invoke(args=["report", "build", "--process", "nie-ma"])
    assert result.exit_code != 0 and "nie-ma" in result.output


@pytest.mark.browser
@pytest.mark.slow
def test_report_pages_pass_axe(app, client, make, consultation, live_server):
    from tests.browser_support import describe_violations, open_browser, require_chromium, run_axe

    require_chromium()
    from app.consultation_report import services

    with app.test_request_context(base_url=live_server.url):
        services.freeze(db.session.get(Process, consultation["process"].id), note="Na spotkanie")
        db.session.commit()
    problems = []
    with open_browser(live_server.url) as browser:
        for width in (375, 1366):
            browser.page.set_viewport_size({"width": width, "height": 900})
            for path in ("/processes/nowa-energia/report", "/processes/nowa-energia/report/1"):
                browser.goto(live_server.url + path)
                violations = run_axe(browser.page)
                if violations:
                    problems.append(describe_violations(f"{width} px", path, violations))
    assert not problems, "\n\n".join(problems)


@pytest.mark.slow
def test_two_freezes_at_once_never_share_a_number(app, consultation):
    import threading

    from app.consultation_report import services

    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def freeze() -> None:
        with app.test_request_context("/"):
            process = db.session.get(Process, consultation["process"].id)
            barrier.wait()
            try:
                version = services.freeze(process)
                db.session.commit()
                outcomes.append(version.number)
            except services.FreezeConflict as error:
                db.session.rollback()
                outcomes.append(error.status)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=freeze) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with app.app_context():
        numbers = sorted(db.session.scalars(select(FrozenReport.number)))
    # Either both were kept, one after the other, or the second was told
    # to try again (409); never two versions with one number, never a crash.
    assert sorted(outcomes, key=str) in ([1, 2], [1, 409]), outcomes
    assert numbers == sorted(n for n in outcomes if n != 409)
