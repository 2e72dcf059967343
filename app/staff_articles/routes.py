"""The article editor: list, write, preview, publish, schedule, revisions."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.articles.content import render_body
from app.articles.covers import (
    WIDTHS,
    CoverError,
    StoredCover,
    cover_dir,
    store_cover,
    variant_name,
)
from app.articles.services import (
    ArticleData,
    create_article,
    ideas_matching,
    parse_ids,
    parse_tags,
    publish_article,
    restore_revision,
    unpublish_article,
    update_article,
)
from app.articles.video import UnsupportedVideo, parse_video_url
from app.extensions import db
from app.models import Article, ArticleRevision, ArticleStatus, Idea, Process, Workshop, utcnow
from app.security.permissions import permission_required
from app.staff_articles import bp
from app.staff_articles.forms import ArticleForm, PublishForm
from app.text import slugify
from app.timeutil import local_to_utc, utc_to_local
from app.transaction import committing

PER_PAGE = 25
_PENDING = re.compile(r"^(?P<key>[0-9a-f]{32}):(?P<widths>[0-9]{2,4}(,[0-9]{2,4}){0,5})$")


# Listing -------------------------------------------------------------------


@bp.route("/")
@permission_required("manage_articles")
def index():
    state = request.args.get("state", "")
    now = utcnow()
    query = select(Article).order_by(Article.updated_at.desc(), Article.id.desc())
    if state == "draft":
        query = query.where(Article.status == ArticleStatus.DRAFT)
    elif state == "scheduled":
        query = query.where(Article.status == ArticleStatus.PUBLISHED, Article.published_at > now)
    elif state == "published":
        query = query.where(Article.status == ArticleStatus.PUBLISHED, Article.published_at <= now)
    else:
        state = ""
    page = db.paginate(
        query, page=request.args.get("page", 1, type=int), per_page=PER_PAGE, error_out=False
    )
    return render_template("staff_articles/index.html", page=page, state=state)


# Writing -------------------------------------------------------------------


def _fill_choices(form: ArticleForm) -> None:
    processes = db.session.scalars(select(Process).order_by(Process.title)).all()
    form.consultation.choices = [(None, _("— bez powiązania —"))] + [
        (p.id, p.title) for p in processes
    ]
    workshops = db.session.scalars(
        select(Workshop).order_by(Workshop.starts_at.desc()).limit(200)
    ).all()
    form.workshops.choices = [(w.id, f"{w.title} ({w.starts_at:%d.%m.%Y})") for w in workshops]


def _pending_cover(value: str | None) -> StoredCover | None:
    """A cover uploaded with a form that then had errors (so it is not lost)."""
    match = _PENDING.match(value or "")
    if not match:
        return None
    widths = [int(w) for w in match["widths"].split(",")]
    if not set(widths) <= set(WIDTHS):
        return None
    directory: Path = cover_dir()
    if not all((directory / variant_name(match["key"], w, "jpg")).is_file() for w in widths):
        return None
    return StoredCover(match["key"], widths)


def _read_form(form: ArticleForm, article: Article | None) -> ArticleData | None:
    """Form → ArticleData, adding field errors; None when something is wrong."""
    valid = form.validate()
    cover = _pending_cover(form.pending_cover.data)
    upload = form.cover.data
    if upload is not None and getattr(upload, "filename", ""):
        try:
            cover = store_cover(upload.stream)
        except CoverError as error:
            form.cover.errors = [*form.cover.errors, str(error)]
            valid = False
    form.pending_cover.data = f"{cover.key}:{','.join(map(str, cover.widths))}" if cover else ""

    has_cover = cover is not None or bool(
        article and article.cover_key and not form.remove_cover.data
    )
    if has_cover and not (form.cover_alt.data or "").strip():
        form.cover_alt.errors = [
            *form.cover_alt.errors,
            _("Opisz okładkę: tekst alternatywny jest wymagany, gdy artykuł ma obraz."),
        ]
        valid = False

    video_url = (form.video_url.data or "").strip()
    if video_url:
        try:
            video_url = parse_video_url(video_url).watch_url
        except UnsupportedVideo:
            form.video_url.errors = [
                *form.video_url.errors,
                _(
                    "Obsługujemy tylko filmy z serwisów YouTube i Vimeo. Wklej link do konkretnego filmu."
                ),
            ]
            valid = False

    if form.slug.data and not slugify(form.slug.data):
        form.slug.errors = [*form.slug.errors, _("Adres musi zawierać litery lub cyfry.")]
        valid = False
    if not form.slug.data and form.title.data and not slugify(form.title.data):
        form.slug.errors = [
            *form.slug.errors,
            _("Podaj adres: z tego tytułu nie da się go utworzyć."),
        ]
        valid = False

    # Ideas ticked in the search results (the page without JavaScript) join the list.
    added = [value for value in request.form.getlist("add_ideas") if value.isdigit()]
    if added:
        form.ideas.data = ", ".join(filter(None, [(form.ideas.data or "").strip(), *added]))
    try:
        idea_ids = parse_ids(form.ideas.data or "")
    except ValueError:
        form.ideas.errors = [*form.ideas.errors, _("Wpisz numery pomysłów oddzielone przecinkami.")]
        idea_ids = []
        valid = False

    if not valid:
        return None
    return ArticleData(
        title=form.title.data,
        slug=form.slug.data or "",
        lead=form.lead.data,
        body=form.body.data,
        cover=cover,
        remove_cover=bool(form.remove_cover.data) and cover is None,
        cover_alt=form.cover_alt.data or "",
        video_url=video_url,
        tags=parse_tags(form.tags.data or ""),
        process_id=form.consultation.data,
        workshop_ids=list(form.workshops.data or []),
        idea_ids=idea_ids,
        title_en=form.title_en.data or "",
        lead_en=form.lead_en.data or "",
        body_en=form.body_en.data or "",
    )


def _render_form(form: ArticleForm, article: Article | None, status: int = 200, preview=None):  # noqa: ANN001, ANN202
    pending = _pending_cover(form.pending_cover.data)
    publish_form = PublishForm(formdata=None)
    if article is not None and article.state() == "scheduled":
        publish_form.publish_at.data = utc_to_local(article.published_at)
    try:
        chosen = [db.session.get(Idea, i) for i in parse_ids(form.ideas.data or "")]
    except ValueError:
        chosen = []
    results = ideas_matching(form.idea_query.data or "") if form.find_ideas.data else None
    return (
        render_template(
            "staff_articles/form.html",
            form=form,
            article=article,
            pending=pending,
            chosen_ideas=[idea for idea in chosen if idea is not None],
            idea_results=results,
            preview_html=preview,
            publish_form=publish_form,
            now=utcnow(),
        ),
        status,
    )


@bp.route("/new", methods=["GET", "POST"])
@permission_required("manage_articles")
def new():
    form = ArticleForm()
    _fill_choices(form)
    if request.method == "GET":
        return _render_form(form, None)
    data = _read_form(form, None)
    if form.find_ideas.data:
        return _render_form(form, None)
    if form.preview.data:
        return _render_form(form, None, 400 if data is None else 200, render_body(form.body.data))
    if data is None:
        return _render_form(form, None, 400)
    try:
        with committing(form) as done:
            article = create_article(data, current_user)
    except IntegrityError:  # the slug was taken in the same instant
        form.slug.errors = [*form.slug.errors, _("Ten adres jest już zajęty. Wybierz inny.")]
        return _render_form(form, None, 409)
    if not done:
        return _render_form(form, None, done.status)
    flash(_("Zapisano szkic artykułu „%(title)s”.", title=article.title), "success")
    return redirect(url_for("staff_articles.edit", article_id=article.id), code=303)


@bp.route("/<int:article_id>/edit", methods=["GET", "POST"])
@permission_required("manage_articles")
def edit(article_id: int):
    article = db.get_or_404(Article, article_id)
    if request.method == "GET":
        form = ArticleForm(obj=article)
        _fill_choices(form)
        form.consultation.data = article.process_id
        form.workshops.data = [w.id for w in article.workshops]
        form.ideas.data = ", ".join(str(i.id) for i in article.ideas)
        form.tags.data = ", ".join(article.tag_names)
        form.version.data = str(article.version)
        return _render_form(form, article)
    form = ArticleForm()
    _fill_choices(form)
    data = _read_form(form, article)
    if form.find_ideas.data:
        return _render_form(form, article)
    if form.preview.data:
        return _render_form(
            form, article, 400 if data is None else 200, render_body(form.body.data)
        )
    if data is None:
        return _render_form(form, article, 400)
    try:
        expected = int(form.version.data or 0)
    except ValueError:
        expected = 0
    try:
        with committing(form) as done:
            update_article(article, data, current_user, expected)
    except IntegrityError:
        article = db.get_or_404(Article, article_id)
        form.slug.errors = [*form.slug.errors, _("Ten adres jest już zajęty. Wybierz inny.")]
        return _render_form(form, article, 409)
    if not done:
        article = db.get_or_404(Article, article_id)
        return _render_form(form, article, done.status)
    flash(_("Zapisano zmiany."), "success")
    return redirect(url_for("staff_articles.edit", article_id=article.id), code=303)


@bp.route("/idea-search")
@permission_required("manage_articles")
def idea_search():
    """Published ideas by title, for choosing an article's related ideas."""
    ideas = ideas_matching(request.args.get("q", "")[:200])
    return jsonify(items=[{"id": idea.id, "title": idea.title} for idea in ideas])


@bp.route("/preview", methods=["POST"])
@permission_required("manage_articles")
def preview():
    """The body as readers will see it (sanitised), for the live preview."""
    return jsonify(html=str(render_body(request.form.get("body", ""))))


# Publishing ----------------------------------------------------------------


@bp.route("/<int:article_id>/publish", methods=["POST"])
@permission_required("manage_articles")
def publish(article_id: int):
    article = db.get_or_404(Article, article_id)
    form = PublishForm()
    if not form.validate():
        flash(_("Podaj termin publikacji w formacie dzień, miesiąc, rok i godzina."), "error")
        return redirect(url_for("staff_articles.edit", article_id=article.id), code=303)
    when = local_to_utc(form.publish_at.data) if form.publish_at.data else None
    with committing() as done:
        state = publish_article(article, current_user, when)
    if not done:
        return redirect(url_for("staff_articles.edit", article_id=article_id), code=303)
    if state == "scheduled":
        from app.i18n import format_when

        flash(
            _(
                "Zaplanowano publikację na %(when)s.",
                when=format_when(article.published_at, "long"),
            ),
            "success",
        )
    else:
        flash(_("Artykuł jest opublikowany."), "success")
    return redirect(url_for("staff_articles.edit", article_id=article.id), code=303)


@bp.route("/<int:article_id>/unpublish", methods=["POST"])
@permission_required("manage_articles")
def unpublish(article_id: int):
    article = db.get_or_404(Article, article_id)
    with committing():
        unpublish_article(article, current_user)
    flash(_("Artykuł wycofano z publikacji; jest znowu szkicem."), "success")
    return redirect(url_for("staff_articles.edit", article_id=article.id), code=303)


# Revisions -----------------------------------------------------------------


def _revision_or_404(article: Article, revision_id: int) -> ArticleRevision:
    revision = db.session.get(ArticleRevision, revision_id)
    if revision is None or revision.article_id != article.id:
        abort(404)
    return revision


@bp.route("/<int:article_id>/revisions")
@permission_required("manage_articles")
def revisions(article_id: int):
    article = db.get_or_404(Article, article_id)
    count = db.session.scalar(
        select(func.count())
        .select_from(ArticleRevision)
        .where(ArticleRevision.article_id == article.id)
    )
    return render_template("staff_articles/revisions.html", article=article, count=count)


@bp.route("/<int:article_id>/revisions/<int:revision_id>")
@permission_required("manage_articles")
def revision(article_id: int, revision_id: int):
    article = db.get_or_404(Article, article_id)
    revision = _revision_or_404(article, revision_id)
    diff = list(
        difflib.unified_diff(
            article.body.splitlines(),
            (revision.data.get("body") or "").splitlines(),
            fromfile=_("obecna wersja"),
            tofile=_("wersja %(num)s", num=revision.number),
            lineterm="",
        )
    )
    return render_template(
        "staff_articles/revision.html", article=article, revision=revision, diff=diff
    )


@bp.route("/<int:article_id>/revisions/<int:revision_id>/restore", methods=["POST"])
@permission_required("manage_articles")
def restore(article_id: int, revision_id: int):
    article = db.get_or_404(Article, article_id)
    revision = _revision_or_404(article, revision_id)
    with committing():
        slug_kept = restore_revision(article, revision, current_user)
    flash(_("Przywrócono wersję %(num)s.", num=revision.number), "success")
    if not slug_kept:
        flash(
            _("Dawny adres należy teraz do innego artykułu, więc zostawiliśmy obecny."), "warning"
        )
    return redirect(url_for("staff_articles.edit", article_id=article.id), code=303)


from app.staff_articles import panels  # noqa: E402, F401
