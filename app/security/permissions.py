"""Who may do what: the one table every staff route is checked against."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from app.models.user import Role
from app.security.twofactor import is_required_for

ADMIN, MODERATOR, EDITOR = Role.ADMIN.value, Role.MODERATOR.value, Role.EDITOR.value

# permission -> roles that hold it
PERMISSIONS: dict[str, frozenset[str]] = {
    "dashboard": frozenset({ADMIN, MODERATOR, EDITOR}),
    "moderate": frozenset({ADMIN, MODERATOR}),
    "answer_ideas": frozenset({ADMIN, MODERATOR, EDITOR}),
    "moderate_comments": frozenset({ADMIN, MODERATOR}),
    "reply_to_comments": frozenset({ADMIN, MODERATOR, EDITOR}),
    "manage_workshops": frozenset({ADMIN, MODERATOR}),
    "manage_articles": frozenset({ADMIN, EDITOR}),
    # Keeping a version of a consultation's report for a meeting.
    "freeze_reports": frozenset({ADMIN, EDITOR}),
    # Development directions and their funding applications.
    "read_directions": frozenset({ADMIN, MODERATOR, EDITOR}),
    "manage_directions": frozenset({ADMIN, EDITOR}),
    "manage_videos": frozenset({ADMIN, EDITOR}),
    "send_newsletters": frozenset({ADMIN, EDITOR}),
    "manage_users": frozenset({ADMIN}),
    "manage_processes": frozenset({ADMIN}),
    "manage_categories": frozenset({ADMIN}),
    "read_audit": frozenset({ADMIN}),
    # The outbox: every message, its errors, sending it again.
    "manage_mail": frozenset({ADMIN}),
    "own_account": frozenset({ADMIN, MODERATOR, EDITOR}),
    "handle_privacy_requests": frozenset({ADMIN, MODERATOR}),
    # Content the public cannot see yet: an unpublished idea's attachment
    # (those who moderate ideas), a draft or scheduled article (those who
    # write articles).
    "see_unpublished_ideas": frozenset({ADMIN, MODERATOR}),
    "preview_articles": frozenset({ADMIN, EDITOR}),
}

F = TypeVar("F", bound=Callable[..., Any])


def can(permission: str, user: Any = None) -> bool:
    """Whether *user* (by default the visitor) holds *permission*.

    A visitor whose role requires two-factor sign-in and who has not set it
    up yet holds nothing: outside /staff (which sends them to the set-up
    page) they see only what the public sees.
    """
    visitor = user is None
    user = current_user if visitor else user
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role not in PERMISSIONS[permission]:
        return False
    return not (visitor and not user.totp_enabled and is_required_for(user))


def permission_required(permission: str) -> Callable[[F], F]:
    """Anonymous → sign-in page (via Flask-Login); wrong role → 403.

    The permission is recorded on the view, so tests can derive the whole
    role matrix from the URL map.
    """
    if permission not in PERMISSIONS:
        raise KeyError(permission)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from app.extensions import login_manager

                return login_manager.unauthorized()
            if current_user.role not in PERMISSIONS[permission]:
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission = permission  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator
