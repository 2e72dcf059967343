"""A confirmation step before a destructive staff action.

The button posts as usual; without ``confirm=y`` the view answers with a page
that says what will happen and posts the same fields again with it (no
JavaScript needed). ``static/js/confirm.js`` asks the same question in a
dialog on the page and adds the field itself, so one click and one answer do.
"""

from __future__ import annotations

from flask import render_template, request

CONFIRM_FIELD = "confirm"
# Fields never carried over to the confirmation form (a fresh token is put in).
_NOT_CARRIED = frozenset({"csrf_token", CONFIRM_FIELD})


def confirmed() -> bool:
    """True when the request already carries the person's confirmation."""
    return request.form.get(CONFIRM_FIELD) == "y"


def ask(question: str, consequence: str, button: str, back_url: str) -> tuple[str, int]:
    """The confirmation page for the current POST: *question* as its heading,
    *consequence* (what cannot be undone), the *button* that confirms and a
    way back to *back_url*."""
    fields = [
        (name, value)
        for name, values in request.form.lists()
        if name not in _NOT_CARRIED
        for value in values
    ]
    return (
        render_template(
            "staff/confirm.html",
            question=question,
            consequence=consequence,
            button=button,
            back_url=back_url,
            action=request.full_path.rstrip("?"),
            fields=fields,
        ),
        200,
    )
