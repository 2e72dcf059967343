"""Odkrywka's benchmark, one command: ``python -m bench.run`` (``make bench``).

1. Seeds a fresh database (an SQLite file by default, ``--db postgres`` for a
   new PostgreSQL database) with 100,000 ideas, 200 articles and 50 workshops.
2. Starts Odkrywka and a bare "hello" Flask app (bench/hello.py) with gunicorn,
   the same way (gunicorn.conf.py, 2 workers, access log on).
3. Loads each with wrk (16 connections, 10 s a page) and prints requests/s,
   p50, p99 and the ratio to hello, with the targets met or missed.
4. The concurrency part: 200 submissions, 1,000 supports, 1,000 article
   views and 50 registrations for 10 places, all at once; exact counts.

How rate limits are handled (limits are never switched off):
- load part: the one client address wrk uses gets high per-address limits
  through the environment (RATELIMIT_API, RATELIMIT_IDEA_SUBMIT,
  SUBMISSIONS_PER_ADDRESS_PER_HOUR), otherwise the API's 120 a minute would
  turn the measurement into a measurement of 429 pages;
- concurrency part: the production limits, and every simulated resident has
  an address of their own (X-Forwarded-For through PROXY_FIX_X_FOR=1, as
  behind a reverse proxy).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import requests

from bench import concurrency, crowd, seed, wrk

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

# Load-test limits for the single address wrk sends from (see the docstring).
LOAD_TEST_LIMITS = {
    "RATELIMIT_API": "1000000 per minute",
    "RATELIMIT_IDEA_SUBMIT": "1000000 per hour",
    "SUBMISSIONS_PER_ADDRESS_PER_HOUR": "1000000",
}


def say(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen | None, timeout: float) -> None:
    """SIGTERM (a graceful stop), then SIGKILL after *timeout* seconds."""
    if process and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()


class Server:
    """gunicorn -c gunicorn.conf.py APP, on a free port, logging to a file."""

    def __init__(self, target: str, env: dict[str, str], workers: int, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.target = target
        self.log = log
        self.env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "BASE_URL": f"http://127.0.0.1:{self.port}",
        }
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self._out = open(self.log, "a")  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", self.target],
            cwd=REPO,
            env=self.env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        probe = "/healthz" if self.target == "wsgi:app" else "/"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.target} did not start; see {self.log}")
            try:
                if requests.get(self.url + probe, timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{self.target} did not become ready; see {self.log}")

    def __exit__(self, *exc: object) -> None:
        stop(self.process, timeout=30)
        self._out.close()


class MailWorker:
    """``flask mail send --loop``: delivers the outbox while the load runs."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = {**env, "FLASK_APP": "wsgi"}
        self.log = log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> MailWorker:
        self._out = open(self.log, "a")  # noqa: SIM115 - closed in __exit__
        self.process = subprocess.Popen(
            [str(BIN / "flask"), "--app", "wsgi", "mail", "send", "--loop", "--interval", "1"],
            cwd=REPO,
            env=self.env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        stop(self.process, timeout=60)
        self._out.close()


def redis_storage(run_id: str) -> tuple[str, str | None]:
    """Redis when it answers (as in production with several workers), else memory."""
    try:
        import redis

        client = redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2)
        client.ping()
        client.close()
    except Exception:  # noqa: BLE001
        return "memory://", None
    return "redis://127.0.0.1:6379/0", f"bench-{run_id}"


def base_env(database_url: str, workdir: Path, smtp_port: int, run_id: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MAIL_", "RATELIMIT_", "PROXY_FIX_", "GUNICORN_"))
        and k not in {"WEB_CONCURRENCY", "SUBMISSIONS_PER_ADDRESS_PER_HOUR", "FLASK_APP"}
    }
    storage, prefix = redis_storage(run_id)
    env.update(
        {
            "ODKRYWKA_ENV": "production",
            "DATABASE_URL": database_url,
            "SECRET_KEY": secrets.token_hex(32),
            # Plain HTTP on localhost: cookies must travel without TLS.
            "SESSION_COOKIE_SECURE": "false",
            "UPLOAD_DIR": str(workdir / "uploads"),
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_port),
            "RATELIMIT_STORAGE_URI": storage,
            "RATELIMIT_KEY_PREFIX": prefix or "bench",
            "PROXY_FIX_X_FOR": "1",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def postgres_database(admin_url: str) -> tuple[str, callable]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"odkrywka_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    return url, drop


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {platform.system()}"
    )


def load_average() -> str:
    """The machine's 1-minute load average: other work on it skews the figures."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:
        return "?"


def fraction(ratio: float) -> str:
    return f"1/{1 / ratio:.1f}" if ratio > 0 else "-"


def wait_for_mail(database_url: str, timeout: float = 300) -> float:
    """Wait until the mail worker has delivered everything queued (a run of
    submissions leaves a confirmation per request): otherwise the next run
    would measure its pages against the worker catching up on the same two
    cores. Returns the seconds waited."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    started = time.monotonic()
    try:
        while time.monotonic() - started < timeout:
            with engine.connect() as connection:
                waiting = connection.execute(
                    text("SELECT count(*) FROM outbox_messages WHERE status IN ('pending', 'sending')")
                ).scalar_one()
            if not waiting:
                break
            time.sleep(0.5)
        else:
            say(f"! {waiting} messages still waiting for the mail worker after {timeout:.0f} s")
    finally:
        engine.dispose()
    return time.monotonic() - started


def load_part(
    args, env, facts, workdir: Path, crowd_paths: dict | None = None, smtp=None  # noqa: ANN001
) -> tuple[list[wrk.Result], list[tuple[str, bool, str]]]:  # noqa: ANN001
    # As recommended for production under load: requests only queue their
    # mail and a separate worker delivers it (README, "The mail worker").
    load_env = {**env, **LOAD_TEST_LIMITS, "MAIL_DELIVER_AFTER_COMMIT": "false"}
    results: list[wrk.Result] = []
    options = {"connections": args.connections, "threads": args.threads}
    with (
        Server("bench.hello:app", load_env, args.workers, workdir / "hello.log") as hello,
        Server("wsgi:app", load_env, args.workers, workdir / "odkrywka.log") as app_server,
        MailWorker(load_env, workdir / "mail-worker.log"),
    ):
        page = requests.get(app_server.url + "/ideas/new", timeout=30)
        form_ok = page.status_code == 200 and "csrf_token" in page.text
        targets = [
            ("home", "/", None),
            ("catalogue", "/ideas", None),
            ("catalogue search", f"/ideas?q=energia&category={facts['category']}", None),
            ("idea page", f"/ideas/{facts['idea_id']}", None),
            ("idea page, 200 comments", f"/ideas/{facts['discussed_idea_id']}", None),
            ("article page", f"/articles/{facts['article']}", None),
            ("API list", "/api/v1/ideas", None),
        ]
        if form_ok:
            script = wrk.submission_script(
                workdir / "submit.lua",
                cookie="; ".join(f"{k}={v}" for k, v in page.cookies.items()),
                token=concurrency.csrf(page.text),
                category=facts["category"],
                process=facts["process"],
            )
            targets.append(("form submission (POST)", "/ideas/new", script))
        else:
            say(f"! /ideas/new answered {page.status_code}: form submission not measured")
        for name, path, _ in targets:
            status = requests.get(app_server.url + path, timeout=30).status_code
            if status != 200:
                say(f"! {name} {path} answered {status}")

        def measure(name: str, url: str, script=None) -> wrk.Result:  # noqa: ANN001
            # A short warm-up first (caches, connection pools), not recorded.
            wrk.run(name, url, duration=2, script=script, **options)
            wait_for_mail(env["DATABASE_URL"])
            result = wrk.run(name, url, duration=args.duration, script=script, **options)
            say(
                f"  {name:<24} {result.requests_per_second:8.0f} req/s  "
                f"p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms  "
                f"errors {result.errors}"
            )
            waited = wait_for_mail(env["DATABASE_URL"])
            if waited >= 1:
                say(f"  (the mail worker caught up on the run's mail in {waited:.0f} s)")
            return result

        say(
            f"load: wrk -t{args.threads} -c{args.connections} -d{args.duration}s per page "
            f"(load average before: {load_average()})"
        )
        first_hello = measure("hello (bare Flask)", hello.url + "/")
        for name, path, script in targets:
            results.append(measure(name, app_server.url + path, script))
        crowd_results: list[wrk.Result] = []
        if crowd_paths:
            say("crowd: each request a random address among thousands")
            for kind, paths in crowd_paths.items():
                script = crowd.script(workdir / f"crowd-{kind.replace(' ', '-')}.lua", paths)
                result = measure(f"crowd: {kind}", app_server.url + "/", script)
                result.hit_rate = crowd.hit_rate(result.raw)
                crowd_results.append(result)
            script = crowd.script(workdir / "crowd-mixed.lua", crowd.mixed(crowd_paths))
            with (
                crowd.Writes(app_server.url, smtp, facts, crowd_paths["idea pages"][:500],
                             uuid.uuid4().hex[:6]) as writes,
                crowd.Sampler(app_server.url) as sampler,
            ):  # fmt: skip
                result = measure("crowd: mixed, 1 write/s", app_server.url + "/", script)
            result.hit_rate = crowd.hit_rate(result.raw)
            result.first_pages_hit_rate = sampler.rate
            result.writes = dict(Counter(writes.statuses))
            crowd_results.append(result)
            say(
                f"  mixed run: writes {writes.kinds}, answers {result.writes}; kept-page hits "
                f"{(result.hit_rate or 0):.0%} of all reads, {sampler.rate:.0%} of "
                f"{sampler.answers} samples of the home page and the first catalogue pages"
            )
            for r in crowd_results:
                if r.hit_rate is not None:
                    say(f"  {r.name}: kept-page hits {r.hit_rate:.0%}")
            results.extend(crowd_results)
        second_hello = measure("hello (again)", hello.url + "/")
        say(f"load average after: {load_average()}")
    hello_rps = (first_hello.requests_per_second + second_hello.requests_per_second) / 2
    hello = wrk.Result(
        "hello (bare Flask, mean of 2)",
        first_hello.url,
        hello_rps,
        (first_hello.p50_ms + second_hello.p50_ms) / 2,
        max(first_hello.p99_ms, second_hello.p99_ms),
        first_hello.requests + second_hello.requests,
        first_hello.errors + second_hello.errors,
        "",
        "",
    )
    results.insert(0, hello)

    say("")
    say(f"{'page':<30} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'vs hello':>9}")
    for result in results:
        ratio = result.ratio_to(hello)
        say(
            f"{result.name:<30} {result.requests_per_second:8.0f} {result.p50_ms:8.1f} "
            f"{result.p99_ms:8.1f} {result.errors:7d} {fraction(ratio):>9}"
        )
    pages = [r for r in results[1:] if not r.name.startswith("crowd: ")]
    crowd_runs = [r for r in results[1:] if r.name.startswith("crowd: ")]
    catalogue = next(r for r in pages if r.name == "catalogue")
    targets_met = [
        (
            "catalogue ≥ 1/8 of hello's req/s",
            catalogue.ratio_to(hello) >= 1 / 8,
            fraction(catalogue.ratio_to(hello)),
        ),
        ("catalogue p99 < 100 ms", catalogue.p99_ms < 100, f"{catalogue.p99_ms:.1f} ms"),
        (
            "no page slower than 1/12 of hello",
            all(r.ratio_to(hello) >= 1 / 12 for r in pages),
            ", ".join(
                f"{r.name} {fraction(r.ratio_to(hello))}"
                for r in pages
                if r.ratio_to(hello) < 1 / 12
            )
            or "all pages",
        ),
        (
            "zero errors under load",
            all(r.errors == 0 for r in results),
            ", ".join(f"{r.name}: {r.error_detail}" for r in results if r.errors) or "none",
        ),
    ]
    if not form_ok:
        targets_met.append(("form submission measured", False, "the form is missing"))
    form = next((r for r in pages if r.name.startswith("form submission")), None)
    if form is not None:
        share = 1 / 16 if env["DATABASE_URL"].startswith("postgresql") else 1 / 12
        targets_met.append(
            (f"form submission ≥ {fraction(share)} of hello", form.ratio_to(hello) >= share,
             fraction(form.ratio_to(hello)))
        )  # fmt: skip
    reads = [r for r in crowd_runs if "mixed" not in r.name]
    if reads:
        targets_met += [
            (
                "crowd: every kind ≥ 1/8 of hello",
                all(r.ratio_to(hello) >= 1 / 8 for r in reads),
                ", ".join(f"{r.name[7:]} {fraction(r.ratio_to(hello))}" for r in reads),
            ),
            (
                "crowd: p99 < 100 ms",
                all(r.p99_ms < 100 for r in reads),
                ", ".join(f"{r.name[7:]} {r.p99_ms:.0f} ms" for r in reads),
            ),
        ]
    mixed_run = next((r for r in crowd_runs if "mixed" in r.name), None)
    if mixed_run is not None:
        targets_met += [
            ("mixed run: reads ≥ 1/10 of hello", mixed_run.ratio_to(hello) >= 1 / 10,
             fraction(mixed_run.ratio_to(hello))),
            ("mixed run: home and first catalogue pages kept > 90 %",
             mixed_run.first_pages_hit_rate > 0.9, f"{mixed_run.first_pages_hit_rate:.0%}"),
            ("mixed run: every write answered without 5xx",
             all(status < 500 for status in mixed_run.writes), str(mixed_run.writes)),
        ]  # fmt: skip
    say("")
    for name, ok, detail in targets_met:
        say(f"{'MET ' if ok else 'MISS'}  {name}: {detail}")
    return results, targets_met


def concurrency_part(args, env, app, smtp, facts, workdir: Path) -> concurrency.Report:  # noqa: ANN001
    say("")
    say("concurrency: production rate limits, one address per simulated resident")
    log = workdir / "odkrywka-concurrency.log"
    with Server("wsgi:app", env, args.workers, log) as server:
        report = concurrency.run(server.url, app, smtp, facts, say)
    text = log.read_text(errors="replace")
    failures = len(re.findall(r'" 5\d\d ', text))
    report.add("no 5xx answers in the server log", 0, failures)
    report.add("no tracebacks in the server log", 0, text.count("Traceback"))
    say("")
    for check in report.checks:
        say(
            f"{'PASS' if check.ok else 'FAIL'}  {check.name}: "
            f"expected {check.expected}, got {check.actual}"
        )
    return report


# In-process search targets (issue: Polish search), median milliseconds.
SEARCH_TARGET_MS = {"sqlite": 15.0, "postgres": 30.0}


def search_part(args, database_url: str) -> tuple[dict[str, float], bool]:  # noqa: ANN001
    """Random one- and two-word Polish queries on the seeded database, a
    different query per request, timed in process (bench/catalogue.py)."""
    from app import create_app
    from app.extensions import db
    from bench.catalogue import search_run
    from config import ProductionConfig

    say("")
    say(f"search: {args.queries} random one- and two-word Polish queries, in process")
    app = create_app(
        ProductionConfig,
        {"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False,
         "SESSION_COOKIE_SECURE": False},
    )  # fmt: skip
    logging.getLogger("odkrywka").setLevel(logging.WARNING)  # one line per request otherwise
    try:
        figures = search_run(app, app.test_client(), args.queries)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    target = SEARCH_TARGET_MS["postgres" if database_url.startswith("postgresql") else "sqlite"]
    met = figures["search_median_ms"] < target
    say(f"  target: median under {target:.0f} ms — {'met' if met else 'MISSED'}")
    if not figures["queries_with_results"]:
        # Seen once: SQLite migrations had lost the index's triggers.
        say("  ! no query found any idea: the search index is empty, the timings mean nothing")
        met = False
    return figures, met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES),
                        help="server where --db postgres creates (and drops) its database")  # fmt: skip
    parser.add_argument("--reuse", metavar="DATABASE_URL",
                        help="use an already seeded database (skips seeding)")  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the database and logs")
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-concurrency", action="store_true")
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-crowd", action="store_true",
                        help="no crowd runs (a random address per request) in the load part")  # fmt: skip
    parser.add_argument("--queries", type=int, default=400,
                        help="random Polish queries timed in process (search part)")  # fmt: skip
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)

    if not Path(wrk.WRK).exists():
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    sys.path.insert(0, str(REPO))
    from app import create_app
    from config import DevelopmentConfig
    from tests.smtp import SMTPServer

    run_id = uuid.uuid4().hex[:8]
    workdir = Path(tempfile.mkdtemp(prefix=f"odkrywka-bench-{run_id}-"))
    drop = None
    if args.reuse:
        database_url = args.reuse
    elif args.db == "postgres":
        database_url, drop = postgres_database(args.postgres_url)
    else:
        database_url = f"sqlite:///{workdir / 'bench.db'}"

    smtp = SMTPServer(port=free_port())
    smtp.start()
    env = base_env(database_url, workdir, smtp.port, run_id)
    app = create_app(
        DevelopmentConfig,
        {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": env["SECRET_KEY"],
         "UPLOAD_DIR": env["UPLOAD_DIR"]},
    )  # fmt: skip
    say(f"machine: {machine()}")
    say(f"database: {args.db if not args.reuse else database_url}; work directory: {workdir}")
    say(f"rate-limit storage: {env['RATELIMIT_STORAGE_URI']}")
    outcome: dict = {"machine": machine(), "database": args.db, "run": run_id}
    ok = True
    try:
        if args.reuse:
            facts = seed.facts(app)
        else:
            facts = seed.seed(app, env, args.ideas, say)
        say(f"published ideas: {facts['published_ideas']}")
        outcome["facts"] = facts
        if not args.skip_search:
            figures, met = search_part(args, database_url)
            outcome["search"] = figures
            ok = ok and met
        if not args.skip_load:
            paths = None if args.skip_crowd else crowd.addresses(app)
            results, targets = load_part(args, env, facts, workdir, paths, smtp)
            outcome["load"] = [{k: v for k, v in vars(r).items() if k != "raw"} for r in results]
            outcome["targets"] = [{"target": n, "met": m, "detail": d} for n, m, d in targets]
            ok = ok and all(r.errors == 0 for r in results)
        if not args.skip_concurrency:
            report = concurrency_part(args, env, app, smtp, facts, workdir)
            outcome["concurrency"] = [
                {"check": c.name, "ok": c.ok, "expected": str(c.expected), "actual": str(c.actual)}
                for c in report.checks
            ]
            ok = ok and report.ok
            say("")
            say("concurrency: PASS" if report.ok else "concurrency: FAIL")
    finally:
        smtp.stop()
        with app.app_context():
            from app.extensions import db

            db.session.remove()
            db.engine.dispose()
        prefix = env.get("RATELIMIT_KEY_PREFIX")
        if env["RATELIMIT_STORAGE_URI"].startswith("redis") and prefix:
            import redis

            client = redis.Redis(host="127.0.0.1", port=6379)
            keys = list(client.scan_iter(match=f"*{prefix}*", count=1000))
            if keys:
                client.delete(*keys)
        if args.json:
            args.json.write_text(json.dumps(outcome, indent=2, default=str))
        if drop and not args.keep:
            drop()
        if args.keep:
            say(f"kept: {database_url} and logs in {workdir}")
        else:
            # Only the work directory: a --reuse database lives elsewhere.
            shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
