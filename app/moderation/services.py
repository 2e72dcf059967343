"""Moderation rules: decisions on ideas, merging duplicates, readers' reports,
reply templates and the daily digest.

Every function here changes state, records the idea's history and the audit
row, and queues mail to the author; none of them commits. The view (or the
CLI command) commits once, so a refused decision leaves nothing behind.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from sqlalchemy import func, select, update

from app import audit
from app.errors import ServiceError
from app.extensions import db
from app.follows import services as follows
from app.ideas import lifecycle
from app.ideas.tracking import tracking_url
from app.mail import InvalidRecipient, queue_mail
from app.models import (
    DigestDelivery,
    Idea,
    IdeaStatus,
    ReplyTemplate,
    Report,
    Support,
    User,
    utcnow,
)

logger = logging.getLogger("odkrywka.moderation")

S = IdeaStatus

# The decisions and the states each may be taken from: a view of the
# lifecycle's table (app.ideas.lifecycle.TRANSITIONS).
ACTIONS = lifecycle.DECISIONS
ALLOWED_FROM: dict[str, tuple[IdeaStatus, ...]] = {
    action: lifecycle.sources(action) for action in ACTIONS
}

# Decisions that may be taken on many ideas at once from the queue.
BULK_ACTIONS = ("publish", "reject")

# Template purposes: the decisions a reason is written for.
TEMPLATE_ACTIONS = ("reject", "request_changes", "merge", "hide")

MAX_REASON = 5000
TITLE_LIMITS = (5, 150)
DESCRIPTION_LIMITS = (30, 5000)
REPORT_LIMITS = (10, 1000)


class ModerationError(ServiceError):
    """A decision was refused; the message is for the moderator."""

    status = 400


class DecisionConflict(ModerationError):
    """The idea changed since the moderator saw it, or the lifecycle does
    not allow this step from where it is now."""

    status = 409


def allowed_actions(status: str) -> list[str]:
    """The decisions the lifecycle allows from *status*, in form order."""
    return lifecycle.actions_from(status)


# --- decisions -----------------------------------------------------------


def decide(
    idea: Idea,
    action: str,
    actor: User,
    reason: str | None,
    version: Any,
    merge_into: Any = None,
    public_title: str | None = None,
    public_description: str | None = None,
) -> Idea:
    """Take one moderation decision on *idea*.

    The state changes through a single conditional UPDATE that also checks
    the version the moderator saw, so of two moderators deciding at once
    exactly one succeeds; the other gets ``DecisionConflict`` and nothing
    (no history, no audit row, no mail) is written for them.
    """
    action = (action or "").strip()
    if action not in ACTIONS:
        raise ModerationError(
            _("Nieznana decyzja. Wybierz: opublikuj, odrzuć, poproś o zmiany, połącz lub ukryj."),
            field="action",
        )
    reason = (reason or "").strip()
    if action != "publish" and not reason:
        raise ModerationError(
            _("Podaj uzasadnienie decyzji – autor zobaczy je w wiadomości."), field="reason"
        )
    if len(reason) > MAX_REASON:
        raise ModerationError(
            _("Uzasadnienie może mieć najwyżej %(n)d znaków.", n=MAX_REASON), field="reason"
        )
    shown = _parse_version(version)

    # Friendly refusals first; the lifecycle's conditional UPDATE below is
    # the real guard.
    _refuse(idea, action, lifecycle.refusal(idea, action, actor, shown))
    target = _merge_target(idea, merge_into) if action == "merge" else None
    edits = _public_edits(idea, public_title, public_description) if action == "publish" else {}

    step = lifecycle.move(idea, action, actor, version=shown, message=reason or None)
    _refuse(idea, action, step.refused)
    assert step.event is not None and step.transition is not None  # nosec B101
    from_status, to_status = step.from_status, step.transition.to_status
    kind = step.transition.event

    data: dict[str, Any] = {}
    if action == "publish":
        if idea.published_at is None:
            idea.published_at = utcnow()
        if from_status == S.HIDDEN:
            data["republished"] = True
        if edits:
            for name, change in edits.items():
                setattr(idea, name, change["new"])
            data["edits"] = edits
    elif action == "merge":
        assert target is not None
        data.update(_merge(idea, target, actor))
    if action in ("hide", "merge"):
        resolved = _resolve_open_reports(idea, actor, kind)
        if resolved:
            data["reports_resolved"] = resolved
    step.event.data = data or None
    audit.record(
        f"idea.{action}",
        idea,
        actor=actor,
        from_state=from_status,
        to_state=to_status.value,
        reason=reason or None,
        data=data or None,
    )
    _notify_author(idea, action, reason, target, republished=from_status == S.HIDDEN)
    db.session.flush()
    if from_status == S.PUBLISHED or action == "publish":
        follows.idea_decided(idea, action, step.event.id, target)
    return idea


def _parse_version(version: Any) -> int:
    try:
        return int(str(version).strip())
    except (TypeError, ValueError):
        raise ModerationError(
            _("Brakuje wersji pomysłu. Odśwież stronę i podejmij decyzję ponownie."),
            field="version",
        ) from None


def _refuse(idea: Idea, action: str, why: str | None) -> None:
    """Turn the lifecycle's refusal into the moderator's message."""
    if why == lifecycle.STALE:
        raise _stale(idea)
    if why is not None:
        raise _not_allowed(idea, action)


def _stale(idea: Idea) -> DecisionConflict:
    return DecisionConflict(
        _(
            "Ten pomysł zmienił się, odkąd otwarto tę stronę (teraz: %(status)s). "
            "Nic nie zostało zapisane – sprawdź aktualny stan i zdecyduj ponownie.",
            status=lifecycle.staff_status_label(idea.status),
        )
    )


def _not_allowed(idea: Idea, action: str) -> DecisionConflict:
    return DecisionConflict(
        _(
            "Decyzji „%(action)s” nie można podjąć dla pomysłu w stanie „%(status)s”.",
            action=lifecycle.action_label(action),
            status=lifecycle.staff_status_label(idea.status),
        ),
        field="action",
    )


def _public_edits(idea: Idea, title: str | None, description: str | None) -> dict[str, Any]:
    """The title and text changes made for publication, checked like the form."""
    edits: dict[str, Any] = {}
    if title is not None and title.strip() and title.strip() != idea.title:
        title = title.strip()
        low, high = TITLE_LIMITS
        if not low <= len(title) <= high:
            raise ModerationError(
                _("Tytuł musi mieć od %(low)d do %(high)d znaków.", low=low, high=high),
                field="public_title",
            )
        edits["title"] = {"old": idea.title, "new": title}
    if (
        description is not None
        and description.strip()
        and description.strip() != idea.description.strip()
    ):
        description = description.strip()
        low, high = DESCRIPTION_LIMITS
        if not low <= len(description) <= high:
            raise ModerationError(
                _("Opis musi mieć od %(low)d do %(high)d znaków.", low=low, high=high),
                field="public_description",
            )
        edits["description"] = {"old": idea.description, "new": description}
    return edits


# --- merging -------------------------------------------------------------


def _merge_target(idea: Idea, merge_into: Any) -> Idea:
    raw = str(merge_into if merge_into is not None else "").strip().lstrip("#")
    if not raw:
        raise ModerationError(
            _("Podaj numer opublikowanego pomysłu, z którym ten ma zostać połączony."),
            field="merge_into",
        )
    try:
        target_id = int(raw)
    except ValueError:
        raise ModerationError(_("Numer pomysłu musi być liczbą."), field="merge_into") from None
    if target_id == idea.id:
        raise ModerationError(_("Nie można połączyć pomysłu z nim samym."), field="merge_into")
    target = db.session.get(Idea, target_id)
    if target is None:
        raise ModerationError(
            _("Nie ma pomysłu o numerze %(id)s.", id=target_id), field="merge_into"
        )
    if target.status != S.PUBLISHED:
        raise ModerationError(
            _(
                "Pomysł nr %(id)s nie jest opublikowany (%(status)s). "
                "Łączyć można tylko z opublikowanym pomysłem.",
                id=target_id,
                status=lifecycle.staff_status_label(target.status),
            ),
            field="merge_into",
        )
    return target


def _merge(source: Idea, target: Idea, actor: User) -> dict[str, Any]:
    """Move the supports of *source* to *target*, each supporter counted
    once, and recount the target's confirmed supports."""
    target_supports = {
        support.email.strip().lower(): support
        for support in db.session.scalars(select(Support).where(Support.idea_id == target.id))
    }
    moved = duplicates = 0
    for support in db.session.scalars(
        select(Support).where(Support.idea_id == source.id).order_by(Support.id)
    ).all():
        key = support.email.strip().lower()
        kept = target_supports.get(key)
        if kept is None:
            support.idea_id = target.id
            target_supports[key] = support
            moved += 1
            continue
        # The same person supported both: keep one support, confirmed if
        # either was, and let them hear about progress if they asked to.
        if support.confirmed_at is not None and kept.confirmed_at is None:
            kept.confirmed_at = support.confirmed_at
            kept.token_hash = None
        kept.notify = kept.notify or support.notify
        db.session.delete(support)
        duplicates += 1
    db.session.flush()

    confirmed = (
        select(func.count())
        .select_from(Support)
        .where(Support.idea_id == target.id, Support.confirmed_at.is_not(None))
        .scalar_subquery()
    )
    result = db.session.execute(
        update(Idea)
        .where(Idea.id == target.id, Idea.status == S.PUBLISHED)
        .values(supports_count=confirmed)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise ModerationError(
            _("Pomysł nr %(id)s przestał być opublikowany. Wybierz inny.", id=target.id),
            field="merge_into",
        )
    db.session.refresh(target)
    source.merged_into_id = target.id
    source.supports_count = 0
    lifecycle.record(
        target,
        "merged_from",
        actor=actor,
        data={"idea_id": source.id, "supports_moved": moved, "supports_merged": duplicates},
    )
    return {"merged_into": target.id, "supports_moved": moved, "supports_merged": duplicates}


# --- readers' reports ----------------------------------------------------


def report_idea(idea: Idea, reason: str, reporter_hash: str | None) -> Report | None:
    """Record a reader's flag on a published idea.

    Returns None when the same reader already has an open report on it
    (they are thanked all the same, but the queue does not fill with copies).
    """
    if idea.status != S.PUBLISHED:
        raise ModerationError(_("Można zgłaszać tylko opublikowane pomysły."))
    reason = (reason or "").strip()
    low, high = REPORT_LIMITS
    if not low <= len(reason) <= high:
        raise ModerationError(
            _("Opis zgłoszenia musi mieć od %(low)d do %(high)d znaków.", low=low, high=high),
            field="reason",
        )
    if reporter_hash:
        already = db.session.scalar(
            select(Report.id).where(
                Report.idea_id == idea.id,
                Report.reporter_hash == reporter_hash,
                Report.resolved_at.is_(None),
            )
        )
        if already is not None:
            return None
    report = Report(idea_id=idea.id, reason=reason, reporter_hash=reporter_hash)
    db.session.add(report)
    db.session.flush()
    return report


def _resolve_open_reports(idea: Idea, actor: User, resolution: str) -> int:
    result = db.session.execute(
        update(Report)
        .where(Report.idea_id == idea.id, Report.resolved_at.is_(None))
        .values(resolved_at=utcnow(), resolved_by_id=actor.id, resolution=resolution)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def dismiss_reports(idea: Idea, actor: User, note: str | None = None) -> int:
    """Close the open reports on *idea* as unfounded; the idea stays as it is."""
    count = _resolve_open_reports(idea, actor, "dismissed")
    if not count:
        raise DecisionConflict(_("Ten pomysł nie ma już otwartych zgłoszeń."))
    note = (note or "").strip() or None
    audit.record(
        "idea.reports_dismissed",
        idea,
        actor=actor,
        from_state=idea.status,
        to_state=idea.status,
        reason=note,
        data={"reports": count},
    )
    return count


# --- bulk decisions ------------------------------------------------------


@dataclass
class BulkOutcome:
    decided: list[Idea] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def bulk_decide(
    selection: list[tuple[int, Any]], action: str, actor: User, reason: str | None
) -> BulkOutcome:
    """Publish or reject each selected ``(idea id, version shown)``.

    Each idea passes its own version and lifecycle check; the ones refused
    are reported back and left untouched, the others are decided together
    in the caller's single commit.
    """
    if action not in BULK_ACTIONS:
        raise ModerationError(
            _("Zaznaczone pomysły można tylko opublikować lub odrzucić."), field="action"
        )
    reason = (reason or "").strip()
    if action != "publish" and not reason:
        raise ModerationError(
            _("Podaj uzasadnienie decyzji – autor zobaczy je w wiadomości."), field="reason"
        )
    if not selection:
        raise ModerationError(_("Zaznacz co najmniej jeden pomysł."), field="selected")
    outcome = BulkOutcome()
    seen: set[int] = set()
    for idea_id, version in selection:
        if idea_id in seen:
            continue
        seen.add(idea_id)
        idea = db.session.get(Idea, idea_id)
        if idea is None:
            outcome.refused.append((idea_id, _("Nie ma takiego pomysłu.")))
            continue
        try:
            decide(idea, action, actor, reason, version)
        except ModerationError as error:
            outcome.refused.append((idea_id, str(error)))
        else:
            outcome.decided.append(idea)
    return outcome


# --- reply templates -----------------------------------------------------


def save_template(
    actor: User,
    template: ReplyTemplate | None,
    title: str,
    body: str,
    action: str | None,
    active: bool = True,
) -> ReplyTemplate:
    title, body = (title or "").strip(), (body or "").strip()
    if not title:
        raise ModerationError(_("Podaj nazwę szablonu."), field="title")
    if not body:
        raise ModerationError(_("Wpisz treść szablonu."), field="body")
    if len(body) > MAX_REASON:
        raise ModerationError(
            _("Treść może mieć najwyżej %(n)d znaków.", n=MAX_REASON), field="body"
        )
    action = action or None
    if action is not None and action not in TEMPLATE_ACTIONS:
        raise ModerationError(_("Wybierz, do jakiej decyzji pasuje szablon."), field="action")
    creating = template is None
    if template is None:
        template = ReplyTemplate(created_by_id=actor.id)
        db.session.add(template)
    before = {"title": template.title, "body": template.body, "action": template.action}
    template.title, template.body, template.action = title, body, action
    template.active = active
    db.session.flush()
    if creating:
        audit.record("reply_template.created", template, actor=actor, data={"title": title})
    else:
        changed = {
            key: {"old": before[key], "new": getattr(template, key)}
            for key in before
            if before[key] != getattr(template, key)
        }
        audit.record("reply_template.updated", template, actor=actor, data=changed or None)
    return template


def delete_template(actor: User, template: ReplyTemplate) -> None:
    audit.record(
        "reply_template.deleted",
        template,
        actor=actor,
        data={"title": template.title, "body": template.body},
    )
    db.session.delete(template)
    db.session.flush()


def templates_for_form() -> list[ReplyTemplate]:
    return list(
        db.session.scalars(
            select(ReplyTemplate)
            .where(ReplyTemplate.active.is_(True))
            .order_by(ReplyTemplate.action.is_(None), ReplyTemplate.action, ReplyTemplate.title)
        )
    )


def reason_from_template(reason: str | None, template_id: Any) -> str | None:
    """Without JavaScript the chosen template cannot fill the text box, so an
    empty reason takes the chosen template's text."""
    if (reason or "").strip() or template_id in (None, ""):
        return reason
    try:
        template = db.session.get(ReplyTemplate, int(template_id))
    except (TypeError, ValueError):
        return reason
    if template is None or not template.active:
        return reason
    return template.body


# --- mail ----------------------------------------------------------------


def _notify_author(
    idea: Idea, action: str, reason: str, target: Idea | None, republished: bool
) -> None:
    if not idea.email:
        return
    from app.web import external_url

    subjects = {
        "publish": _l("Twój pomysł jest znowu widoczny")
        if republished
        else _l("Twój pomysł został opublikowany"),
        "reject": _l("Twój pomysł nie został opublikowany"),
        "request_changes": _l("Prosimy o poprawki w Twoim pomyśle"),
        "merge": _l("Twój pomysł połączyliśmy z podobnym"),
        "hide": _l("Twój pomysł został ukryty"),
    }
    context: dict[str, Any] = {
        "idea": idea,
        "reason": reason,
        "republished": republished,
        "idea_url": None,
        "target": target,
        "target_url": None,
        "catalogue_url": None,
        "track_url": tracking_url(idea),
    }
    try:
        if action == "publish":
            context["idea_url"] = external_url("catalogue.detail", idea_id=idea.id, slug=idea.slug)
        if target is not None:
            context["target_url"] = external_url(
                "catalogue.detail", idea_id=target.id, slug=target.slug
            )
        context["catalogue_url"] = external_url("catalogue.index")
    except Exception:  # noqa: BLE001 - a missing page must not block a decision
        logger.exception("Could not build a link for the decision mail")
    try:
        queue_mail(
            idea.email,
            f"moderation_{lifecycle.event_kind(action)}",
            subjects[action],
            locale=idea.locale or "pl",
            **context,
        )
    except InvalidRecipient:
        logger.warning("Idea %s has an address mail cannot be sent to", idea.id)


# --- daily digest --------------------------------------------------------


def digest_recipients() -> list[User]:
    from app.security.permissions import PERMISSIONS

    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_(sorted(PERMISSIONS["moderate"])))
            .order_by(User.id)
        )
    )


def digest_already_sent(user: User, day: date) -> bool:
    return (
        db.session.scalar(
            select(DigestDelivery.id).where(
                DigestDelivery.user_id == user.id, DigestDelivery.day == day
            )
        )
        is not None
    )


def queue_digest(user: User, day: date, counts: dict[str, int], oldest: Any = None) -> None:
    """Record today's digest for *user* and queue it (the unique key on
    (user, day) refuses a second one at flush time)."""
    from app.web import external_url

    total = sum(counts.values())
    db.session.add(DigestDelivery(user_id=user.id, day=day, waiting=total))
    db.session.flush()
    queue_mail(
        user.email,
        "moderation_digest",
        _ln("Moderacja: czeka %(num)s sprawa", "Moderacja: czeka %(num)s spraw", total),
        locale="pl",
        user=user,
        counts=counts,
        total=total,
        oldest=oldest,
        queue_url=external_url("moderation.queue"),
        reported_url=external_url("moderation.queue", tab="reported"),
        revised_url=external_url("moderation.queue", tab="revised"),
    )
