"""Request-wide behaviour: headers, proxies, template helpers, sessions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

from flask import Flask, current_app, g, request, url_for
from flask.wrappers import Response
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from app.extensions import db, login_manager
from app.markdown import markdown_text, plain_text, render_markdown
from app.models.base import MAX_ID

F = TypeVar("F", bound=Callable[..., Any])


def safe_next_url(target: str | None) -> str | None:
    """*target* if it stays on this site (a relative path), else None."""
    if not target:
        return None
    target = target.strip()
    if any(ch in target for ch in "\\\r\n\t") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    joined = urlsplit(urljoin(request.host_url, target))
    if joined.netloc != urlsplit(request.host_url).netloc:
        return None
    return target


# What a private page sends: a page whose URL holds someone's secret token,
# or that shows what only its reader may see, is never cached, never passed
# on in a Referer and never indexed.
PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


def private_page(view: F) -> F:
    """Mark every answer of *view* private (error pages and redirects too,
    and refusals made before the view runs, such as a CSRF failure)."""
    view.private_page = True  # type: ignore[attr-defined]
    return view


def mark_private() -> None:
    """Mark this one answer private, where only some answers of a view are."""
    g.private_page = True


def is_private_page() -> bool:
    """Whether the current answer is private (see :func:`private_page`)."""
    if getattr(g, "private_page", False):
        return True
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    return getattr(view, "private_page", False)


def data_download(data: dict[str, Any], filename: str) -> Response:
    """A person's own data as a JSON file to save (see the privacy notice)."""
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    mark_private()
    return response


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL under BASE_URL (for e-mails, feeds, the API)."""
    path = url_for(endpoint, **values)
    return current_app.config["BASE_URL"] + path


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: a number no id column can hold (past
    MAX_ID) matches no route, so it is a 404 before any view or query."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def init_app(app: Flask) -> None:
    # Before any blueprint adds its rules.
    app.url_map.converters["int"] = IdConverter
    if any(app.config.get(k) for k in ("PROXY_FIX_X_FOR", "PROXY_FIX_X_PROTO", "PROXY_FIX_X_HOST")):
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app,
            x_for=app.config["PROXY_FIX_X_FOR"],
            x_proto=app.config["PROXY_FIX_X_PROTO"],
            x_host=app.config["PROXY_FIX_X_HOST"],
        )

    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):  # noqa: ANN202
        from app.models.user import User

        ident, _, version = user_id.partition(":")
        try:
            user = db.session.get(User, int(ident))
        except ValueError:
            return None
        # A bumped session version (sign-out everywhere, new password,
        # deactivation) ends every copy of the old cookie.
        if user is None or not user.active or str(user.session_version) != version:
            return None
        return user

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["plain"] = plain_text
    app.jinja_env.filters["markdown_text"] = markdown_text
    app.jinja_env.globals["external_url"] = external_url
    app.jinja_env.globals["staff_endpoints"] = lambda: app.view_functions.keys()

    @app.context_processor
    def inject_helpers() -> dict[str, Any]:
        from app.security.permissions import can

        return {"can": can, "current_user": current_user}

    @app.after_request
    def security_headers(response: Response) -> Response:
        headers = response.headers
        if is_private_page():
            # A header the view chose itself (a download's own Cache-Control) stands.
            for name, value in PRIVATE_HEADERS.items():
                headers.setdefault(name, value)
        nonce = getattr(g, "csp_nonce", None)
        script_src = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; "
            f"script-src {script_src}; "
            "style-src 'self'; "
            "img-src 'self' data:; "
            "font-src 'self'; "
            "connect-src 'self'; "
            "frame-src https://www.youtube-nocookie.com https://player.vimeo.com; "
            "object-src 'none'; "
            "base-uri 'self'; "
            "form-action 'self'; "
            "frame-ancestors 'none'",
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        if app.config.get("HSTS_ENABLED"):
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.path.startswith("/staff"):
            headers.setdefault("Cache-Control", "no-store")
        return response
