"""Input no part of the site can use: NUL characters.

PostgreSQL refuses text containing NUL (0x00) and no browser form sends it
on purpose, so a NUL in a query string or a form value could only turn a
harmless lookup into a server error. It is dropped from every value before
any view runs; a path containing one matches nothing (404).
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.datastructures import ImmutableMultiDict

NUL = "\x00"


def _cleaned(data: ImmutableMultiDict) -> ImmutableMultiDict | None:
    if not any(NUL in key or NUL in value for key, value in data.items(multi=True)):
        return None
    return ImmutableMultiDict(
        (key.replace(NUL, ""), value.replace(NUL, "")) for key, value in data.items(multi=True)
    )


def drop_nul_characters() -> None:
    if NUL in request.path:
        abort(404)
    args = _cleaned(request.args)
    if args is not None:
        request.__dict__["args"] = args  # werkzeug caches the parsed value here
        request.__dict__.pop("values", None)
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        form = _cleaned(request.form)
        if form is not None:
            request.__dict__["form"] = form
            request.__dict__.pop("values", None)


def init_app(app: Flask) -> None:
    app.before_request(drop_nul_characters)
