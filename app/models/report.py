"""Frozen versions of a consultation's report: kept as they were shown."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from app.models.process import Process
    from app.models.user import User


class FrozenReport(db.Model):
    """One frozen version of a consultation's report, numbered per
    consultation: the HTML document and the PDF exactly as made, each with
    the SHA-256 of its bytes. Never changed once written.

    ``process_slug`` is the consultation's address when it was frozen, so
    the version's address keeps working if the consultation is renamed."""

    __tablename__ = "frozen_reports"
    __table_args__ = (UniqueConstraint("process_id", "number", name="uq_frozen_reports_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), nullable=False, index=True
    )
    process_slug: Mapped[str] = mapped_column(String(120), nullable=False, index=True)
    number: Mapped[int] = mapped_column(Integer, nullable=False)
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # What the version is for, e.g. "Spotkanie podsumowujące 15 grudnia".
    note: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    locale: Mapped[str] = mapped_column(String(5), nullable=False, default="pl")
    html: Mapped[str] = mapped_column(Text, nullable=False)
    html_sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    pdf_sha256: Mapped[str] = mapped_column(String(64), nullable=False)

    process: Mapped[Process] = relationship()
    frozen_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<FrozenReport {self.process_slug} #{self.number}>"
