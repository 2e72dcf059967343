"""Odkrywka: a citizen idea platform for a regional consultation."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from app import (
    account,
    api,
    articles,
    auth,
    bilingual,
    catalogue,
    comments,
    consultation_report,
    core,
    database,
    directions,
    errors,
    feeds,
    follows,
    form_messages,
    fragments,
    i18n,
    ideas,
    mail,
    mail_cli,
    maintenance,
    moderation,
    newsletters,
    notices,
    pagecache,
    privacy,
    processes,
    reports,
    results,
    search,
    search_cli,
    staff,
    staff_articles,
    staff_comments,
    staff_directions,
    staff_newsletters,
    staff_privacy,
    staff_reports,
    staff_videos,
    staff_workshops,
    videos,
    web,
    workshops,
)
from app import logging as app_logging
from app.account.gate import require_two_factor_setup
from app.articles import services as articles_services
from app.auth import cli as users_cli
from app.catalogue import services as catalogue_services
from app.comments import services as comments_services
from app.consultation_report import cli as report_cli
from app.demo import cli as demo_cli
from app.directions import display as directions_display
from app.directions import mail as directions_mail
from app.extensions import bootstrap, csrf, db, limiter, login_manager, migrate
from app.extensions import mail as flask_mail
from app.follows import cli as follows_cli
from app.follows import services as follows_services
from app.ideas import services as ideas_services
from app.moderation import cli as moderation_cli
from app.moderation import panels as moderation_panels
from app.moderation import retention as moderation_retention
from app.newsletters import cli as newsletters_cli
from app.newsletters import services as newsletters_services
from app.privacy import retention as privacy_retention
from app.processes import announcements as phase_announcements
from app.processes import cli as phases_cli
from app.processes import phases
from app.security import requests, sessions
from app.staff import dashboard as staff_dashboard
from app.staff import outbox as staff_outbox
from app.staff_articles import panels as staff_articles_panels
from app.staff_comments import panels as staff_comments_panels
from app.staff_videos import panels as staff_videos_panels
from app.staff_workshops import dashboard as staff_workshops_dashboard
from app.videos import display as video_display
from app.videos import services as videos_services
from app.workshops import cli as workshops_cli
from app.workshops import display as workshop_display
from app.workshops import services as workshops_services
from config import Config, config_from_env


def create_app(
    config_class: type[Config] | None = None, overrides: dict[str, Any] | None = None
) -> Flask:
    """Build the application: configuration, extensions, security rules,
    blueprints, page cache, error pages and CLI, in that order."""
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="static",
        instance_relative_config=True,
    )
    app.config.from_object(config_class or config_from_env())
    if overrides:
        app.config.update(overrides)
    _fill_instance_defaults(app)

    # Extensions and the platform under every feature.
    app_logging.init_app(app)
    database.init_app(app)  # engine options must be set before db.init_app
    db.init_app(app)
    search.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(Path(app.root_path).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=database.render_migration_item,
        include_object=search.include_object,
    )
    flask_mail.init_app(app)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    form_messages.init_app(app)
    mail.init_app(
        app,
        # Before a confirmation mail is sent again (`mail retry`, "Wyślij
        # ponownie"): is it still needed, and does its link still work?
        reissuers={
            "idea_confirm": ideas_services.confirmation_mail_still_needed,
            "support_confirm": catalogue_services.confirmation_mail_still_needed,
            "registration_confirm": workshops_services.confirmation_mail_still_needed,
        },
    )
    web.init_app(app)
    fragments.init_app(app)  # kept_fragment() in templates: blank forms rendered once

    # App-wide security rules, before any view: NUL characters dropped,
    # staff session limits, administrators without 2FA sent to set it up.
    requests.init_app(app)
    sessions.init_app(app)
    app.before_request(require_two_factor_setup)

    # Features, registered in this order.
    for blueprint in (
        core.bp,
        auth.bp,
        staff.bp,
        processes.bp,
        ideas.bp,
        moderation.bp,
        reports.bp,
        catalogue.bp,
        results.bp,
        workshops.bp,
        articles.bp,
        feeds.bp,
        api.bp,
        privacy.bp,
        staff_privacy.bp,
        staff_workshops.bp,
        staff_articles.bp,
        consultation_report.bp,
        staff_reports.bp,
        directions.bp,
        staff_directions.bp,
        videos.bp,
        staff_videos.bp,
        newsletters.bp,
        staff_newsletters.bp,
        account.bp,
        comments.bp,
        staff_comments.bp,
        follows.bp,
    ):
        app.register_blueprint(blueprint)
    workshop_display.init_app(app)
    directions_display.init_app(app)
    video_display.init_app(app)
    phases.init_app(app)  # phase_allows() in templates
    bilingual.init_app(app)
    staff_dashboard.init_app(
        app,
        panels=(
            moderation_panels.moderation_tiles,
            moderation_panels.answer_tiles,
            staff_workshops_dashboard.workshop_tiles,
            staff_articles_panels.article_tiles,
            staff_comments_panels.comment_tiles,
            staff_videos_panels.video_tiles,
        ),
        alerts=(staff_outbox.mail_alerts,),
    )
    # `phases notify` records each phase's start once; the followers hear it.
    phase_announcements.init_app(app, announce=follows_services.announce)
    pagecache.init_app(app)  # after the blueprints: it wraps their views
    errors.init_app(app)

    # Command line: flask --app wsgi <group> <command>.
    for group in (
        users_cli.cli,
        demo_cli.cli,
        mail_cli.cli,
        moderation_cli.cli,
        notices.cli,
        search_cli.cli,
        phases_cli.cli,
        workshops_cli.cli,
        newsletters_cli.cli,
        follows_cli.cli,
        report_cli.cli,
    ):
        app.cli.add_command(group)
    maintenance.init_app(
        app,
        purgers=(
            ("unconfirmed ideas", ideas_services.purge_unconfirmed),
            ("readers' keys on closed reports", moderation_retention.forget_closed_report_keys),
            ("unconfirmed supports", catalogue_services.purge_unconfirmed_supports),
            ("sent mail copies", privacy_retention.purge_sent_mail),
            ("undeliverable address marks", mail.purge_undeliverable),
            ("notices told long ago", notices.purge_sent),
            ("idea authors' data after the consultation", privacy_retention.anonymise_old_ideas),
            ("supporters' addresses after the consultation", privacy_retention.purge_old_supports),
            ("unconfirmed workshop registrations", workshops_services.purge_unconfirmed),
            ("anonymised workshop registrations", workshops_services.anonymise_old),
            ("article view rows", articles_services.purge_article_views),
            ("unconfirmed comments, old trusted browsers", comments_services.purge_unconfirmed),
            ("commenters' addresses afterwards", comments_services.forget_old_commenters),
            ("newsletter recipients", newsletters_services.purge_old_recipients),
            ("unconfirmed follows", follows_services.purge_unconfirmed),
            ("follows of consultations long closed", follows_services.purge_long_closed),
            ("direction mail opt-outs nobody needs", directions_mail.purge_unneeded_opt_outs),
            ("video play rows", videos_services.purge_video_plays),
        ),
    )
    return app


def _fill_instance_defaults(app: Flask) -> None:
    """Defaults that live in the instance folder: database, secret, uploads."""
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'odkrywka.db'}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _load_or_create_secret(instance / "secret_key")
    if not app.config.get("UPLOAD_DIR"):
        app.config["UPLOAD_DIR"] = str(instance / "uploads")


def _load_or_create_secret(path: Path) -> str:
    """Read the install's secret key, creating it (0600) on first start."""
    import secrets

    try:
        return path.read_text().strip() or _read_when_written(path)
    except FileNotFoundError:
        pass
    key = secrets.token_hex(32)
    # O_EXCL: when several workers start at once only one writes the key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_when_written(path)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _read_when_written(path: Path) -> str:
    """Another worker created the file a moment ago: wait for its key."""
    import time

    for _ in range(50):
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.02)
    raise RuntimeError(f"{path} exists but stays empty; delete it and start again")
