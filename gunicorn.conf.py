"""Gunicorn settings for Odkrywka: ``gunicorn -c gunicorn.conf.py wsgi:app``.

Everything that differs between hosts comes from the environment:

- ``GUNICORN_BIND`` (default ``127.0.0.1:8000``; several addresses separated by commas)
- ``WEB_CONCURRENCY`` worker processes (default ``2 × CPUs + 1``)
- ``GUNICORN_THREADS`` threads per worker (default 1 = sync workers; above 1 = gthread)
- ``GUNICORN_TIMEOUT`` seconds before a silent worker is restarted (default 30)
- ``FORWARDED_ALLOW_IPS`` proxies whose ``X-Forwarded-Proto`` gunicorn trusts
  (default ``127.0.0.1,::1``); the application's own ProxyFix settings
  (``PROXY_FIX_X_FOR`` …) decide the client address
- ``GUNICORN_ACCESS_LOG`` file for the access log (default ``-`` = stdout; empty = off)
- ``GUNICORN_LOG_LEVEL`` (default ``info``)
- ``GUNICORN_CONTROL_SOCKET`` path of the ``gunicornc`` control socket (default: none)

The application is not preloaded: each worker builds its own app, its own
database pool and its own Redis connection after the fork, and a worker that
is restarted picks up new code on ``kill -HUP``.
"""

from __future__ import annotations

import multiprocessing
import os
import re

from gunicorn.glogging import Logger


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = [
    address.strip()
    for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
    if address.strip()
]
workers = _env_int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
threads = _env_int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = _env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _env_int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then so a slow leak can never grow without bound;
# the jitter keeps them from all restarting at once. A new worker needs about
# a second to start, during which the others carry its load: at 10,000 a busy
# worker restarted every few seconds and the slowest 1% of requests waited
# for it (seen in the benchmark), so the bound is high.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 100000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 10000)
preload_app = False
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proxy_allow_ips = forwarded_allow_ips
# Gunicorn's control socket (``gunicornc``) sits at one path per user by
# default, so two instances on one host would fight over it: off unless a
# path is given (GUNICORN_CONTROL_SOCKET).
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket

loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
errorlog = "-"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# No client address and no referrer in the access log (a public body keeps
# no IP addresses); the request id ties a line to the application's own
# log lines, and secret tokens in paths are masked (see RedactingLogger).
access_log_format = os.environ.get(
    "GUNICORN_ACCESS_LOG_FORMAT",
    '%(t)s [%({x-request-id}o)s] "%(r)s" %(s)s %(b)s %(M)sms pid=%(p)s',
)


# Gunicorn names the client in its own error log ("Invalid request from
# ip=203.0.113.5: …"); logs keep no client addresses.
_CLIENT_ADDRESS = re.compile(r"\b(ip=)\S+?(?=[:\s,]*(?:\s|$))")
# A secret link's token anywhere in a message (gunicorn quotes the bad
# request line, so the token may be followed by anything).
_TOKEN = re.compile(r"(?<=/)[A-Za-z0-9_-]{32,}")
_SLUG = re.compile(r"^[a-z0-9-]+$")


def _clean(msg: object, args: tuple) -> str:
    """An error-log message with the client address and secret tokens masked
    and control characters escaped."""
    from app.logging import single_line

    text = str(msg)
    if args:
        try:
            text = text % args
        except (TypeError, ValueError):
            text = f"{text} {args!r}"
    text = _CLIENT_ADDRESS.sub(r"\1…", text)
    text = _TOKEN.sub(lambda m: m.group() if _SLUG.match(m.group()) else "…", text)
    return single_line(text)


class RedactingLogger(Logger):
    """Gunicorn's logger with confirmation and tracking tokens masked in the
    request line: whoever reads the log must not be able to use the links.
    Its error log masks the client address gunicorn puts in some messages."""

    def critical(self, msg, *args, **kwargs):  # noqa: ANN001, ANN201
        super().critical(_clean(msg, args), **kwargs)

    def error(self, msg, *args, **kwargs):  # noqa: ANN001, ANN201
        super().error(_clean(msg, args), **kwargs)

    def warning(self, msg, *args, **kwargs):  # noqa: ANN001, ANN201
        super().warning(_clean(msg, args), **kwargs)

    def info(self, msg, *args, **kwargs):  # noqa: ANN001, ANN201
        super().info(_clean(msg, args), **kwargs)

    def debug(self, msg, *args, **kwargs):  # noqa: ANN001, ANN201
        super().debug(_clean(msg, args), **kwargs)

    def exception(self, msg, *args, **kwargs):  # noqa: ANN001, ANN201
        super().exception(_clean(msg, args), **kwargs)

    def log(self, lvl, msg, *args, **kwargs):  # noqa: ANN001, ANN201
        super().log(lvl, _clean(msg, args), **kwargs)

    def atoms(self, resp, req, environ, request_time):  # noqa: ANN001, ANN201
        from app.logging import redact_path

        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact_path(atoms[key])
        atoms.pop("f", None)
        atoms.pop("{referer}i", None)
        atoms.pop("{cookie}i", None)
        return atoms


logger_class = RedactingLogger
