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
    PublishTimeInPast,
    SlugTaken,
    StaleVersion,
    UnknownIdeas,
    create_article,
    parse_ids,
    parse_tags,
    publish_article,
    restore_revision,
    unpublish_article,
    update_article,
)
from app.articles.video import UnsupportedVideo, parse_video_url
from app.extensions import db
from app.models import Article, ArticleRevision, ArticleStatus, Process, Workshop, utcnow
from app.security.permissions import permission_required
from app.staff_articles import bp
from app.staff_articles.forms import ArticleForm, PublishForm
from app.text import slugify
from app.timeutil import local_to_utc, utc_to_local
from app.web import get_or_404

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
            form.cover.errors = [*form.cover.errors, str(error.message)]
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
    )


def _add_service_error(form: ArticleForm, error: Exception) -> int:
    """A domain error → a message on the right field; returns the HTTP status."""
    if isinstance(error, SlugTaken):
        form.slug.errors = [
            *form.slug.errors,
            _(
                "Adres „%(slug)s” jest już zajęty przez artykuł „%(title)s”. Wybierz inny.",
                slug=error.slug,
                title=error.other_title,
            ),
        ]
        return 409
    if isinstance(error, UnknownIdeas):
        form.ideas.errors = [
            *form.ideas.errors,
            _(
                "Nie ma opublikowanych pomysłów o numerach: %(ids)s.",
                ids=", ".join(map(str, error.ids)),
            ),
        ]
        return 400
    if isinstance(error, StaleVersion):
        form.version.errors = [
            _(
                "Ktoś inny zapisał ten artykuł, gdy go edytowałeś. Twoje zmiany są niżej – "
                "skopiuj je, otwórz artykuł ponownie i nanieś je na nowszą wersję."
            )
        ]
        return 409
    raise error


def _render_form(form: ArticleForm, article: Article | None, status: int = 200, preview=None):  # noqa: ANN001, ANN202
    pending = _pending_cover(form.pending_cover.data)
    publish_form = PublishForm(formdata=None)
    if article is not None and article.state() == "scheduled":
        publish_form.publish_at.data = utc_to_local(article.published_at)
    return (
        render_template(
            "staff_articles/form.html",
            form=form,
            article=article,
            pending=pending,
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
    if form.preview.data:
        return _render_form(form, None, 400 if data is None else 200, render_body(form.body.data))
    if data is None:
        return _render_form(form, None, 400)
    try:
        article = create_article(data, current_user)
        db.session.commit()
    except (SlugTaken, UnknownIdeas) as error:
        db.session.rollback()
        return _render_form(form, None, _add_service_error(form, error))
    except IntegrityError:  # the slug was taken in the same instant
        db.session.rollback()
        form.slug.errors = [*form.slug.errors, _("Ten adres jest już zajęty. Wybierz inny.")]
        return _render_form(form, None, 409)
    flash(_("Zapisano szkic artykułu „%(title)s”.", title=article.title), "success")
    return redirect(url_for("staff_articles.edit", article_id=article.id), code=303)


@bp.route("/<int:article_id>/edit", methods=["GET", "POST"])
@permission_required("manage_articles")
def edit(article_id: int):
    article = get_or_404(Article, article_id)
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
        update_article(article, data, current_user, expected)
        db.session.commit()
    except (SlugTaken, UnknownIdeas, StaleVersion) as error:
        db.session.rollback()
        article = get_or_404(Article, article_id)
        return _render_form(form, article, _add_service_error(form, error))
    except IntegrityError:
        db.session.rollback()
        article = get_or_404(Article, article_id)
        form.slug.errors = [*form.slug.errors, _("Ten adres jest już zajęty. Wybierz inny.")]
        return _render_form(form, article, 409)
    flash(_("Zapisano zmiany."), "success")
    return redirect(url_for("staff_articles.edit", article_id=article.id), code=303)


@bp.route("/preview", methods=["POST"])
@permission_required("manage_articles")
def preview():
    """The body as readers will see it (sanitised), for the live preview."""
    return jsonify(html=str(render_body(request.form.get("body", ""))))


# Publishing ----------------------------------------------------------------


@bp.route("/<int:article_id>/publish", methods=["POST"])
@permission_required("manage_articles")
def publish(article_id: int):
    article = get_or_404(Article, article_id)
    form = PublishForm()
    if not form.validate():
        flash(_("Podaj termin publikacji w formacie dzień, miesiąc, rok i godzina."), "error")
        return redirect(url_for("staff_articles.edit", article_id=article.id), code=303)
    when = local_to_utc(form.publish_at.data) if form.publish_at.data else None
    try:
        state = publish_article(article, current_user, when)
    except PublishTimeInPast:
        db.session.rollback()
        flash(_("Ten termin już minął. Wybierz przyszły termin albo opublikuj od razu."), "error")
        return redirect(url_for("staff_articles.edit", article_id=article_id), code=303)
    db.session.commit()
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
    article = get_or_404(Article, article_id)
    unpublish_article(article, current_user)
    db.session.commit()
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
    article = get_or_404(Article, article_id)
    count = db.session.scalar(
        select(func.count())
        .select_from(ArticleRevision)
        .where(ArticleRevision.article_id == article.id)
    )
    return render_template("staff_articles/revisions.html", article=article, count=count)


@bp.route("/<int:article_id>/revisions/<int:revision_id>")
@permission_required("manage_articles")
def revision(article_id: int, revision_id: int):
    article = get_or_404(Article, article_id)
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
    article = get_or_404(Article, article_id)
    revision = _revision_or_404(article, revision_id)
    slug_kept = restore_revision(article, revision, current_user)
    db.session.commit()
    flash(_("Przywrócono wersję %(num)s.", num=revision.number), "success")
    if not slug_kept:
        flash(
            _("Dawny adres należy teraz do innego artykułu, więc zostawiliśmy obecny."), "warning"
        )
    return redirect(url_for("staff_articles.edit", article_id=article.id), code=303)


from app.staff_articles import panels  # noqa: E402, F401
