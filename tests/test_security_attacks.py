"""The attacks a public site meets, end to end: script injection through
every public text field, Markdown and file names; lying uploads; other
people's private links; open redirects; mail header and log injection;
path traversal; brute force. (CSRF and the GET/POST rules: test_security_csrf;
the role matrix: test_roles; fuzzing: test_security_fuzz.)"""

from __future__ import annotations

import io
import logging
import re
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Attachment,
    Idea,
    IdeaStatus,
    OutboxMessage,
    Registration,
    Report,
    Support,
    utcnow,
)
from tests.attack_support import (
    GIF_JS_POLYGLOT,
    HTML_AS_JPEG,
    HTML_AS_PDF,
    MARKDOWN_PAYLOADS,
    PDF_WITH_JAVASCRIPT,
    SVG_WITH_SCRIPT,
    XSS_PAYLOADS,
    injections,
    jpeg_bytes,
    link_from,
    png_bomb,
)
from tests.factories import Factory

DESCRIPTION = "Opis pomysłu, który ma wystarczająco dużo znaków, żeby przejść walidację."


@pytest.fixture
def open_process(make):
    process = make.process()
    category = make.category(name="Energia", slug="energia")
    return process, category


def submit_idea(client, category: str = "energia", attachment=None, **fields):  # noqa: ANN001, ANN201
    data = {
        "title": "Pomysł testowy",
        "description": DESCRIPTION,
        "category": category,
        "author_name": "Jan Testowy",
        "email": "jan.testowy@example.org",
        "consent": "y",
        "show_author_name": "y",
    }
    data.update(fields)
    if attachment is not None:
        data["attachment"] = attachment
    return client.post("/ideas/new", data=data, content_type="multipart/form-data")


def mail_body(app, template: str, recipient: str | None = None) -> str:  # noqa: ANN001
    with app.app_context():
        query = select(OutboxMessage).where(OutboxMessage.template == template)
        if recipient:
            query = query.where(OutboxMessage.recipient == recipient)
        message = db.session.scalars(query.order_by(OutboxMessage.id.desc())).first()
        assert message is not None, f"no {template} mail"
        return message.body_text


def confirm_and_publish(app, client, email: str) -> tuple[int, str]:  # noqa: ANN001
    """Confirm the newest idea from *email* by its mail link, publish it;
    returns (idea id, tracking token)."""
    token = link_from(mail_body(app, "idea_confirm", email), "/ideas/confirm/")
    assert client.get(f"/ideas/confirm/{token}").status_code in (200, 302, 303)
    track = link_from(mail_body(app, "idea_tracking", email), "/ideas/track/")
    with app.app_context():
        idea = db.session.scalars(
            select(Idea).where(Idea.email == email).order_by(Idea.id.desc())
        ).first()
        idea.status = IdeaStatus.PUBLISHED
        idea.published_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
        return idea.id, track


def assert_no_injection(response, label: str) -> None:  # noqa: ANN001
    assert response.status_code < 500, label
    body = response.get_data(as_text=True)
    if response.mimetype in ("text/html", "application/xhtml+xml"):
        found = injections(body)
        assert not found, f"{label}: {found}"
    assert "7777777" not in body, f"{label}: template expression evaluated"


# --- script injection through public fields -----------------------------------


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_in_idea_fields_is_shown_as_text_everywhere(
    app, client, make, login, open_process, payload
):
    process, _category = open_process
    email = "xss.autor@example.org"
    response = submit_idea(
        client,
        title=f"Tytuł {payload}"[:150],
        description=f"{DESCRIPTION} {payload}",
        author_name=f"Jan {payload}"[:100],
        municipality=payload[:100],
        email=email,
    )
    assert response.status_code in (302, 303, 400), response.status_code
    if response.status_code == 400:
        # Refused outright is fine too, as long as the form shows it as text.
        assert_no_injection(response, "form re-shown")
        return
    idea_id, track = confirm_and_publish(app, client, email)
    public = [
        f"/ideas/{idea_id}",
        "/ideas",
        "/ideas?q=tytul",
        "/",
        f"/processes/{process.slug}",
        "/results",
        "/feeds/ideas.atom",
        "/export/ideas.csv",
        "/api/v1/ideas",
        f"/api/v1/ideas/{idea_id}",
        f"/ideas/track/{track}",
        f"/ideas/{idea_id}/report",
    ]
    for path in public:
        assert_no_injection(client.get(path), path)
    login("moderator")
    for path in ("/staff/moderation", f"/staff/ideas/{idea_id}", "/staff/"):
        assert_no_injection(client.get(path), path)


@pytest.mark.parametrize("payload", XSS_PAYLOADS[:6])
def test_xss_in_a_report_reaches_moderators_as_text(app, client, make, login, payload):
    idea = make.idea(status=IdeaStatus.PUBLISHED)
    response = client.post(
        f"/ideas/{idea.id}/report", data={"reason": f"Naruszenie zasad: {payload} " * 2}
    )
    assert response.status_code in (302, 303)
    assert make.count(Report, idea_id=idea.id) == 1
    login("moderator")
    for path in ("/staff/moderation", f"/staff/ideas/{idea.id}"):
        assert_no_injection(client.get(path), path)


@pytest.mark.parametrize("payload", XSS_PAYLOADS[:6])
def test_xss_in_a_registration_reaches_organisers_as_text(app, client, make, login, payload):
    workshop = make.workshop()
    response = client.post(
        f"/workshops/{workshop.slug}/register",
        data={
            "name": f"Ala {payload}"[:100],
            "email": "ala.rejestracja@example.org",
            "participant_group": "resident",
            "needs": payload,
            "consent": "y",
        },
    )
    assert response.status_code in (302, 303, 400)
    assert_no_injection(response, "registration answer")
    with app.test_request_context():
        from app.workshops.services import link_token

        registration = db.session.scalars(select(Registration)).first()
        if registration is None:
            return
        token = link_token(registration)
    assert_no_injection(client.get(f"/registrations/{token}"), "registration page")
    login("moderator")
    assert_no_injection(client.get(f"/staff/workshops/{workshop.id}"), "staff workshop page")


@pytest.mark.parametrize("payload", XSS_PAYLOADS[:4])
def test_xss_in_a_support_address_is_refused_or_harmless(client, make, payload):
    idea = make.idea(status=IdeaStatus.PUBLISHED)
    response = client.post(f"/ideas/{idea.id}/support", data={"email": f"a{payload}@example.org"})
    assert response.status_code in (302, 303, 400)
    assert_no_injection(response, "support answer")


@pytest.mark.parametrize("payload", MARKDOWN_PAYLOADS)
def test_markdown_in_an_official_answer_cannot_run(app, client, make, login, payload):
    idea = make.idea(status=IdeaStatus.PUBLISHED)
    login("editor")
    response = client.post(
        f"/staff/ideas/{idea.id}/answer",
        data={
            "result_status": "accepted",
            "answer": f"Odpowiedź.\n\n{payload}\n",
            "progress": "10",
        },
    )
    assert response.status_code in (302, 303), response.status_code
    for path in (f"/ideas/{idea.id}", f"/staff/ideas/{idea.id}", "/feeds/ideas.atom"):
        assert_no_injection(client.get(path), path)


@pytest.mark.parametrize("payload", MARKDOWN_PAYLOADS)
def test_markdown_renderer_drops_active_content(app, payload):
    from app.markdown import render_markdown

    with app.test_request_context():
        html = str(render_markdown(payload))
    assert not injections(html), html
    assert "<iframe" not in html and "<script" not in html and "<svg" not in html
    assert not re.search(r"<[a-z][^>]*\sstyle=", html)


def test_file_names_with_markup_are_cleaned_and_escaped(app, client, login, open_process):
    # (the test client cannot send a double quote in a file name; a browser
    # would send %22 - clean_filename's own test covers quotes and breaks)
    name = "'><img src=x onerror=xss(50)>.jpg"
    response = submit_idea(
        client,
        email="plik@example.org",
        attachment=(io.BytesIO(jpeg_bytes()), name),
    )
    assert response.status_code in (302, 303)
    idea_id, track = confirm_and_publish(app, client, "plik@example.org")
    with app.app_context():
        stored = db.session.scalar(select(Attachment).where(Attachment.idea_id == idea_id))
        assert not set('"<>\r\n') & set(stored.original_name)
    for path in (f"/ideas/{idea_id}", f"/ideas/track/{track}"):
        assert_no_injection(client.get(path), path)
    download = client.get(f"/ideas/track/{track}/attachment")
    assert download.status_code == 200
    disposition = download.headers.get("Content-Disposition", "")
    assert "\r" not in disposition and "\n" not in disposition and "<" not in disposition
    login("moderator")
    assert_no_injection(client.get(f"/staff/ideas/{idea_id}"), "review page")


@pytest.mark.parametrize(
    "name",
    ['"><img src=x onerror=xss()>.jpg', "a\r\nContent-Type: text/html.jpg", "../../etc/passwd"],
)
def test_file_names_are_cleaned_for_display_and_download(name):
    from app.uploads import clean_filename

    cleaned = clean_filename(name)
    assert not set('"<>/\\\r\n') & set(cleaned)
    assert not cleaned.startswith(".")


# --- uploads that lie about what they are --------------------------------------

LYING_UPLOADS = [
    ("script named .jpg", HTML_AS_JPEG, "zdjecie.jpg", "image/jpeg"),
    ("svg with script", SVG_WITH_SCRIPT, "obraz.svg", "image/svg+xml"),
    ("svg named .png", SVG_WITH_SCRIPT, "obraz.png", "image/png"),
    ("gif/js polyglot", GIF_JS_POLYGLOT, "anim.gif", "image/gif"),
    ("html as pdf", HTML_AS_PDF, "dokument.pdf", "application/pdf"),
    ("pdf with javascript", PDF_WITH_JAVASCRIPT, "dokument.pdf", "application/pdf"),
    ("decompression bomb", png_bomb(), "duzy.png", "image/png"),
]


@pytest.mark.parametrize(
    ("label", "data", "name", "mimetype"), LYING_UPLOADS, ids=[u[0] for u in LYING_UPLOADS]
)
def test_lying_uploads_are_refused(app, client, make, open_process, label, data, name, mimetype):
    response = submit_idea(
        client, email="plik@example.org", attachment=(io.BytesIO(data), name, mimetype)
    )
    assert response.status_code == 400, label
    assert_no_injection(response, label)
    assert make.count(Idea) == 0
    assert make.count(Attachment) == 0


def test_an_11_mb_file_is_refused_politely(app, client, make, open_process):
    data = jpeg_bytes() + b"\0" * (11 * 1024 * 1024)
    response = submit_idea(
        client, email="plik@example.org", attachment=(io.BytesIO(data), "duze.jpg", "image/jpeg")
    )
    assert response.status_code in (400, 413)
    assert "<h1" in response.get_data(as_text=True)
    assert make.count(Attachment) == 0


def test_a_jpeg_with_a_script_appended_is_served_clean(app, client, open_process):
    polyglot = jpeg_bytes() + b"<script>xss(60)</script><html>"
    response = submit_idea(
        client, email="poly@example.org", attachment=(io.BytesIO(polyglot), "x.jpg", "image/jpeg")
    )
    assert response.status_code in (302, 303)
    idea_id, track = confirm_and_publish(app, client, "poly@example.org")
    for path in (f"/ideas/{idea_id}/attachment", f"/ideas/track/{track}/attachment"):
        served = client.get(path)
        assert served.status_code == 200, path
        assert served.mimetype == "image/jpeg"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert b"<script" not in served.data and b"<html" not in served.data


def test_nothing_executable_is_ever_served_from_uploads(app, client, open_process):
    """Whatever got in, every stored file is served as an image or a
    downloaded PDF, typed by us and never sniffed."""
    for index, (data, name) in enumerate(
        [(jpeg_bytes(), "a.jpg"), (jpeg_bytes(colour="red") + b"<svg onload=xss()>", "b.jpg")]
    ):
        submit_idea(client, email=f"u{index}@example.org", attachment=(io.BytesIO(data), name))
        confirm_and_publish(app, client, f"u{index}@example.org")
    with app.app_context():
        ideas = db.session.scalars(select(Idea).where(Idea.status == IdeaStatus.PUBLISHED)).all()
        ids = [idea.id for idea in ideas if idea.attachment is not None]
    assert len(ids) == 2
    for idea_id in ids:
        served = client.get(f"/ideas/{idea_id}/attachment")
        assert served.mimetype in ("image/jpeg", "image/png", "image/webp", "application/pdf")
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        # Opened directly, the file cannot run or load anything.
        assert "default-src 'none'" in served.headers["Content-Security-Policy"]
        assert "sandbox" in served.headers["Content-Security-Policy"]
        assert b"<script" not in served.data and b"<svg" not in served.data


# --- path traversal --------------------------------------------------------------

TRAVERSALS = [
    "/media/covers/../../config.py",
    "/media/covers/..%2f..%2fconfig.py",
    "/media/covers/%2e%2e%2f%2e%2e%2fconfig.py",
    "/media/covers/%2e%2e",
    "/media/covers/..%5c..%5cconfig.py",
    "/media/covers/....//....//config.py",
    "/media/covers/%252e%252e%252fconfig.py",
    "/media/covers/secret_key",
    "/static/../config.py",
    "/static/..%2fconfig.py",
    "/static/%2e%2e/%2e%2e/config.py",
    "/bootstrap/static/..%2f..%2f..%2fconfig.py",
    "/ideas/track/..%2f..%2fconfig.py/attachment",
    "/ideas/1/attachment/..%2f..%2fconfig.py",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_in_file_urls_finds_nothing(client, path):
    response = client.get(path)
    assert response.status_code in (400, 404), (path, response.status_code)
    body = response.get_data(as_text=True)
    assert "SECRET_KEY" not in body and "class Config" not in body


# --- other people's private links ---------------------------------------------


def test_a_tracking_link_opens_only_its_own_idea(client, make):
    mine = make.idea(status=IdeaStatus.AWAITING_REVIEW, email="moj@example.org")
    theirs = make.idea(status=IdeaStatus.AWAITING_REVIEW, email="cudzy@example.org")
    page = client.get(f"/ideas/track/{mine.track_token}").get_data(as_text=True)
    assert mine.title in page and theirs.title not in page
    data = client.get(f"/ideas/track/{mine.track_token}/data.json").get_data(as_text=True)
    assert "moj@example.org" in data and "cudzy@example.org" not in data
    for token in (
        mine.confirm_token,  # a confirmation token is not a tracking token
        mine.track_token[:-1],
        mine.track_token + "A",
        mine.track_token.upper(),
        "0" * 43,
        "../" + mine.track_token,
    ):
        for suffix in ("", "/data.json", "/erase", "/edit", "/withdraw"):
            response = client.get(f"/ideas/track/{token}{suffix}")
            assert response.status_code == 404, (token, suffix)
    assert client.post(f"/ideas/track/{'0' * 43}/erase", data={"confirm": "y"}).status_code == 404
    assert make.get(Idea, theirs.id).email == "cudzy@example.org"


def test_a_registration_link_opens_only_its_own_registration(app, client, make):
    from app.workshops import services as workshops

    workshop = make.workshop()
    with app.test_request_context():
        first, _ = workshops.register(
            db.session.get(type(workshop), workshop.id),
            name="Pierwsza Osoba",
            email="pierwsza@example.org",
            participant_group="resident",
        )
        second, _ = workshops.register(
            db.session.get(type(workshop), workshop.id),
            name="Druga Osoba",
            email="druga@example.org",
            participant_group="senior",
        )
        db.session.commit()
        token = workshops.link_token(first)
        second_id = second.id
    page = client.get(f"/registrations/{token}").get_data(as_text=True)
    assert "Pierwsza Osoba" in page and "Druga Osoba" not in page
    for forged in (token[:-1], token + "0", "0" * len(token), token.upper()):
        assert client.get(f"/registrations/{forged}").status_code == 404
        assert client.post(f"/registrations/{forged}/cancel").status_code == 404
        assert client.post(f"/registrations/{forged}/confirm").status_code == 404
    assert make.get(Registration, second_id).status == "unconfirmed"


def test_a_forged_support_link_confirms_nothing(client, make, app):
    idea = make.idea(status=IdeaStatus.PUBLISHED)
    client.post(f"/ideas/{idea.id}/support", data={"email": "fan@example.org"})
    for forged in ("0" * 43, "x", "../../etc/passwd"):
        response = client.get(f"/supports/confirm/{forged}")
        assert response.status_code in (400, 404, 410)
    with app.app_context():
        assert db.session.scalar(select(Support).where(Support.confirmed_at.is_not(None))) is None
    assert make.get(Idea, idea.id).supports_count == 0


# --- open redirects ------------------------------------------------------------

EVIL_TARGETS = [
    "//evil.example",
    "//evil.example/staff/",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "https://evil.example",
    "http://evil.example/staff/",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "/%5Cevil.example",
    "%2f%5cevil.example",
    " //evil.example",
    "/\t/evil.example",
    "///evil.example",
    "////evil.example",
    "https://localhost.evil.example/",
    "data:text/html,<script>alert(1)</script>",
    "\r\nLocation: https://evil.example",
]


def assert_stays_on_site(location: str, target: str) -> None:
    """Resolve the Location as a browser would (a backslash counts as a
    slash) and check it names no other host and no script."""
    assert not any(ch in location for ch in "\r\n\t"), (target, location)
    resolved = urlsplit(urljoin("http://localhost/staff/login", location.replace("\\", "/")))
    assert resolved.scheme == "http" and resolved.netloc == "localhost", (target, location)


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_sign_in_never_redirects_off_site(client, make, target):
    user = make.user(role="editor")
    response = client.post(
        "/staff/login",
        data={"email": user.email, "password": Factory.PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert_stays_on_site(response.headers["Location"], target)


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_two_factor_sign_in_never_redirects_off_site(app, client, make, target):
    user = make.user(role="moderator")
    from tests.security_support import enable_two_factor, totp_code

    secret, _codes = enable_two_factor(app, user.id)
    client.post(
        "/staff/login",
        data={"email": user.email, "password": Factory.PASSWORD, "next": target},
    )
    response = client.post("/staff/login/code", data={"code": totp_code(secret)})
    assert response.status_code == 303
    assert_stays_on_site(response.headers["Location"], target)


@pytest.mark.parametrize("target", EVIL_TARGETS)
def test_language_switch_never_redirects_off_site(client, target):
    response = client.post("/language", data={"lang": "en", "next": target})
    assert response.status_code == 303
    assert_stays_on_site(response.headers["Location"], target)


# --- mail headers --------------------------------------------------------------


def test_line_breaks_cannot_add_mail_headers(mail_app, smtp_server, make):
    client = mail_app.test_client()
    process = make.process()
    make.category(slug="energia")
    workshop = make.workshop(process_id=process.id)
    evil = "ofiara@example.org\r\nBcc: evil@example.org"
    responses = [
        submit_idea(
            client,
            title="Tytuł\r\nBcc: evil@example.org",
            author_name="Jan\r\nBcc: evil@example.org",
            email="autor.naglowki@example.org",
        ),
        submit_idea(client, email=evil),
        client.post(
            f"/workshops/{workshop.slug}/register",
            data={
                "name": "Ala\r\nBcc: evil@example.org\r\nSubject: podmiana",
                "email": "ala.naglowki@example.org",
                "participant_group": "resident",
                "consent": "y",
            },
        ),
        client.post(
            f"/workshops/{workshop.slug}/register",
            data={"name": "Ola", "email": evil, "participant_group": "resident", "consent": "y"},
        ),
    ]
    idea = make.idea(status=IdeaStatus.PUBLISHED)
    responses.append(client.post(f"/ideas/{idea.id}/support", data={"email": evil}))
    assert all(r.status_code < 500 for r in responses)
    with mail_app.app_context():
        messages = db.session.scalars(select(OutboxMessage)).all()
        assert messages, "the honest parts should have queued mail"
        for message in messages:
            assert "\n" not in message.recipient and "\r" not in message.recipient
            assert "\n" not in message.subject and "\r" not in message.subject
    delivered = smtp_server.wait_for(len(messages))
    for message in delivered:
        assert message["Bcc"] is None
        assert "evil@example.org" not in str(message["To"])
        assert "podmiana" not in str(message["Subject"])
    assert smtp_server.to("evil@example.org") == []


# --- logs ------------------------------------------------------------------------


@pytest.fixture
def app_log(app):
    """Everything the app's own log handler writes, as text."""
    handler = logging.getLogger("odkrywka").handlers[0]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ \[")


def test_form_fields_and_paths_cannot_forge_log_lines(app, client, open_process, app_log):
    forged = "\r\n2026-01-01 00:00:00,000 INFO [forged] odkrywka: admin signed in"
    client.post("/staff/login", data={"email": f"x@example.org{forged}", "password": forged})
    client.get("/ideas/%0d%0a2026-01-01%2000:00:00,000%20INFO%20%5Bforged%5D")
    client.get("/ideas", headers={"X-Request-ID": "abc def<script>", "User-Agent": "x"})
    submit_idea(client, title=f"Tytuł {forged}", author_name=f"Jan{forged}")
    lines = [line for line in app_log.getvalue().splitlines() if line.strip()]
    assert lines
    for line in lines:
        assert LINE.match(line), f"a line not written by the logger: {line!r}"
        assert "[forged]" not in line.split(" odkrywka")[0]


def test_a_whole_submission_writes_no_email_address_to_the_log(app, client, open_process, app_log):
    email = "pelny.adres.autora@example.org"
    assert submit_idea(client, email=email).status_code in (302, 303)
    idea_id, track = confirm_and_publish(app, client, email)
    client.get(f"/ideas/track/{track}")
    client.post(f"/ideas/{idea_id}/support", data={"email": "popierajacy.pelny@example.org"})
    client.post(f"/ideas/track/{track}/erase", data={"confirm": "y"})
    log = app_log.getvalue()
    # The mail log lines are there, with the addresses masked.
    assert "p***@example.org" in log
    assert email not in log
    assert "popierajacy.pelny@example.org" not in log


# --- brute force -------------------------------------------------------------------


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="5 per minute;50 per hour")
def test_sign_in_brute_force_across_accounts_is_stopped(client, make):
    users = [make.user(role="editor") for _ in range(3)]
    statuses = []
    for attempt in range(7):
        user = users[attempt % 3]
        statuses.append(
            client.post(
                "/staff/login", data={"email": user.email, "password": f"zgaduję {attempt}"}
            ).status_code
        )
    assert statuses[:5] == [400] * 5
    assert statuses[5:] == [429, 429]


@pytest.mark.app_config(RATELIMIT_ENABLED=True)
def test_rate_limit_keys_are_not_ip_addresses(app, client):
    from app.clients import client_key

    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.7"}):
        key = client_key()
    assert "203.0.113.7" not in key and "203" not in key[:3]
    assert re.fullmatch(r"[0-9a-f]{32}", key)


def test_reports_store_no_address(app, client, make):
    idea = make.idea(status=IdeaStatus.PUBLISHED)
    client.post(
        f"/ideas/{idea.id}/report",
        data={"reason": "To jest spam, proszę sprawdzić ten wpis."},
        environ_base={"REMOTE_ADDR": "198.51.100.23"},
    )
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        assert "198.51.100.23" not in (report.reporter_hash or "")


# --- NUL characters ------------------------------------------------------------------


def test_nul_characters_are_dropped_from_queries_and_forms(client, make, open_process):
    process, category = open_process
    make.idea(
        status=IdeaStatus.PUBLISHED,
        title="Opera na odkrywce",
        process_id=process.id,
        category_id=category.id,
    )
    for path in ("/ideas", "/api/v1/ideas", "/results", "/workshops", "/articles"):
        for key in ("q", "category", "status", "source", "process", "sort", "page", "tag"):
            response = client.get(path, query_string={key: "a\x00b"})
            assert response.status_code < 500, (path, key)
    assert "Opera na odkrywce" in client.get("/ideas?q=op\x00era").get_data(as_text=True)
    response = submit_idea(client, title="Ławki\x00 przy jeziorze", email="nul@example.org")
    assert response.status_code in (302, 303)


@pytest.mark.parametrize(
    "path",
    ["/processes/a%00b", "/workshops/%00", "/articles/x%00", "/tags/%00", "/ideas/track/%00"],
)
def test_a_nul_in_the_path_matches_nothing(client, path):
    assert client.get(path).status_code == 404
