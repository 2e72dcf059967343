"""Security headers on every kind of response, and no inline script or
style anywhere (the Content-Security-Policy would block it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import render_template_string

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def assert_security_headers(response, *, hsts: bool = False) -> None:  # noqa: ANN001
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {
        part.strip().split(" ", 1)[0]: part.strip() for part in csp.split(";") if part.strip()
    }
    assert directives.get("script-src", "").startswith("script-src 'self'"), csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, csp
    assert directives.get("style-src") == "style-src 'self'", csp
    assert directives.get("frame-ancestors") == "frame-ancestors 'none'", csp
    assert directives.get("object-src") == "object-src 'none'", csp
    assert directives.get("base-uri") == "base-uri 'self'", csp
    assert directives.get("form-action") == "form-action 'self'", csp
    assert directives.get("default-src") == "default-src 'self'", csp
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "strict-origin-when-cross-origin"
    assert response.headers.get("X-Frame-Options") == "DENY"
    if hsts:
        assert response.headers.get("Strict-Transport-Security", "").startswith("max-age=31536000")
    else:
        assert "Strict-Transport-Security" not in response.headers


RESPONSES = [
    ("GET", "/", 200),
    ("GET", "/ideas", 200),
    ("GET", "/privacy", 200),
    ("GET", "/healthz", 200),  # JSON
    ("GET", "/api/v1/ideas", 200),  # JSON API
    ("GET", "/api/v1/ideas/999999", 404),  # JSON error
    ("GET", "/api/v1/no-such-thing", 404),
    ("GET", "/no-such-page", 404),  # HTML error
    ("GET", "/staff/logout", 405),
    ("GET", "/staff/", 302),  # redirect to sign-in
    ("GET", "/static/css/site.css", 200),
    ("GET", "/bootstrap/static/js/bootstrap.min.js", 200),
    ("GET", "/static/favicon.svg", 200),
    ("GET", "/feeds/articles.atom", 200),
    ("GET", "/feeds/ideas.atom", 200),
    ("GET", "/sitemap.xml", 200),
    ("GET", "/export/ideas.csv", 200),
    ("GET", "/workshops.ics", 200),
    ("POST", "/ideas/new", 409),  # no consultation open
]


@pytest.mark.parametrize(("method", "path", "status"), RESPONSES)
def test_headers_on_every_kind_of_response(client, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status
    assert_security_headers(response)


def test_headers_on_a_form_with_errors(client, make):
    make.process()
    response = client.post("/ideas/new", data={"title": "x"})
    assert response.status_code == 400
    assert_security_headers(response)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_headers_on_a_csrf_failure(client):
    response = client.post("/staff/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    assert_security_headers(response)


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="1 per minute")
def test_headers_on_a_rate_limited_response(client):
    data = {"email": "a@example.org", "password": "x" * 12}
    client.post("/staff/login", data=data)
    response = client.post("/staff/login", data=data)
    assert response.status_code == 429
    assert_security_headers(response)


def test_headers_on_a_server_error(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    def boom():  # noqa: ANN202
        raise RuntimeError("internal detail 8d1f")

    app.add_url_rule("/test-error", "test_error", boom)
    response = app.test_client().get("/test-error")
    assert response.status_code == 500
    assert "8d1f" not in response.get_data(as_text=True)
    assert_security_headers(response)


@pytest.mark.app_config(HSTS_ENABLED=True)
def test_hsts_when_enabled(client):
    assert_security_headers(client.get("/"), hsts=True)
    assert_security_headers(client.get("/static/css/site.css"), hsts=True)


def test_staff_pages_are_never_cached(client, login):
    login("editor")
    assert client.get("/staff/account").headers["Cache-Control"] == "no-store"


def test_bootstrap_scripts_are_files_not_inline(app):
    with app.test_request_context():
        html = render_template_string("{{ bootstrap.load_js() }}{{ bootstrap.load_css() }}")
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, flags=re.S)
    assert scripts and all(body.strip() == "" for body in scripts)
    assert all(src.startswith("/") for src in re.findall(r'src="([^"]+)"', html))
    assert "cdn" not in html.lower()


# A self-contained file, not a page of the site: the consultation report as
# kept for good (frozen) and fed to the PDF renderer carries its style sheet
# inside, and is served with its own policy (no scripts at all, inline style
# only: consultation_report.routes.FROZEN_HTML_CSP).
SELF_CONTAINED = {"consultation_report/document.html"}


def _page_templates() -> list[Path]:
    return [
        path
        for path in TEMPLATES.rglob("*.html")
        if "email" not in path.relative_to(TEMPLATES).parts
        and str(path.relative_to(TEMPLATES)) not in SELF_CONTAINED
    ]


def test_a_self_contained_report_has_no_scripts_and_its_own_policy():
    from app.consultation_report.routes import FROZEN_HTML_CSP

    source = (TEMPLATES / "consultation_report/document.html").read_text(encoding="utf-8")
    assert not re.search(r"<script\b", source, flags=re.I)
    assert not re.search(r"\son[a-z]+\s*=", source)
    assert "script-src" not in FROZEN_HTML_CSP and "default-src 'none'" in FROZEN_HTML_CSP


@pytest.mark.parametrize("path", _page_templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_have_no_inline_script_style_or_handlers(path):
    source = path.read_text(encoding="utf-8")
    for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", source, flags=re.S | re.I):
        attributes, body = match.groups()
        assert "src=" in attributes and not body.strip(), f"inline script in {path}"
    assert not re.search(r"\sstyle\s*=", source), f"style attribute in {path}"
    assert not re.search(r"<style\b", source, flags=re.I), f"<style> element in {path}"
    assert not re.search(r"\son[a-z]+\s*=", source), f"event handler attribute in {path}"
    assert "javascript:" not in source.lower(), f"javascript: URL in {path}"
