"""Site-wide state kept in the database."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class ContentVersion(db.Model):
    """One row whose number goes up with every committed change to what the
    public pages show. Cached pages carry the number they were rendered at
    and are thrown away as soon as it moves (see ``app.pagecache``)."""

    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
