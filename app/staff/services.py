"""Administration rules: staff accounts, consultations, categories, the
mail outbox.

Functions change state and record the audit row; the view commits.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app import audit, mail
from app.auth.services import AccountError, create_user, deactivate_user, set_password
from app.errors import ServiceError
from app.extensions import db
from app.mail import RetryOutcome
from app.models import Category, OutboxMessage, Phase, Process, User
from app.text import single_line, slugify
from app.timeutil import local_to_utc

__all__ = ["AccountError", "AdminError", "create_user"]


class AdminError(ServiceError):
    """A rule was broken; ``field`` names the form field it belongs to."""

    status = 400


def add_user(actor: User, email: str, name: str, role: str, password: str) -> User:
    user = create_user(email, name, role, password)
    audit.record("user.created", user, actor=actor, to_state=role)
    return user


def update_user(actor: User, user: User, name: str, role: str) -> None:
    if user.id == actor.id and role != user.role:
        raise AdminError(_("Nie możesz zmienić własnej roli."), field="role")
    if user.role != role:
        audit.record("user.role_changed", user, actor=actor, from_state=user.role, to_state=role)
        user.role = role
        user.session_version += 1  # new rights take effect on a fresh sign-in
    name = single_line(name)
    if name and user.name != name:
        audit.record("user.renamed", user, actor=actor, data={"from": user.name, "to": name})
        user.name = name


def set_active(actor: User, user: User, active: bool) -> None:
    if user.id == actor.id:
        raise AdminError(_("Nie możesz wyłączyć własnego konta."))
    if user.active == active:
        return
    if active:
        user.active = True
        audit.record("user.activated", user, actor=actor, from_state="inactive", to_state="active")
    else:
        deactivate_user(user)
        audit.record(
            "user.deactivated", user, actor=actor, from_state="active", to_state="inactive"
        )


def reset_password(actor: User, user: User, password: str) -> None:
    set_password(user, password)
    audit.record("user.password_reset", user, actor=actor)


def _unique_slug(model: type, wanted: str, current_id: int | None) -> str:
    existing = db.session.scalar(select(model).where(model.slug == wanted))
    if existing is not None and existing.id != current_id:
        raise AdminError(_("Ten adres jest już zajęty."), field="slug")
    return wanted


def save_process(actor: User, process: Process | None, data: dict[str, Any]) -> Process:
    creating = process is None
    slug = data.get("slug") or slugify(data["title"])
    if not slug:
        raise AdminError(_("Podaj adres złożony z liter lub cyfr."), field="slug")
    opens_at = local_to_utc(data.get("opens_at"))
    closes_at = local_to_utc(data.get("closes_at"))
    if opens_at and closes_at and closes_at <= opens_at:
        raise AdminError(_("Koniec musi być później niż początek."), field="closes_at")
    slug = _unique_slug(Process, slug, process.id if process else None)
    if process is None:
        process = Process()
        db.session.add(process)
    process.slug = slug
    process.title = data["title"].strip()
    process.lead = (data.get("lead") or "").strip()
    process.description = data.get("description") or ""
    process.organiser = (data.get("organiser") or "").strip()
    process.title_en = (data.get("title_en") or "").strip()
    process.lead_en = (data.get("lead_en") or "").strip()
    process.description_en = data.get("description_en") or ""
    process.opens_at = opens_at
    process.closes_at = closes_at
    process.published = bool(data.get("published"))
    process.comment_moderation = "pre" if data.get("comment_moderation") == "pre" else "post"
    db.session.flush()
    audit.record("process.created" if creating else "process.updated", process, actor=actor)
    return process


PHASE_SWITCHES = ("accepts_ideas", "accepts_supports", "accepts_comments", "workshop_registration")


def save_phase(actor: User, process: Process, phase: Phase | None, data: dict[str, Any]) -> Phase:
    if data.get("ends_on") and data["ends_on"] < data["starts_on"]:
        raise AdminError(_("Koniec musi być później niż początek."), field="ends_on")
    if phase is None:
        phase = Phase(process=process)
        db.session.add(phase)
    phase.title = data["title"].strip()
    phase.description = (data.get("description") or "").strip()
    phase.starts_on = data["starts_on"]
    phase.ends_on = data.get("ends_on")
    phase.position = data.get("position") or 0
    switches = {}
    for name in PHASE_SWITCHES:
        value = bool(data.get(name))
        if getattr(phase, name, None) is not value:
            switches[name] = value
        setattr(phase, name, value)
    db.session.flush()
    audit.record(
        "process.phase_saved", process, actor=actor, data={"phase": phase.title, **switches}
    )
    return phase


def delete_phase(actor: User, phase: Phase) -> None:
    audit.record("process.phase_deleted", phase.process, actor=actor, data={"phase": phase.title})
    db.session.delete(phase)


def save_category(actor: User, category: Category | None, data: dict[str, Any]) -> Category:
    creating = category is None
    slug = data.get("slug") or slugify(data["name"])
    if not slug:
        raise AdminError(_("Podaj adres złożony z liter lub cyfr."), field="slug")
    slug = _unique_slug(Category, slug, category.id if category else None)
    if category is None:
        category = Category()
        db.session.add(category)
    category.slug = slug
    category.name = data["name"].strip()
    category.name_en = (data.get("name_en") or "").strip()
    category.description = (data.get("description") or "").strip()
    category.position = data.get("position") or 0
    category.active = bool(data.get("active"))
    db.session.flush()
    audit.record("category.created" if creating else "category.updated", category, actor=actor)
    return category


# --- the mail outbox ----------------------------------------------------


def retry_mail(actor: User, message: OutboxMessage | None = None) -> RetryOutcome:
    """Queue one failed or expired message again, or (no *message*) all of
    them; a dead confirmation link is re-issued. Audit-logged."""
    outcome = mail.retry(ids=[message.id] if message is not None else None)
    audit.record(
        "mail.retry",
        message,
        actor=actor,
        data={
            "scope": "one" if message is not None else "all",
            "requeued": outcome.requeued,
            "reissued": outcome.reissued,
            "dropped": outcome.dropped,
        },
    )
    return outcome
