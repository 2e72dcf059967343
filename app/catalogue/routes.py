"""The public idea catalogue, one idea's page, supports, official answers
and the CSV export."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, raiseload

from app import bilingual, pagecache
from app.catalogue import bp, references, services
from app.catalogue.filters import (
    PER_PAGE,
    SORT_LABELS,
    FilterError,
    Page,
    active_args,
    parse_int,
    parse_search,
)
from app.catalogue.forms import AnswerForm, SupportForm
from app.catalogue.paging import MAX_OFFSET, TooDeep, ideas_slice
from app.extensions import db, limiter
from app.fragments import blank_form
from app.i18n import current_language
from app.ideas.forms import EraseForm
from app.ideas.lifecycle import (
    PUBLIC_STATUS_LABELS,
    SOURCE_LABELS,
    public_status_label,
    source_label,
)
from app.models import (
    Category,
    Idea,
    IdeaStatus,
    Process,
    ResultStatus,
    Workshop,
)
from app.search import idea_statements, snippet
from app.text import csv_cell
from app.timeutil import iso
from app.transaction import Outcome, committing
from app.web import data_download, external_url, mark_private, private_page

# How far a chain of merged ideas is followed.
MAX_MERGE_HOPS = 5


def _idea_or_404(idea_id: int) -> Idea:
    return db.get_or_404(Idea, idea_id)


# Everything an idea's page shows, in one query instead of one lazy load
# per relationship (a quarter of a fresh page's time went there).
_DETAIL_OPTIONS = (
    joinedload(Idea.category),
    joinedload(Idea.process),
    joinedload(Idea.workshop),
    joinedload(Idea.workshop_group),
    joinedload(Idea.attachment),
)
# Built once: building it anew (its cache key) cost half as much as running it.
_DETAIL = select(Idea).options(*_DETAIL_OPTIONS).where(Idea.id == bindparam("idea_id"))


bp.add_app_template_global(public_status_label, "idea_status_label")
bp.add_app_template_global(references.category_of, "category_of")
bp.add_app_template_global(source_label, "idea_source_label")


@bp.app_template_global()
def catalogue_answer_form(idea: Idea) -> AnswerForm:
    """A fresh answer form for the staff partial, preset to the idea's state."""
    form = AnswerForm(formdata=None)
    if idea.result_status in services.ANSWER_STATUSES:
        form.result_status.data = idea.result_status
    form.progress.data = idea.progress
    return form


@bp.app_template_global()
def search_snippet(text: str, terms: list) -> Markup:
    """A short piece of *text* with the words the search matched in
    ``<mark>``; everything else escaped (the words are found in Python, by
    the index's own rule, never taken from the database as HTML)."""
    return Markup("").join(
        Markup("<mark>%s</mark>") % piece if matched else escape(piece)
        for piece, matched in snippet(text, terms)
    )


# A card shows its idea's own columns and its category's name, which comes
# from the worker's kept references (app.catalogue.references): nothing is
# joined, and a card that started reading a relationship would raise instead
# of loading it row by row.
_CARD_OPTIONS = (raiseload(Idea.category), raiseload(Idea.workshop), raiseload(Idea.process))
# The CSV export writes every idea's consultation and meeting.
_EXPORT_OPTIONS = (joinedload(Idea.category), joinedload(Idea.workshop), joinedload(Idea.process))


def _filter_lists(language: str) -> dict:
    """Each filter's options as ``(value, label, lang)`` in *language*:
    *lang* is ``"pl"`` where the English interface falls back to the Polish
    name (app.bilingual), else None."""

    def options(rows, field: str) -> list[tuple[str, str, str | None]]:  # noqa: ANN001
        return [
            (row.slug, *bilingual.pick(row, field, language))
            for row in (SimpleNamespace(**row._mapping) for row in rows)
        ]

    return {
        "category_options": options(
            db.session.execute(
                select(Category.slug, Category.name, Category.name_en)
                .where(Category.active.is_(True))
                .order_by(Category.position, Category.name)
            ),
            "name",
        ),
        "workshop_options": options(
            db.session.execute(
                select(Workshop.slug, Workshop.title, Workshop.title_en)
                .where(Workshop.published.is_(True))
                .order_by(Workshop.starts_at)
            ),
            "title",
        ),
        "process_options": options(
            db.session.execute(
                select(Process.slug, Process.title, Process.title_en)
                .where(Process.published.is_(True))
                .order_by(Process.opens_at.desc())
            ),
            "title",
        ),
    }


def _filter_choices() -> dict:
    """The filter lists: categories, meetings and consultations change
    rarely (any change to them moves pagecache.EVERYTHING), so a worker keeps
    them, per language and that number, while it renders pages for the
    store; the options come named in the reader's language, so a page with
    fifty meetings asks for no translation per option."""
    version = pagecache.rendered_at()
    language = current_language()
    kept = current_app.extensions.setdefault("catalogue_filter_lists", {})
    lists = kept.get((version, language)) if version is not None else None
    if lists is None:
        lists = _filter_lists(language)
        if version is not None:
            if any(known != version for known, _ in kept):
                kept.clear()
            kept[(version, language)] = lists
    return {**lists, "statuses": PUBLIC_STATUS_LABELS, "sources": SOURCE_LABELS,
            "sorts": SORT_LABELS}  # fmt: skip


# Catalogue pages crawlers are invited to index; deeper ones say noindex
# (every idea is in the sitemap anyway).
CRAWL_PAGES = 5


@bp.route("/ideas")
def index():
    args = active_args(request.args)
    try:
        search = parse_search(request.args)
        page_number = parse_int(request.args, "page", 1, 1, 1_000_000)
        found = ideas_slice(search, page=page_number, per_page=PER_PAGE, options=_CARD_OPTIONS)
    except FilterError as error:
        if isinstance(error, TooDeep):
            error = FilterError(
                "page",
                _(
                    "Strony wyników mają numery do %(pages)s. Dalsze pomysły znajdziesz, "
                    "zawężając wyniki wyszukiwaniem lub filtrami.",
                    pages=MAX_OFFSET // PER_PAGE + 1,
                ),
            )
        return render_template(
            "catalogue/index.html",
            page=Page([], 1, PER_PAGE, 0),
            search=None,
            args=args,
            error=error,
            **_filter_choices(),
        ), 400
    terms = search.terms
    return render_template(
        "catalogue/index.html",
        page=Page(
            found.items,
            page_number,
            PER_PAGE,
            found.totals.count,
            found.totals.exact,
            max_pages=MAX_OFFSET // PER_PAGE + 1,
        ),
        search=search,
        search_terms=terms,
        searched=" ".join(search.q.split())[:100] if terms else "",
        # The same words without the filters, when filters narrowed them.
        wider_args={"q": search.q} if terms and set(args) - {"q", "sort"} else None,
        args=args,
        error=None,
        noindex=page_number > CRAWL_PAGES,
        newest_first=found.newest_first,
        **_filter_choices(),
    )


def _published_or_redirect(idea_id: int) -> Idea | Response:
    """The published idea, a 301 to where a merged one went, or 404."""
    idea = db.session.scalars(_DETAIL, {"idea_id": idea_id}).first()
    if idea is None:
        abort(404)
    hops = 0
    target = idea
    while target.status == IdeaStatus.MERGED and target.merged_into_id and hops < MAX_MERGE_HOPS:
        target = _idea_or_404(target.merged_into_id)
        hops += 1
    if target.status != IdeaStatus.PUBLISHED:
        abort(404)
    if target is not idea:
        return redirect(url_for("catalogue.detail", idea_id=target.id, slug=target.slug), code=301)
    return idea


def _attachment_url(idea: Idea) -> str | None:
    if idea.attachment is None:
        return None
    return url_for("ideas.attachment", idea_id=idea.id)


def _render_detail(idea: Idea, support_form: SupportForm | None = None, status: int = 200,
                   support_error: str | None = None):  # fmt: skip
    supports_open = services.supports_open(idea)
    return render_template(
        "catalogue/detail.html",
        idea=idea,
        # Only an official answer moves an idea off "published" (see
        # services.ANSWER_STATUSES): most ideas need no query for answers.
        answers=idea.answers if idea.result_status != ResultStatus.PUBLISHED else [],
        support_form=support_form or blank_form(SupportForm),
        supports_open=supports_open,
        supports_closed=None if supports_open else services.supports_closed_message(idea),
        support_error=support_error,
        attachment_url=_attachment_url(idea),
        canonical_url=external_url("catalogue.detail", idea_id=idea.id, slug=idea.slug),
        status_labels=PUBLIC_STATUS_LABELS,
    ), status


@bp.route("/ideas/<int:idea_id>")
@bp.route("/ideas/<int:idea_id>-<slug>")
def detail(idea_id: int, slug: str | None = None):
    idea = _published_or_redirect(idea_id)
    if not isinstance(idea, Idea):
        return idea
    if slug is not None and slug != idea.slug:
        return redirect(url_for("catalogue.detail", idea_id=idea.id, slug=idea.slug), code=301)
    attempt = session.pop(SUPPORT_ATTEMPT, None)
    if attempt and attempt.get("idea") == idea.id:
        return _render_detail(idea, *_refused_support(attempt))
    return _render_detail(idea)


# A refused support request comes back to the idea's own address (303), its
# typed address and messages carried once in the session.
SUPPORT_ATTEMPT = "support_attempt"


def _back_to_idea(idea: Idea, form: SupportForm, error: str | None = None) -> Response:
    session[SUPPORT_ATTEMPT] = {
        "idea": idea.id,
        "email": (form.email.data or "")[:500],  # as typed, even if too long
        "notify": bool(form.notify.data),
        "errors": {name: [str(e) for e in errors] for name, errors in form.errors.items()},
        "error": error,
    }
    return redirect(
        url_for("catalogue.detail", idea_id=idea.id, slug=idea.slug, _anchor="poparcie"), code=303
    )


def _refused_support(attempt: dict) -> tuple[SupportForm, int, str | None]:
    form = SupportForm(
        formdata=None, data={"email": attempt.get("email"), "notify": attempt.get("notify")}
    )
    for name, errors in (attempt.get("errors") or {}).items():
        if name in form:
            form[name].errors = list(errors)
    return form, 200, attempt.get("error")


def _support_limit() -> str:
    return current_app.config.get("RATELIMIT_SUPPORT", "10 per hour;3 per minute")


@bp.route("/ideas/<int:idea_id>/support", methods=["POST"])
@limiter.limit(_support_limit)
def support(idea_id: int):
    idea = _idea_or_404(idea_id)
    if idea.status != IdeaStatus.PUBLISHED:
        abort(404)
    form = SupportForm()
    if not services.supports_open(idea):
        return _back_to_idea(idea, form, services.supports_closed_message(idea))
    if not form.validate_on_submit():
        return _back_to_idea(idea, form)
    locale = current_language()
    bounced = services.earlier_mail_bounced(form.email.data)

    def ask(idea: Idea) -> Outcome:
        with committing(show=False) as done:
            services.request_support(idea, form.email.data, form.notify.data, locale)
        return done

    try:
        try:
            done = ask(idea)
        except IntegrityError:
            # Someone sent the same address at the same moment: the unique
            # constraint kept one row; now treat ours as a repeat of it.
            done = ask(db.session.get(Idea, idea_id))
    except IntegrityError:
        idea = db.session.get(Idea, idea_id)
        return _back_to_idea(idea, form, _("Spróbuj ponownie za chwilę."))
    if not done:
        idea = db.session.get(Idea, idea_id)
        return _back_to_idea(idea, form, done.message)
    flash(
        _(
            "Sprawdź skrzynkę: wysłaliśmy link potwierdzający. "
            "Poparcie zostanie policzone po kliknięciu w link."
        ),
        "success",
    )
    if bounced:
        flash(
            _(
                "Uwaga: poprzednia wiadomość na ten adres nie dotarła – serwer poczty "
                "odbiorcy ją odrzucił. Sprawdź, czy adres jest wpisany poprawnie."
            ),
            "warning",
        )
    return redirect(
        url_for("catalogue.detail", idea_id=idea.id, slug=idea.slug, _anchor="poparcie")
    )


@bp.route("/supports/confirm/<token>")
@private_page  # the page links to the supporter's private page
def confirm_support(token: str):
    with committing(show=False) as done:
        support, newly = services.confirm_support(token)
    if not done:
        return render_template(
            "catalogue/support_confirmed.html", idea=None, newly=False, error=done.message
        ), done.status
    idea = support.idea
    return render_template(
        "catalogue/support_confirmed.html",
        idea=idea if idea.is_published else None,
        newly=newly,
        error=None,
        manage_url=url_for("catalogue.support_page", token=services.support_link_token(support)),
    )


# --- the supporter's private page ------------------------------------------


def _support_or_404(token: str):  # noqa: ANN202
    support = services.find_support_by_link(token)
    if support is None:
        abort(
            404,
            _(
                "Ten link jest nieprawidłowy albo poparcie zostało już wycofane. "
                "Niepotwierdzone poparcia znikają po kilku dniach."
            ),
        )
    return support


def _support_page(template: str, support, status: int = 200, **context) -> Response:  # noqa: ANN001
    idea = support.idea
    body = render_template(
        template,
        support=support,
        idea=idea,
        idea_url=(
            url_for("catalogue.detail", idea_id=idea.id, slug=idea.slug)
            if idea.is_published
            else None
        ),
        token=request.view_args["token"],
        **context,
    )
    return Response(body, status=status, mimetype="text/html")


@bp.route("/supports/<token>")
@private_page
def support_page(token: str):
    """The supporter's private page: the support, notifications, data."""
    return _support_page("catalogue/support.html", _support_or_404(token))


@bp.route("/supports/<token>/data.json")
@private_page
def support_data(token: str):
    support = _support_or_404(token)
    return data_download(
        services.export_support_data(support), f"odkrywka-poparcie-{support.id}-dane.json"
    )


@bp.route("/supports/<token>/notifications", methods=["POST"])
@private_page
def support_stop_notifications(token: str):
    support = _support_or_404(token)
    with committing():
        services.stop_support_notifications(support)
    flash(_("Nie będziemy już wysyłać powiadomień o odpowiedziach na ten pomysł."), "success")
    return redirect(url_for("catalogue.support_page", token=token), code=303)


@bp.route("/supports/<token>/erase", methods=["GET", "POST"])
@private_page
def support_erase(token: str):
    """Confirm, then withdraw the support and delete the address."""
    support = _support_or_404(token)
    form = EraseForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            title = support.idea.title
            with committing():
                withdrawn = services.withdraw_support(support)
            counted = bool(withdrawn and withdrawn["counted"])
            session["support_erased"] = {"idea": title, "counted": counted}
            return redirect(url_for("catalogue.support_erased"), code=303)
        status = 400
    return _support_page("catalogue/support_erase.html", support, status, form=form)


@bp.route("/supports/erased")
def support_erased():
    result = session.pop("support_erased", None)
    if result is None:
        return redirect(url_for("catalogue.index"))
    mark_private()
    return render_template("catalogue/support_erased.html", result=result)


# --- Open data: CSV ------------------------------------------------------

CSV_COLUMNS = (
    "id",
    "title",
    "description",
    "category",
    "category_name",
    "process",
    "source",
    "workshop",
    "author_name",
    "status",
    "progress",
    "supports",
    "published_at",
    "url",
)


@bp.route("/export/ideas.csv")
def export_csv():
    try:
        search = parse_search(request.args)
    except FilterError as error:
        return Response(error.message + "\n", status=400, mimetype="text/plain")
    stmt, _count = idea_statements(search.with_(sort=search.sort or "oldest"))
    stmt = stmt.options(*_EXPORT_OPTIONS)
    base = current_app.config["BASE_URL"]

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(CSV_COLUMNS)
        yield buffer.getvalue()
        for idea in db.session.scalars(stmt.execution_options(yield_per=500)):
            buffer.seek(0)
            buffer.truncate()
            writer.writerow(
                [
                    idea.id,
                    csv_cell(idea.title),
                    csv_cell(idea.description),
                    idea.category.slug,
                    csv_cell(idea.category.name),
                    idea.process.slug,
                    idea.source,
                    idea.workshop.slug if idea.workshop else "",
                    csv_cell(idea.public_author_name or ""),
                    idea.result_status,
                    idea.progress,
                    idea.supports_count,
                    iso(idea.published_at) or "",
                    base + url_for("catalogue.detail", idea_id=idea.id, slug=idea.slug),
                ]
            )
            yield buffer.getvalue()

    response = Response(stream_with_context(rows()), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="odkrywka-pomysly.csv"'
    return response
