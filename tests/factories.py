"""Build test objects in one call: ``make.idea(status="published")``.

Each method commits in its own app context and returns the object detached
but loaded, so tests can read its attributes (``.id``, ``.slug``...).
Methods accept any model field as a keyword to override the defaults.
"""

from __future__ import annotations

import itertools
import socket
from datetime import timedelta
from typing import Any

from app.extensions import db
from app.ideas.tracking import issue_tracking_token
from app.models import (
    Category,
    Idea,
    IdeaSource,
    IdeaStatus,
    Phase,
    Process,
    User,
    Workshop,
    WorkshopGroup,
    utcnow,
)
from app.security.tokens import new_token
from app.text import normalise_for_search

_counter = itertools.count(1)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on at the moment."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# Hashing a password with the production Argon2 parameters takes tens of
# milliseconds; accounts with the default password share one real hash (per
# set of hash parameters: the test configuration's are cheap).
_password_hashes: dict[str, str] = {}


class Factory:
    PASSWORD = "correct horse battery staple"  # noqa: S105 - test-only

    def __init__(self, app) -> None:  # noqa: ANN001
        self.app = app

    def _save(self, obj: Any) -> Any:
        with self.app.app_context():
            db.session.add(obj)
            db.session.commit()
            db.session.refresh(obj)
            db.session.expunge(obj)
        return obj

    def n(self) -> int:
        return next(_counter)

    def user(self, role: str = "admin", **kwargs: Any) -> User:
        n = self.n()
        password = kwargs.pop("password", self.PASSWORD)
        fields = {"email": f"staff{n}@example.org", "name": f"Staff {n}", "role": role}
        fields.update(kwargs)
        user = User(**fields)
        key = repr((password, self.app.config.get("PASSWORD_HASH_PARAMS")))
        if key in _password_hashes:
            user.password_hash = _password_hashes[key]
        else:
            with self.app.app_context():  # the app's own hash parameters
                user.set_password(password)
            if password == self.PASSWORD:
                _password_hashes[key] = user.password_hash
        return self._save(user)

    def process(self, **kwargs: Any) -> Process:
        n = self.n()
        now = utcnow()
        fields = {
            "slug": f"konsultacje-{n}",
            "title": f"Konsultacje {n}",
            "lead": "Wstęp",
            "description": "Opis **konsultacji**.",
            "opens_at": now - timedelta(days=10),
            "closes_at": now + timedelta(days=20),
            "published": True,
        }
        fields.update(kwargs)
        return self._save(Process(**fields))

    def phase(self, process_id: int, **kwargs: Any) -> Phase:
        today = utcnow().date()
        fields = {
            "process_id": process_id,
            "title": f"Etap {self.n()}",
            "starts_on": today - timedelta(days=1),
            "ends_on": today + timedelta(days=1),
        }
        fields.update(kwargs)
        return self._save(Phase(**fields))

    def category(self, **kwargs: Any) -> Category:
        n = self.n()
        fields = {"slug": f"kategoria-{n}", "name": f"Kategoria {n}"}
        fields.update(kwargs)
        return self._save(Category(**fields))

    def idea(self, status: str = IdeaStatus.PUBLISHED, **kwargs: Any) -> Idea:
        """An idea; creates a process and category unless given their ids.

        The raw tracking and confirmation tokens are set as ``idea.track_token``
        and ``idea.confirm_token`` on the returned object.
        """
        n = self.n()
        now = utcnow()
        if "process_id" not in kwargs:
            kwargs["process_id"] = self.process().id
        if "category_id" not in kwargs:
            kwargs["category_id"] = self.category().id
        # The tracking link is derived as the application derives it, so
        # mails about the idea carry the same link.
        with self.app.app_context():
            holder = Idea()
            track_token = issue_tracking_token(holder)
        track_hash, track_nonce = holder.track_token_hash, holder.track_token_nonce
        confirm_token, confirm_hash = new_token()
        fields = {
            "title": f"Pomysł numer {n}",
            "description": f"Opis pomysłu numer {n}, wystarczająco długi, by przejść walidację.",
            "source": IdeaSource.FORM,
            "author_name": f"Autor {n}",
            "email": f"autor{n}@example.org",
            "status": status,
            "submitted_at": now - timedelta(hours=2),
            "track_token_hash": track_hash,
            "track_token_nonce": track_nonce,
            "confirm_token_hash": confirm_hash,
            "consent_version": "test",
            "consented_at": now - timedelta(hours=2),
        }
        if status != IdeaStatus.UNCONFIRMED:
            fields["confirmed_at"] = now - timedelta(hours=1)
        if status == IdeaStatus.PUBLISHED:
            fields["published_at"] = now - timedelta(minutes=n % 50)
        fields.update(kwargs)
        idea = Idea(**fields)
        idea.search_text = normalise_for_search(idea.title, idea.description)
        idea = self._save(idea)
        idea.track_token = track_token  # type: ignore[attr-defined]
        idea.confirm_token = confirm_token  # type: ignore[attr-defined]
        return idea

    def workshop(self, **kwargs: Any) -> Workshop:
        n = self.n()
        now = utcnow()
        if "process_id" not in kwargs:
            kwargs["process_id"] = self.process().id
        fields = {
            "slug": f"warsztat-{n}",
            "title": f"Warsztat {n}",
            "kind": "workshop",
            "starts_at": now + timedelta(days=7),
            "ends_at": now + timedelta(days=7, hours=3),
            "venue": "Sala konferencyjna",
            "capacity": 10,
        }
        fields.update(kwargs)
        return self._save(Workshop(**fields))

    def workshop_group(self, workshop_id: int, **kwargs: Any) -> WorkshopGroup:
        fields = {"workshop_id": workshop_id, "name": f"Grupa {self.n()}"}
        fields.update(kwargs)
        return self._save(WorkshopGroup(**fields))

    def get(self, model: type, ident: Any) -> Any:
        """Load a fresh copy of a row (detached), for assertions."""
        with self.app.app_context():
            obj = db.session.get(model, ident)
            if obj is not None:
                db.session.expunge(obj)
            return obj

    def count(self, model: type, **filters: Any) -> int:
        from sqlalchemy import func, select

        with self.app.app_context():
            query = select(func.count()).select_from(model).filter_by(**filters)
            return db.session.scalar(query)

    def audit_actions(self, **filters: Any) -> list[str]:
        """The actions of the audit log rows matching *filters*, oldest first."""
        from sqlalchemy import select

        from app.models import AuditEntry

        with self.app.app_context():
            query = select(AuditEntry.action).filter_by(**filters).order_by(AuditEntry.id)
            return list(db.session.scalars(query))
