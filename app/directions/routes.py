"""Public pages of development directions, and the link that stops mail about them."""

from __future__ import annotations

from flask import abort, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.directions import bp, lifecycle, mail, services
from app.extensions import csrf, db
from app.models import Direction, DirectionEvent, DirectionIdea, Idea, Process
from app.transaction import committing
from app.web import mark_private

# History rows the public sees (an edit of the text is not news).
PUBLIC_EVENTS = ("created", "status", "idea_linked", "idea_unlinked", "application", "milestone")


@bp.route("/directions")
def index():
    processes = db.session.scalars(
        select(Process).where(Process.published.is_(True)).order_by(Process.opens_at.desc())
    ).all()
    slug = (request.args.get("process") or "").strip()
    process = None
    if slug:
        process = next((p for p in processes if p.slug == slug), None)
        if process is None:
            abort(404)
    directions = services.load_public(process.id if process else None)
    return render_template(
        "directions/index.html",
        directions=directions,
        process=process,
        processes=processes,
        links={d.id: services.public_links(d) for d in directions},
        totals={d.id: services.totals(d.applications) for d in directions},
        all_totals=services.totals([a for d in directions for a in d.applications]),
    )


def public_direction(slug: str) -> Direction:
    direction = db.session.scalar(
        services.public_directions()
        .where(Direction.slug == slug)
        .options(
            selectinload(Direction.links)
            .selectinload(DirectionIdea.idea)
            .selectinload(Idea.workshop),
            selectinload(Direction.milestones),
            selectinload(Direction.applications),
        )
    )
    if direction is None:
        abort(404)
    return direction


@bp.route("/directions/<slug>")
def detail(slug: str):
    direction = public_direction(slug)
    events = db.session.scalars(
        select(DirectionEvent)
        .where(DirectionEvent.direction_id == direction.id, DirectionEvent.kind.in_(PUBLIC_EVENTS))
        .order_by(DirectionEvent.created_at.desc(), DirectionEvent.id.desc())
    ).all()
    status_changes = [e for e in reversed(events) if e.kind == "status"]
    return render_template(
        "directions/detail.html",
        direction=direction,
        links=services.public_links(direction),
        steps=lifecycle.timeline_steps(direction.status),
        status_changes=status_changes,
        events=events,
        totals=services.totals(direction.applications),
    )


# -- stopping mail ------------------------------------------------------------------


@bp.route("/directions/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click: a mail program posts with no cookie or token
def unsubscribe(token: str):
    """GET asks to confirm (a link scanner must not unsubscribe anyone);
    POST stops the mail at once, from the page or from a mail program."""
    mark_private()
    digest = mail.hash_from_token(token)
    if digest is None:
        return render_template("directions/unsubscribe.html", state="invalid", token=token), 404
    if request.method == "GET":
        state = "done" if mail.opted_out_hash(digest) else "ask"
        return render_template("directions/unsubscribe.html", state=state, token=token)
    with committing() as done:
        mail.opt_out(digest, token)
    if not done:  # pragma: no cover - opt_out refuses nothing
        abort(500)
    return render_template("directions/unsubscribe.html", state="done", token=token)
