"""Request logging: every line carries the request id, echoed as X-Request-ID."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from flask.wrappers import Response

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
logger = logging.getLogger("odkrywka")


# A secret link's token: long, URL-safe, not a lower-case slug. Masked in
# every logged path, so reading the log never gives a working link.
_TOKEN_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_-]{32,}(?=[/?#\s]|$)")
_SLUG = re.compile(r"^[a-z0-9-]+$")
# Every C0 and C1 control character, DEL and the Unicode line separators:
# in a log file or a terminal they would start a new line, move the cursor,
# ring the bell or hide text. Shown escaped, never acted on.
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\x0b": "\\v", "\x0c": "\\f"}
_CONTROLS = [*range(0x00, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]
_ESCAPES = str.maketrans(
    {
        chr(code): _NAMED.get(chr(code), f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        for code in _CONTROLS
    }
)


def redact_path(path: str) -> str:
    """*path* with anything that looks like a secret token replaced by ``…``."""
    return _TOKEN_SEGMENT.sub(lambda m: m.group() if _SLUG.match(m.group()) else "…", path)


def single_line(text: str) -> str:
    """*text* with control characters and line breaks shown, never acted on."""
    return text.translate(_ESCAPES)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = getattr(g, "request_id", "-") if has_request_context() else "-"
        # Never let a value from a form break a log line into two: the
        # message is formatted here (whatever the argument types) and its
        # line breaks escaped. Tracebacks stay as they are.
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must not lose the line
            message = f"{record.msg!r} {record.args!r}"
        record.msg = single_line(message)
        record.args = None
        return True


def init_app(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
    )
    handler.addFilter(RequestIdFilter())
    # Our own loggers and Flask's (``app``, parent of every ``app.*`` module
    # logger) write through the same handler, so every line has the id.
    for named in (logger, app.logger):
        named.handlers[:] = [handler]
        named.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    # Alembic's env.py runs logging.config.fileConfig, which disables every
    # logger that exists at that moment (ours included); a new app logs again.
    for name, existing in list(logging.Logger.manager.loggerDict.items()):
        if isinstance(existing, logging.Logger) and name.split(".")[0] in {
            logger.name,
            app.logger.name,
        }:
            existing.disabled = False
    logger.propagate = False
    # Under test, pytest's caplog listens on the root logger.
    app.logger.propagate = bool(app.testing)

    @app.before_request
    def assign_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        request_id = getattr(g, "request_id", None)
        if request_id:
            response.headers["X-Request-ID"] = request_id
            elapsed = (time.perf_counter() - g.request_started) * 1000
            logger.info(
                "%s %s %s %.1fms",
                request.method,
                redact_path(request.path),
                response.status_code,
                elapsed,
            )
        return response
