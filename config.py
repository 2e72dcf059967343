"""Configuration classes; every setting can come from the environment."""

from __future__ import annotations

import os
from datetime import timedelta


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


_DURATION_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """``"3d"``, ``"72h"``, ``"90m"``, ``"30s"``, ``"1w"``; a bare number is days
    (as Postfix reads its queue lifetime)."""
    text = text.strip().lower()
    unit = text[-1:] if text[-1:] in _DURATION_UNITS else "d"
    number = text[:-1] if text[-1:] in _DURATION_UNITS else text
    value = float(number)
    if value <= 0:
        raise ValueError(f"a duration must be positive: {text!r}")
    return timedelta(**{_DURATION_UNITS[unit]: value})


def env_duration(name: str, default: str) -> timedelta:
    value = os.environ.get(name)
    try:
        return parse_duration(value if value not in (None, "") else default)
    except ValueError:
        raise ValueError(
            f"{name}={value!r} is not a duration: use e.g. 3d, 72h, 90m or 30s"
        ) from None


def default_base_url() -> str:
    """BASE_URL when it is not set: the address ``flask run`` (``make run
    HOST=… PORT=…``) serves on, so links in mails, feeds and the API lead
    back to the running server; a wildcard host is reached as 127.0.0.1."""
    host = os.environ.get("FLASK_RUN_HOST", "").strip() or "127.0.0.1"
    if host in ("0.0.0.0", "::"):  # noqa: S104  # nosec B104 - compared, never bound
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    port = os.environ.get("FLASK_RUN_PORT", "").strip() or "5000"
    return f"http://{host}:{port}"


class Config:
    # Filled in by create_app when unset: sqlite file and secret key live in
    # the instance folder.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or None
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    BASE_URL = (os.environ.get("BASE_URL") or default_base_url()).rstrip("/")
    # Hosts (comma-separated) images in Markdown may come from besides this
    # site; an image from anywhere else is shown as its alt text.
    MARKDOWN_IMAGE_HOSTS = tuple(
        host.strip().lower()
        for host in os.environ.get("MARKDOWN_IMAGE_HOSTS", "").split(",")
        if host.strip()
    )
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR") or None

    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}

    # Mail (Flask-Mail). Without MAIL_SERVER queued mail goes to the log.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER") or "Odkrywka <no-reply@localhost>"
    MAIL_TIMEOUT = env_int("MAIL_TIMEOUT", 10)
    MAIL_SUPPRESS_SEND = False  # we decide by MAIL_SERVER, also in tests
    # Deliver the mail a request queued right after its commit (best effort;
    # what fails stays queued for `flask mail send`).
    MAIL_DELIVER_AFTER_COMMIT = env_bool("MAIL_DELIVER_AFTER_COMMIT", True)
    # Temporary failures (relay down, TLS, SMTP 4xx) are retried, at most an
    # hour apart, until a message is this old; then it is "expired".
    MAIL_LIFETIME = env_duration("MAIL_LIFETIME", "3d")
    # An extra cap on attempts per delivery run; 0: only MAIL_LIFETIME counts.
    MAIL_MAX_ATTEMPTS = env_int("MAIL_MAX_ATTEMPTS", 0)
    # Where replies to automatic mail go (unset: no Reply-To header).
    MAIL_REPLY_TO = os.environ.get("MAIL_REPLY_TO") or None
    # "Wyślij ponownie" on a confirmation page: offered this long after the
    # message was queued (or last sent again).
    MAIL_RESEND_MINUTES = env_int("MAIL_RESEND_MINUTES", 5)
    # `phases notify` announces phases that started at most this many days ago.
    PHASE_ANNOUNCE_DAYS = env_int("PHASE_ANNOUNCE_DAYS", 3)
    # Newsletters leave the outbox at most this many per minute.
    NEWSLETTER_PER_MINUTE = env_int("NEWSLETTER_PER_MINUTE", 60)
    # A sent newsletter's recipient rows (addresses) are kept this long; then
    # only its counts stay.
    NEWSLETTER_RECIPIENTS_DAYS = env_int("NEWSLETTER_RECIPIENTS_DAYS", 90)
    # Notices (app/notices.py): daily and weekly digests go out at this hour
    # (Europe/Warsaw; weekly ones on Mondays); a sent notice is kept this
    # many days so the same event is never told twice, then purged.
    NOTICE_DIGEST_HOUR = env_int("NOTICE_DIGEST_HOUR", 7)
    NOTICE_RETENTION_DAYS = env_int("NOTICE_RETENTION_DAYS", 90)

    # Rate limiting (Flask-Limiter)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # Keeps this install's counters apart when several share one Redis.
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "odkrywka")
    # Redis down: keep limiting, per worker in memory, instead of answering 500.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = env_bool("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN = os.environ.get("RATELIMIT_LOGIN", "10 per minute;50 per hour")
    # Per client address; raise them only for load tests (see README, Performance).
    RATELIMIT_API = os.environ.get("RATELIMIT_API", "120 per minute")
    RATELIMIT_IDEA_SUBMIT = os.environ.get("RATELIMIT_IDEA_SUBMIT", "20 per hour")
    RATELIMIT_SUPPORT = os.environ.get("RATELIMIT_SUPPORT", "10 per hour;3 per minute")
    RATELIMIT_REPORT = os.environ.get("RATELIMIT_REPORT", "5 per hour;20 per day")
    # Edits posted from an idea's private tracking page (each may carry a file).
    RATELIMIT_IDEA_EDIT = os.environ.get("RATELIMIT_IDEA_EDIT", "10 per minute;60 per hour")
    # Plays reported by the video player, per client address (each counts
    # once a day anyway; this bounds one address posing as many browsers).
    RATELIMIT_VIDEO_PLAY = os.environ.get("RATELIMIT_VIDEO_PLAY", "300 per hour")
    # "Wyślij ponownie" on a confirmation page, per client address.
    RATELIMIT_MAIL_RESEND = os.environ.get("RATELIMIT_MAIL_RESEND", "5 per hour")
    # The consultation report's PDF, rendered afresh when the data changed.
    RATELIMIT_REPORT_PDF = os.environ.get("RATELIMIT_REPORT_PDF", "20 per minute;200 per hour")

    # Languages and time
    BABEL_DEFAULT_LOCALE = "pl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Warsaw"
    LANGUAGES = ("pl", "en")

    # Uploads
    MAX_ATTACHMENT_BYTES = env_int("MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024)
    # The whole request may be a little larger than one attachment.
    MAX_CONTENT_LENGTH = env_int("MAX_CONTENT_LENGTH", 12 * 1024 * 1024)
    # The idea form and its edit form take a larger body (files are spooled to
    # disk), so a file over MAX_ATTACHMENT_BYTES is refused at its field with
    # everything typed kept, instead of a bare 413 page.
    MAX_ATTACHMENT_FORM_LENGTH = env_int("MAX_ATTACHMENT_FORM_LENGTH", 64 * 1024 * 1024)
    # Videos uploaded by editors (MP4/WebM). A request larger than this plus
    # room for captions and a poster is refused before it is read.
    MAX_VIDEO_BYTES = env_int("MAX_VIDEO_BYTES", 500 * 1024 * 1024)
    # ffmpeg/ffprobe (Debian's ffmpeg package) read a video's length and take
    # its poster frame; empty switches them off (the editor gives both then).
    FFMPEG = os.environ.get("FFMPEG", "ffmpeg")
    FFPROBE = os.environ.get("FFPROBE", "ffprobe")
    # Image limits checked from the header, before any pixel is decoded
    # (app/uploads.py): the area, each side, the proportions, and the memory
    # the decoded pixels would take (after JPEG's reduced decoding).
    MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 50_000_000)
    MAX_IMAGE_SIDE = env_int("MAX_IMAGE_SIDE", 12_000)
    MAX_IMAGE_ASPECT = env_int("MAX_IMAGE_ASPECT", 10)
    MAX_IMAGE_DECODED_BYTES = env_int("MAX_IMAGE_DECODED_BYTES", 48 * 1024 * 1024)

    # Rendered public pages kept per worker for anonymous readers; each kept
    # page is checked against the database's content version on every
    # request, so a change shows at once (see app/pagecache.py). 0 turns it off.
    PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 60)
    PAGE_CACHE_MAX_ENTRIES = env_int("PAGE_CACHE_MAX_ENTRIES", 2000)
    PAGE_CACHE_MAX_BYTES = env_int("PAGE_CACHE_MAX_BYTES", 64 * 1024 * 1024)
    # /results and /api/v1/stats recompute their aggregates at most this often
    # per worker, however often the content changes (0: on every change).
    RESULTS_MIN_SECONDS = env_int("RESULTS_MIN_SECONDS", 10)

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    STAFF_IDLE_TIMEOUT = timedelta(minutes=env_int("STAFF_IDLE_MINUTES", 60))
    STAFF_ABSOLUTE_TIMEOUT = timedelta(hours=env_int("STAFF_ABSOLUTE_HOURS", 12))
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # Two-factor sign-in (TOTP): required for these roles, offered to all staff.
    TWO_FACTOR_REQUIRED_ROLES: tuple[str, ...] = ("admin",)
    TOTP_ISSUER = os.environ.get("TOTP_ISSUER", "Odkrywka")
    RATELIMIT_TWO_FACTOR = os.environ.get("RATELIMIT_TWO_FACTOR", "5 per 5 minutes;20 per hour")
    # Wrong codes after a correct password before the account's owner is
    # told by mail (once per window).
    # Key material for 2FA secrets at rest (HKDF-derived); empty: SECRET_KEY.
    # Old values, comma-separated, still decrypt during a rotation.
    TOTP_ENCRYPTION_KEY = os.environ.get("TOTP_ENCRYPTION_KEY") or None
    TOTP_ENCRYPTION_OLD_KEYS = tuple(
        key.strip() for key in os.environ.get("TOTP_ENCRYPTION_OLD_KEYS", "").split(",") if key.strip()
    )
    TWO_FACTOR_ALERT_FAILURES = env_int("TWO_FACTOR_ALERT_FAILURES", 5)
    TWO_FACTOR_ALERT_WINDOW_MINUTES = env_int("TWO_FACTOR_ALERT_WINDOW_MINUTES", 60)
    # Re-authentication window before sensitive changes (password, 2FA, roles).
    STAFF_REAUTH_SECONDS = env_int("STAFF_REAUTH_SECONDS", 300)

    # Reverse proxy: how many proxies set X-Forwarded-* in front of us.
    PROXY_FIX_X_FOR = env_int("PROXY_FIX_X_FOR", 0)
    PROXY_FIX_X_PROTO = env_int("PROXY_FIX_X_PROTO", 0)
    PROXY_FIX_X_HOST = env_int("PROXY_FIX_X_HOST", 0)

    HSTS_ENABLED = env_bool("HSTS_ENABLED", False)

    # Retention (days)
    RETENTION_UNCONFIRMED_DAYS = env_int("RETENTION_UNCONFIRMED_DAYS", 7)
    RETENTION_PERSONAL_DATA_DAYS = env_int("RETENTION_PERSONAL_DATA_DAYS", 365)
    # Delivered (or abandoned) mail holds addresses: kept this long, then deleted.
    RETENTION_OUTBOX_DAYS = env_int("RETENTION_OUTBOX_DAYS", 30)

    # Privacy notice and accessibility statement (who is responsible, contacts).
    PRIVACY_CONTROLLER_NAME = os.environ.get("PRIVACY_CONTROLLER_NAME", "")
    PRIVACY_CONTROLLER_ADDRESS = os.environ.get(
        "PRIVACY_CONTROLLER_ADDRESS", "ul. Przykładowa 1, 00-000 Miejscowość"
    )
    PRIVACY_CONTROLLER_EMAIL = os.environ.get("PRIVACY_CONTROLLER_EMAIL", "kontakt@example.org")
    PRIVACY_DPO_EMAIL = os.environ.get("PRIVACY_DPO_EMAIL", "iod@example.org")
    ACCESSIBILITY_CONTACT_NAME = os.environ.get("ACCESSIBILITY_CONTACT_NAME", "Zespół konsultacji")
    ACCESSIBILITY_CONTACT_EMAIL = os.environ.get(
        "ACCESSIBILITY_CONTACT_EMAIL", "dostepnosc@example.org"
    )
    ACCESSIBILITY_CONTACT_PHONE = os.environ.get("ACCESSIBILITY_CONTACT_PHONE", "+48 00 000 00 00")
    ACCESSIBILITY_PUBLISHED_ON = os.environ.get("ACCESSIBILITY_PUBLISHED_ON", "2026-11-01")
    ACCESSIBILITY_UPDATED_ON = os.environ.get("ACCESSIBILITY_UPDATED_ON", "2026-11-25")
    ACCESSIBILITY_ARCHITECTURE = os.environ.get("ACCESSIBILITY_ARCHITECTURE", "")

    # Spam
    SUBMISSIONS_PER_ADDRESS_PER_HOUR = env_int("SUBMISSIONS_PER_ADDRESS_PER_HOUR", 5)
    # Confirmation and "already registered / supported" mails one address can
    # be sent in an hour, per feature (supports, workshop registrations).
    CONFIRMATION_MAILS_PER_ADDRESS_PER_HOUR = env_int("CONFIRMATION_MAILS_PER_ADDRESS_PER_HOUR", 3)

    # Bootstrap-Flask serves its CSS and JS from this app, never a CDN.
    BOOTSTRAP_SERVE_LOCAL = True

    # Consent text shown on forms; bump when the wording changes.
    CONSENT_VERSION = os.environ.get("CONSENT_VERSION", "2026-11-01")

    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")


class DevelopmentConfig(Config):
    pass


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    # The __Host- prefix: browsers accept the cookie only when Secure, with
    # Path=/ and no Domain, so no other (sub)domain or path can set it. Only
    # possible over HTTPS; plain-HTTP setups keep the plain name.
    SESSION_COOKIE_NAME = "__Host-session" if SESSION_COOKIE_SECURE else "session"
    SESSION_COOKIE_PATH = "/"
    SESSION_COOKIE_DOMAIN = None
    REMEMBER_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    HSTS_ENABLED = env_bool("HSTS_ENABLED", True)
    PREFERRED_URL_SCHEME = "https"


class TestConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", False)
    SECRET_KEY = "test-only-secret-key-not-for-production"  # noqa: S105  # nosec B105 - test config only
    MAIL_SERVER = None
    MAIL_DEFAULT_SENDER = "Odkrywka <no-reply@odkrywka.test>"
    BASE_URL = "http://odkrywka.test"
    SERVER_NAME = None
    # Other features' tests sign admins in with a password only; the 2FA
    # tests switch the requirement on with app_config.
    TWO_FACTOR_REQUIRED_ROLES: tuple[str, ...] = ()
    # Statistics are exact at once in tests; tests/test_results.py checks the
    # minimum age with it switched on.
    RESULTS_MIN_SECONDS = 0
    # Cheap argon2id for the suite's many sign-ins (production keeps OWASP's
    # parameters; tests/test_security_sessions.py checks them with this unset).
    PASSWORD_HASH_PARAMS = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestConfig,
}


def config_from_env() -> type[Config]:
    """The config class named by ODKRYWKA_ENV (development by default)."""
    name = os.environ.get("ODKRYWKA_ENV", "development").strip().lower()
    return CONFIGS.get(name, DevelopmentConfig)
