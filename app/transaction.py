"""One way for a view to commit a request's change, or to refuse it.

A view validates its form, then runs the service inside ``committing``::

    with committing(form) as done:
        services.update_profile(current_user, form.name.data)
    if done:
        flash(_("Zapisano dane konta."), "success")
        return redirect(url_for("account.settings"))
    return render_template(..., form=form), done.status

On success the transaction is committed once (mail queued in it is
delivered after the response, see ``app.mail``). A ``ServiceError`` rolls
everything back and becomes an error on the form field it names (or a
flashed message), so the page can be shown again with what the person
typed and the error's status. Any other exception rolls back and goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import flash

from app.errors import ServiceError
from app.extensions import db


class Outcome:
    """What ``committing`` did: true when committed; ``error`` otherwise."""

    def __init__(self) -> None:
        self.committed = False
        self.error: ServiceError | None = None

    def __bool__(self) -> bool:
        return self.committed

    @property
    def status(self) -> int:
        """The refusal's HTTP status (200 when nothing was refused)."""
        return self.error.status if self.error is not None else 200

    @property
    def message(self) -> str:
        return str(self.error) if self.error is not None else ""


def attach_error(
    form: Any, error: ServiceError, category: str = "error", field: str | None = None
) -> None:
    """Put *error* on the form field it names (or on *field* when it names
    none); flash it when the form has no such field to show it on."""
    name = error.field or field
    if form is not None and name and name in form and name != "csrf_token":
        form[name].errors = [*form[name].errors, str(error)]
    else:
        flash(str(error), category)


@contextmanager
def committing(
    form: Any = None, *, field: str | None = None, show: bool = True, category: str = "error"
) -> Iterator[Outcome]:
    """Run the block as one transaction: commit when it ends, roll back when
    it raises. A ``ServiceError`` is kept on the yielded ``Outcome`` and shown
    on *form* — on its own field, else on *field* — or flashed in *category*;
    with ``show=False`` the view
    shows it itself. Any other exception is re-raised after the rollback."""
    outcome = Outcome()
    try:
        yield outcome
    except ServiceError as error:
        db.session.rollback()
        outcome.error = error
        if show:
            attach_error(form, error, category, field)
        return
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    outcome.committed = True


def counted_apart(write: Callable[[], bool]) -> bool:
    """Run a counter's *write* (a reading, a play) in a transaction of its
    own and commit it only when it counted; returns whether it did.

    The transaction is fresh so that SQLite takes the write lock first (and
    waits for it) instead of upgrading the page's read transaction."""
    db.session.commit()
    if write():
        db.session.commit()
        return True
    db.session.rollback()
    return False
