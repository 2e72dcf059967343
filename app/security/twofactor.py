"""Two-factor sign-in with TOTP (an authenticator app) and recovery codes.

The secret is stored on the user as soon as set-up starts, but counts only
once the person has typed a valid code from their app (``totp_enabled``).
Each accepted code's time step is remembered, so a code seen over someone's
shoulder cannot be used again. Recovery codes are random, shown once, stored
as argon2id hashes and each works once.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import pyotp
import segno
from flask import current_app, session
from markupsafe import Markup
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db
from app.models.base import utcnow
from app.models.security import RecoveryCode
from app.models.user import User, active_hasher

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
PENDING_KEY = "staff_2fa_pending"
PENDING_SECONDS = 300  # the code must follow the password within 5 minutes


# --- TOTP ----------------------------------------------------------------


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    issuer = current_app.config.get("TOTP_ISSUER", "Odkrywka")
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_svg(uri: str, label: str) -> Markup:
    """The QR code as inline SVG, made here: no request to anyone else."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, border=4, svgclass="qr-code", lineclass=None, title=label
    )
    # The SVG's own <title> names it; role="img" lets assistive technology use it.
    # segno escapes the title; the rest is path data we generated.
    return Markup(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))  # noqa: S704  # nosec B704


def format_secret(secret: str) -> str:
    """``JBSWY3DPEHPK3PXP`` → ``JBSW Y3DP EHPK 3PXP`` for typing by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _clean_code(code: str | None) -> str:
    return "".join(ch for ch in (code or "") if not ch.isspace() and ch != "-").lower()


def verify_totp(user: User, code: str | None, secret: str | None = None) -> bool:
    """True if *code* is the current (or adjacent) code and was not used before."""
    secret = secret or user.totp_secret
    code = _clean_code(code)
    if not secret or len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(secret)
    now = time.time()
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue
        if secrets.compare_digest(code, totp.generate_otp(step)):
            return _claim_step(user, step)
    return False


def _claim_step(user: User, step: int) -> bool:
    """Record *step* as used, unless a concurrent request got there first."""
    if user.id is None:
        user.totp_last_step = step
        return True
    result = db.session.execute(
        update(User)
        .where(User.id == user.id)
        .where(or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    set_committed_value(user, "totp_last_step", step)
    return True


# --- recovery codes -----------------------------------------------------


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def make_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; returns the new ones (show them once)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    hasher = active_hasher()[0]
    for code in codes:
        db.session.add(
            RecoveryCode(user_id=user.id, code_hash=hasher.hash(_clean_code(code)))
        )
    db.session.flush()
    return codes


def unused_recovery_codes(user: User) -> int:
    rows = db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all()
    return len(rows)


def use_recovery_code(user: User, code: str | None) -> bool:
    """Spend one recovery code; True if it was valid and unused."""
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    cleaned = _clean_code(code)
    if len(cleaned) != 12:
        return False
    rows = db.session.scalars(
        select(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .with_for_update()
    ).all()
    hasher = active_hasher()[0]
    for row in rows:
        try:
            hasher.verify(row.code_hash, cleaned)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            continue
        row.used_at = utcnow()
        return True
    return False


def verify_second_factor(user: User, code: str | None) -> str | None:
    """``"totp"`` or ``"recovery"`` when *code* is accepted, else None."""
    if verify_totp(user, code):
        return "totp"
    if use_recovery_code(user, code):
        return "recovery"
    return None


# --- turning it on and off ----------------------------------------------


def start_setup(user: User) -> str:
    """Give the user a new, not yet active secret."""
    user.totp_secret = new_secret()
    user.totp_enabled = False
    user.totp_last_step = None
    return user.totp_secret


def confirm_setup(user: User, code: str | None) -> list[str] | None:
    """Turn 2FA on if *code* matches the pending secret; returns recovery codes."""
    if not user.totp_secret or user.totp_enabled:
        return None
    if not verify_totp(user, code):
        return None
    user.totp_enabled = True
    return make_recovery_codes(user)


def disable(user: User) -> None:
    user.totp_enabled = False
    user.totp_secret = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def is_required_for(user: Any) -> bool:
    return getattr(user, "role", None) in current_app.config.get("TWO_FACTOR_REQUIRED_ROLES", ())


# --- the sign-in step between password and session ----------------------


def begin_pending_sign_in(user: User, remember: bool, next_url: str | None) -> None:
    """Remember, in a fresh session, who passed the password step."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session[PENDING_KEY] = {
        "uid": user.id,
        "v": user.session_version,
        "at": int(time.time()),
        "remember": bool(remember),
        "next": next_url or "",
    }


def pending_sign_in() -> dict[str, Any] | None:
    data = session.get(PENDING_KEY)
    if not isinstance(data, dict) or not isinstance(data.get("at"), int):
        return None
    if time.time() - data["at"] > PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        return None
    return data


def pending_user() -> User | None:
    data = pending_sign_in()
    if data is None:
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.active or user.session_version != data.get("v"):
        return None
    if not user.totp_enabled:
        return None
    return user


def pending_limit_key() -> str:
    """Rate-limit key for the code step: the account being signed in to *and*
    the client trying, so whoever has only the password cannot lock the
    account's owner out by failing on purpose (the owner is told by mail)."""
    from app.clients import client_key

    data = session.get(PENDING_KEY)
    if isinstance(data, dict) and data.get("uid"):
        return f"2fa-user:{data['uid']}:{client_key()}"
    return f"2fa-client:{client_key()}"
