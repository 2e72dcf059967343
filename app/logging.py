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


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = getattr(g, "request_id", "-") if has_request_context() else "-"
        # Never let a value from a form break a log line into two.
        if isinstance(record.msg, str):
            record.msg = record.msg.replace("\r", "\\r").replace("\n", "\\n")
        if record.args:
            record.args = tuple(
                a.replace("\r", "\\r").replace("\n", "\\n") if isinstance(a, str) else a
                for a in (record.args if isinstance(record.args, tuple) else (record.args,))
            )
        return True


def init_app(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
    )
    handler.addFilter(RequestIdFilter())
    logger.handlers[:] = [handler]
    logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    logger.propagate = False

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
                "%s %s %s %.1fms", request.method, request.path, response.status_code, elapsed
            )
        return response
