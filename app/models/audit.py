"""The audit log: an append-only record of what staff did."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.user import User


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # e.g. "idea.publish", "user.role_changed", "auth.login"
    action: Mapped[str] = mapped_column(String(60), nullable=False, index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    from_state: Mapped[str | None] = mapped_column(String(40))
    to_state: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship()


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_change(mapper, connection, target) -> None:  # noqa: ANN001
    raise AuditLogIsAppendOnly("audit entries are never changed or deleted")
