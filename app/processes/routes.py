from __future__ import annotations

from flask import abort, render_template
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Category, Idea, IdeaStatus, Process, Workshop
from app.processes import bp, phases, services


@bp.route("")
def index():
    processes = db.session.scalars(
        select(Process).where(Process.published.is_(True)).order_by(Process.opens_at.desc())
    ).all()
    return render_template(
        "processes/index.html", processes=processes, overviews=services.overviews(processes)
    )


@bp.route("/<slug>")
def detail(slug: str):
    process = db.session.scalar(
        select(Process).where(Process.slug == slug, Process.published.is_(True))
    )
    if process is None:
        abort(404)
    workshops = db.session.scalars(
        select(Workshop)
        .where(Workshop.process_id == process.id, Workshop.published.is_(True))
        .order_by(Workshop.starts_at)
    ).all()
    published = (Idea.process_id == process.id) & (Idea.status == IdeaStatus.PUBLISHED)
    ideas = db.session.scalars(
        select(Idea)
        .options(selectinload(Idea.category))
        .where(published)
        .order_by(Idea.published_at.desc())
        .limit(6)
    ).all()
    idea_count = db.session.scalar(select(func.count()).select_from(Idea).where(published))
    by_category = db.session.execute(
        select(Category.name, func.count(Idea.id))
        .join(Idea, Idea.category_id == Category.id)
        .where(published)
        .group_by(Category.name)
        .order_by(func.count(Idea.id).desc())
    ).all()
    from app.core.home import latest_articles_for_process

    return render_template(
        "processes/detail.html",
        process=process,
        workshops=workshops,
        ideas=ideas,
        idea_count=idea_count,
        by_category=by_category,
        articles=latest_articles_for_process(process, 3),
        phase_now=phases.overview(process),
        phase_actions=phases.action_labels(),
    )
