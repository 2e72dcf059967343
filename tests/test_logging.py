"""Request logging: every line carries the request id, echoed as X-Request-ID,
and nothing a visitor sends can forge a line or leak a secret link."""

from __future__ import annotations

import logging
import re

import pytest
import requests
from flask import current_app, request

from tests.production_support import GunicornServer, server_env

LINE = re.compile(r"^\S+ \S+ (INFO|WARNING|ERROR|DEBUG) \[(?P<id>[^\]]+)\] (?P<name>\S+): ")
TOKEN = "Zx9_kT3vQ-8mB2nR5wL7yH1cF4dG6jP0sA2eU9iO3qW"  # shaped like new_token()


def log_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if LINE.match(line)]


@pytest.fixture
def logged_app(capsys, make_app):
    """An app with a route that logs through each kind of logger the code uses.
    Built in the test itself, once stderr is captured, so its lines are readable."""
    return lambda: _logged_app(capsys, make_app)


def _logged_app(capsys, make_app):
    app = make_app()

    @app.route("/_log_probe", methods=["GET", "POST"])
    def log_probe():
        logging.getLogger("odkrywka").info("probe from the odkrywka logger")
        logging.getLogger("odkrywka.mail").warning("probe from a child logger")
        current_app.logger.info("probe from the Flask app logger")
        logging.getLogger("app.ideas.services").info("probe from a module logger")
        title = request.form.get("title", "")
        logging.getLogger("odkrywka").warning("rejected title: %s", title)
        logging.getLogger("odkrywka").warning("rejected %(field)s", {"field": title})
        return "ok"

    capsys.readouterr()
    return app


def test_a_response_gets_a_fresh_request_id(client):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


def test_a_valid_incoming_request_id_is_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a9c21.Trace_01"})
    assert response.headers["X-Request-ID"] == "lb-7f3a9c21.Trace_01"


@pytest.mark.parametrize(
    "incoming",
    ["short", "x" * 65, "has spaces in it", "semi;colon1234", "<script>alert(1)</script>", ""],
)
def test_an_invalid_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_every_log_line_during_a_request_carries_its_id(logged_app, capsys):
    response = (
        logged_app()
        .test_client()
        .get("/_log_probe", headers={"X-Request-ID": "probe-request-0001"})
    )
    assert response.status_code == 200
    lines = log_lines(capsys.readouterr().err)
    names = {LINE.match(line)["name"] for line in lines}
    assert {"odkrywka", "odkrywka.mail", "app", "app.ideas.services"} <= names
    assert len(lines) >= 7  # five probes, two rejections, the request line
    assert all(LINE.match(line)["id"] == "probe-request-0001" for line in lines)
    assert any("GET /_log_probe 200" in line for line in lines)


def test_lines_of_different_requests_carry_different_ids(logged_app, capsys):
    client = logged_app().test_client()
    first = client.get("/_log_probe").headers["X-Request-ID"]
    second = client.get("/_log_probe").headers["X-Request-ID"]
    ids = {LINE.match(line)["id"] for line in log_lines(capsys.readouterr().err)}
    assert ids == {first, second}


def test_a_form_value_cannot_forge_a_log_line(logged_app, capsys):
    forged = (
        "Ładny tytuł\n2026-11-25 12:00:00,000 INFO [feedfacefeedface] odkrywka: admin logged in"
    )
    client = logged_app().test_client()
    for separator in ("\n", "\r\n", "\r", "\u2028", "\x85"):
        client.post(
            "/_log_probe",
            data={"title": forged.replace("\n", separator)},
            headers={"X-Request-ID": "probe-request-0002"},
        )
    err = capsys.readouterr().err
    assert "feedfacefeedface" in err  # the value was logged ...
    for line in err.splitlines():
        assert not line.startswith("2026-11-25 12:00:00,000")  # ... but never as its own line
    for line in log_lines(err):
        assert LINE.match(line)["id"] == "probe-request-0002"
    assert "\u2028" not in err and "\x85" not in err
    assert "Ładny tytuł\\n2026-11-25" in err


def test_every_control_character_in_a_logged_value_is_escaped(logged_app, capsys):
    controls = [chr(code) for code in [*range(0x20), *range(0x7F, 0xA0)]]
    app = logged_app()
    app.test_client().post("/_log_probe", data={"title": "start" + "".join(controls) + "end"})
    with app.test_request_context():
        logging.getLogger("odkrywka").warning("direct: %s", "a\x00b")
    err = capsys.readouterr().err
    [line] = [line for line in err.splitlines() if "rejected title: start" in line]
    for control in controls:
        assert control not in line, repr(control)
    assert "direct: a\\x00b" in err  # NUL
    assert "\\x07\\x08\\t\\n" in line  # bell, backspace, tab, line feed
    assert "\\x1b" in line and "\\x7f" in line and "\\x9f" in line  # ESC, DEL, C1
    assert line.endswith("\\x9fend")


def test_a_path_cannot_forge_a_log_line(capsys, make_app):
    app = make_app()
    capsys.readouterr()
    app.test_client().get("/nic-tu-nie-ma%0A2026-11-25 12:00:00,000 INFO [x] odkrywka: forged")
    err = capsys.readouterr().err
    assert "forged" in err
    assert [line for line in err.splitlines() if "forged" in line][0].startswith(
        tuple("0123456789")
    )
    assert not any(line.startswith("2026-11-25 12:00:00,000") for line in err.splitlines())


def test_secret_tokens_in_paths_are_masked_in_the_log(capsys, make_app):
    app = make_app()
    capsys.readouterr()
    client = app.test_client()
    client.get(f"/ideas/track/{TOKEN}")
    client.get(f"/registrations/{TOKEN}")
    client.get("/articles/trzecie-spotkanie-warsztatowe-w-bogatyni-podsumowanie")
    err = capsys.readouterr().err
    assert TOKEN not in err
    assert "/ideas/track/… " in err
    assert "/registrations/… " in err
    # A long slug is not a secret and stays readable.
    assert "/articles/trzecie-spotkanie-warsztatowe-w-bogatyni-podsumowanie" in err


@pytest.mark.slow
def test_gunicorn_access_log_has_the_request_id_and_no_secrets(database_url, tmp_path):
    server = GunicornServer(server_env(database_url), tmp_path / "gunicorn.log", workers=1)
    with server:
        response = requests.get(
            f"{server.url}/ideas/track/{TOKEN}",
            headers={"X-Request-ID": "edge-proxy-000042", "Referer": f"/ideas/track/{TOKEN}"},
            timeout=10,
        )
        assert response.headers["X-Request-ID"] == "edge-proxy-000042"
        requests.get(server.url + "/healthz", timeout=10)
    log = server.log()
    tagged = [line for line in log.splitlines() if "edge-proxy-000042" in line]
    # One line from the application, one from gunicorn's access log.
    assert any(
        re.search(r'\[edge-proxy-000042\] "GET /ideas/track/… HTTP/1.1" \d{3}', line)
        for line in tagged
    )
    assert any("odkrywka: GET /ideas/track/… " in line for line in tagged)
    assert TOKEN not in log
    assert "127.0.0.1 -" not in log  # no client address in the access log


@pytest.mark.slow
def test_gunicorn_error_log_names_no_client_address(database_url, tmp_path):
    import socket
    import time

    server = GunicornServer(server_env(database_url), tmp_path / "gunicorn.log", workers=1)
    with server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
            connection.sendall(b"NONSENSE\x07 /ideas/track/" + TOKEN.encode() + b"\r\n\r\n")
            assert connection.recv(1024).startswith(b"HTTP/1.1 400")
        deadline = time.monotonic() + 10
        while "Invalid request from" not in server.log() and time.monotonic() < deadline:
            time.sleep(0.05)  # polling the log file for the line, not a fixed wait
        log = server.log()
    [line] = [line for line in log.splitlines() if "Invalid request from" in line]
    assert "ip=…" in line
    assert "ip=127.0.0.1" not in log
    assert TOKEN not in log
    assert "\x07" not in log


def test_a_new_app_logs_again_after_alembic_disabled_the_loggers(capsys, make_app):
    # `flask db upgrade` in the same process runs logging.config.fileConfig,
    # which disables every logger that already exists.
    names = ("odkrywka", "odkrywka.mail", "app", "app.ideas.services")
    for name in names:
        logging.getLogger(name).disabled = True
    app = make_app()
    capsys.readouterr()
    with app.test_request_context():
        for name in names:
            logging.getLogger(name).warning("still heard from %s", name)
    err = capsys.readouterr().err
    for name in names:
        assert f"still heard from {name}" in err
