"""The read-only open-data API (/api/v1) and its documentation.

Every error here is JSON ``{"error", "message"}`` (see app.errors); bad
parameters are a 400, never a 500.
"""

from __future__ import annotations

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import raiseload, selectinload

from app.api import bp
from app.api.openapi import build_spec
from app.api.serializers import article_json, idea_json, video_json, workshop_json
from app.articles.queries import visible_articles
from app.catalogue.filters import (
    MAX_PER_PAGE,
    PER_PAGE,
    FilterError,
    active_args,
    parse_int,
    parse_search,
)
from app.catalogue.paging import ideas_slice
from app.directions import services as directions_services
from app.directions.serializers import direction_json
from app.errors import error_response
from app.extensions import db, limiter
from app.models import Idea, IdeaStatus, Process, Video, Workshop, utcnow
from app.models.article import Article, Tag
from app.results import stats as results_stats
from app.videos.services import visible_videos
from app.web import external_url

MAX_PAGE = 1_000_000
WHEN = ("upcoming", "past", "all")


def _api_limit() -> str:
    return current_app.config.get("RATELIMIT_API", "120 per minute")


# One allowance for the whole API, not one per address.
limiter.shared_limit(_api_limit, scope="api")(bp)


@bp.errorhandler(FilterError)
def _bad_parameter(error: FilterError):  # noqa: ANN202
    return error_response(400, error.message, "bad_request")


@bp.after_request
def _open_data_headers(response):  # noqa: ANN001, ANN202
    # Public data: any site may read it from a browser.
    response.headers.setdefault("Access-Control-Allow-Origin", "*")
    if response.mimetype == "application/json":
        response.headers.setdefault("Cache-Control", "public, max-age=60")
    return response


def _paging() -> tuple[int, int]:
    page = parse_int(request.args, "page", 1, 1, MAX_PAGE)
    per_page = parse_int(request.args, "per_page", PER_PAGE, 1, MAX_PER_PAGE)
    return page, per_page


def _page_json(items: list, page: int, per_page: int, total: int):  # noqa: ANN202
    return jsonify(items=items, page=page, per_page=per_page, total=total)


@bp.route("/")
def docs():
    # The page speaks the reader's language; the OpenAPI document stays English.
    labels = {
        "listIdeas": _l("Opublikowane pomysły, z filtrami i stronami jak w katalogu /ideas"),
        "getIdea": _l("Jeden opublikowany pomysł"),
        "listWorkshops": _l("Spotkania konsultacji"),
        "listArticles": _l("Opublikowane artykuły, od najnowszych"),
        "getStats": _l("Liczby, na których opiera się strona /results"),
        "getOpenApi": _l("Ten dokument"),
    }
    return render_template("api/docs.html", spec=build_spec(), op_labels=labels)


@bp.route("/openapi.json")
def openapi():
    response = jsonify(build_spec())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# What an item shows of its category, consultation and meeting comes from the
# worker's kept references (app.catalogue.references): nothing is joined.
_LISTED_OPTIONS = (raiseload(Idea.category), raiseload(Idea.process), raiseload(Idea.workshop))


@bp.route("/ideas")
def ideas():
    # Pages by cursor (``after``, the ``next`` link) at any depth; page
    # numbers within paging.MAX_OFFSET ideas (see app.catalogue.paging).
    search = parse_search(request.args)
    page, per_page = _paging()
    after = request.args.get("after")
    if after is not None and "page" in request.args:
        raise FilterError("after", _("Podaj „page” albo „after”, nie oba naraz."))
    found = ideas_slice(
        search,
        page=page,
        after=after,
        per_page=per_page,
        options=_LISTED_OPTIONS,
    )
    next_url = None
    if found.next_cursor:
        query = {**active_args(request.args), "per_page": per_page, "after": found.next_cursor}
        next_url = external_url("api.ideas", **query)
    response = jsonify(
        items=[idea_json(idea) for idea in found.items],
        page=None if after is not None else page,
        per_page=per_page,
        total=found.totals.count,
        total_exact=found.totals.exact,
        next=next_url,
    )
    if next_url:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


@bp.route("/ideas/<int:idea_id>")
def idea(idea_id: int):
    found = db.session.get(Idea, idea_id)
    if found is None or found.status != IdeaStatus.PUBLISHED:
        return error_response(404, _("Nie ma opublikowanego pomysłu o tym numerze."), "not_found")
    return jsonify(idea_json(found))


@bp.route("/workshops")
def workshops():
    when = (request.args.get("when") or "all").strip()
    if when not in WHEN:
        raise FilterError("when", _("Parametr „when” przyjmuje wartości: upcoming, past, all."))
    page, per_page = _paging()
    now = utcnow()
    conditions = [Workshop.published.is_(True)]
    order = [Workshop.starts_at.asc(), Workshop.id.asc()]
    if when == "upcoming":
        conditions.append(Workshop.ends_at > now)
    elif when == "past":
        conditions.append(Workshop.ends_at <= now)
        order = [Workshop.starts_at.desc(), Workshop.id.desc()]
    if slug := (request.args.get("process") or "").strip():
        process_id = db.session.scalar(
            select(Process.id).where(Process.slug == slug, Process.published.is_(True))
        )
        if process_id is None:
            raise FilterError("process", _("Nie ma takich konsultacji."))
        conditions.append(Workshop.process_id == process_id)
    total = db.session.scalar(select(func.count(Workshop.id)).where(*conditions)) or 0
    items = []
    if (page - 1) * per_page < total:
        items = db.session.scalars(
            select(Workshop)
            .where(*conditions)
            .order_by(*order)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
    return _page_json([workshop_json(w, now) for w in items], page, per_page, total)


@bp.route("/articles")
def articles():
    page, per_page = _paging()
    query = visible_articles()
    if slug := (request.args.get("tag") or "").strip():
        tag_id = db.session.scalar(select(Tag.id).where(Tag.slug == slug))
        if tag_id is None:
            raise FilterError("tag", _("Nie ma takiego tagu."))
        query = query.where(Article.tags.any(Tag.id == tag_id))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = []
    if (page - 1) * per_page < total:
        items = db.session.scalars(
            query.options(selectinload(Article.tags)).limit(per_page).offset((page - 1) * per_page)
        ).all()
    return _page_json([article_json(a) for a in items], page, per_page, total)


@bp.route("/directions")
def directions():
    page, per_page = _paging()
    process_id = None
    if slug := (request.args.get("process") or "").strip():
        process_id = db.session.scalar(
            select(Process.id).where(Process.slug == slug, Process.published.is_(True))
        )
        if process_id is None:
            raise FilterError("process", _("Nie ma takich konsultacji."))
    found = directions_services.load_public(process_id)
    items = found[(page - 1) * per_page : page * per_page]
    return _page_json([direction_json(d) for d in items], page, per_page, len(found))


@bp.route("/directions/<slug>")
def direction(slug: str):
    found = next((d for d in directions_services.load_public() if d.slug == slug), None)
    if found is None:
        return error_response(404, _("Nie ma takiego kierunku rozwojowego."), "not_found")
    return jsonify(direction_json(found))


@bp.route("/videos")
def videos():
    page, per_page = _paging()
    query = visible_videos()
    if slug := (request.args.get("process") or "").strip():
        process_id = db.session.scalar(
            select(Process.id).where(Process.slug == slug, Process.published.is_(True))
        )
        if process_id is None:
            raise FilterError("process", _("Nie ma takich konsultacji."))
        query = query.where(Video.process_id == process_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = []
    if (page - 1) * per_page < total:
        items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return _page_json([video_json(v) for v in items], page, per_page, total)


@bp.route("/stats")
def stats():
    process_id = None
    if slug := (request.args.get("process") or "").strip():
        process_id = db.session.scalar(
            select(Process.id).where(Process.slug == slug, Process.published.is_(True))
        )
        if process_id is None:
            raise FilterError("process", _("Nie ma takich konsultacji."))
    return jsonify(results_stats.current(process_id).as_json())
