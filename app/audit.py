"""Recording staff actions in the audit log (never commits)."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from app.extensions import db
from app.models.audit import AuditEntry


def record(
    action: str,
    obj: Any = None,
    *,
    actor: Any = None,
    from_state: str | None = None,
    to_state: str | None = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit row to the current transaction.

    *obj* is any model with an ``id``; its table name becomes the object type.
    """
    if actor is None:
        try:
            actor = current_user if current_user.is_authenticated else None
        except (AttributeError, RuntimeError):
            actor = None
    if obj is not None and getattr(obj, "id", None) is None:
        db.session.flush()
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=getattr(obj, "__tablename__", None) if obj is not None else None,
        object_id=getattr(obj, "id", None) if obj is not None else None,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data,
    )
    db.session.add(entry)
    return entry
