"""Following a consultation or an idea without an account.

A ``Follower`` is one e-mail address; it is confirmed once (double opt-in)
and then holds any number of ``FollowSubscription`` rows, one per followed
consultation or idea, each with its own cadence.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.idea import Idea
    from app.models.process import Process


class FollowCadence(enum.StrEnum):
    """How often a follower hears: one mail per event, or a weekly digest."""

    IMMEDIATE = "immediate"
    WEEKLY = "weekly"


class Follower(db.Model):
    """An address that follows something; confirmed once, by a mailed link."""

    __tablename__ = "followers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, nullable=False)
    locale: Mapped[str] = mapped_column(String(5), nullable=False, default="pl")
    # Random; the private links are keyed hashes of it (see follows.services),
    # so a new value kills every link given out before.
    link_salt: Mapped[str] = mapped_column(String(32), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    subscriptions: Mapped[list[FollowSubscription]] = relationship(
        back_populates="follower",
        order_by="FollowSubscription.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class FollowSubscription(db.Model):
    """One followed consultation or idea; active once ``confirmed_at`` is set."""

    __tablename__ = "follow_subscriptions"
    __table_args__ = (
        UniqueConstraint("follower_id", "target", name="uq_follow_subscriptions_follower_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    follower_id: Mapped[int] = mapped_column(
        ForeignKey("followers.id", ondelete="CASCADE"), nullable=False, index=True
    )
    # "process:<id>" or "idea:<id>": one row per follower and thing followed.
    target: Mapped[str] = mapped_column(String(40), nullable=False)
    process_id: Mapped[int | None] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), index=True
    )
    idea_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="CASCADE"), index=True
    )
    cadence: Mapped[str] = mapped_column(
        String(10), nullable=False, default=FollowCadence.IMMEDIATE
    )
    # Ideas only: also new comments.
    comments: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # SHA-256 of the confirmation link's token while it waits.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    consent_version: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    follower: Mapped[Follower] = relationship(back_populates="subscriptions")
    process: Mapped[Process | None] = relationship()
    idea: Mapped[Idea | None] = relationship()
