"""Error pages in the site's look, and JSON errors under /api/."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.extensions import db

logger = logging.getLogger("odkrywka")


class ServiceError(Exception):
    """The one root of the errors a service raises when a rule says no.

    It carries what the person is told (``message``), the HTTP status the
    page answers with (``status``: 400 bad input, 403 not allowed, 404 gone,
    409 someone else changed it first, 422 refused by a rule, 429 too often)
    and, when the error belongs to one form field, that field's name.
    Subclasses only name the case and set defaults; views turn any of them
    into a form error or an error page in one place.
    """

    status: int = 422
    field: str | None = None

    def __init__(
        self, message: str = "", *, status: int | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if field is not None:
            self.field = field

    def __str__(self) -> str:
        return str(self.message)


class StaleVersion(ServiceError):
    """Someone saved the thing after this person opened the form."""

    status = 409


ERROR_CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Nieprawidłowe żądanie"), _("Nie udało się przetworzyć tego, co przesłano. Sprawdź dane i spróbuj ponownie.")),
        403: (_("Brak dostępu"), _("Nie masz uprawnień do tej strony.")),
        404: (_("Nie znaleziono strony"), _("Strona, której szukasz, nie istnieje albo została usunięta.")),
        405: (_("Niedozwolona metoda"), _("Tej strony nie można otworzyć w ten sposób.")),
        413: (_("Za duży plik"), _("Przesłane dane są za duże. Wybierz mniejszy plik.")),
        429: (_("Za dużo prób"), _("Wykonano zbyt wiele prób w krótkim czasie. Odczekaj chwilę i spróbuj ponownie.")),
        500: (_("Błąd serwera"), _("Coś poszło nie tak po naszej stronie. Spróbuj ponownie za chwilę.")),
        503: (_("Usługa niedostępna"), _("Serwis jest chwilowo niedostępny. Spróbuj ponownie za chwilę.")),
    }  # fmt: skip


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(code: int, message: str | None = None, error: str | None = None):  # noqa: ANN201
    title, default_message = _messages().get(code, _messages()[500])
    message = message or default_message
    if wants_json():
        response = jsonify(error=error or ERROR_CODES.get(code, "error"), message=message)
        response.status_code = code
        return response
    return render_template("errors/error.html", code=code, title=title, message=message), code


def service_error_response(error: ServiceError):  # noqa: ANN201
    """The page (or JSON under /api/) for a refusal nobody turned into a form error."""
    code = error.status
    message = str(error) or None
    if wants_json():
        return error_response(code, message, ERROR_CODES.get(code, "refused"))
    if code in ERROR_CODES:
        return error_response(code, message)
    title = _("Nie udało się") if code != 409 else _("Dane zmieniły się w międzyczasie")
    return render_template(
        "errors/error.html", code=code, title=title, message=message or title
    ), code


def init_app(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def refused(error: ServiceError):  # noqa: ANN202
        db.session.rollback()
        return service_error_response(error)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # noqa: ANN202
        return error_response(
            400,
            _(
                "Formularz wygasł albo nie pochodzi z tej strony. Odśwież stronę i wyślij go ponownie."
            ),
            "csrf_failed",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # noqa: ANN202
        code = error.code or 500
        if code >= 500:
            db.session.rollback()
        if code not in ERROR_CODES:
            if wants_json():
                return error_response(code, error.description)
            return error
        description = None
        if code in (400, 404) and getattr(error, "description", None) and _is_custom(error):
            description = error.description
        response = error_response(code, description)
        if code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response_obj = app.make_response(response)
            response_obj.headers["Allow"] = ", ".join(error.valid_methods)
            return response_obj
        return response

    @app.errorhandler(Exception)
    def unhandled(error: Exception):  # noqa: ANN202
        if isinstance(error, HTTPException):
            return http_error(error)
        db.session.rollback()
        logger.exception("Unhandled error")
        return error_response(500)

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError):  # noqa: ANN202
        db.session.rollback()
        return error_response(500)


def _is_custom(error: HTTPException) -> bool:
    """True when the code that raised it gave its own description."""
    return error.description != type(error).description
