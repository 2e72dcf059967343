"""Migrations build, from an empty database, exactly the schema the models describe."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from config import TestConfig
from tests.conftest import ON_POSTGRES, TEST_DATABASE_URL

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    admin_url = make_url(TEST_DATABASE_URL)
    name = f"odkrywka_migrate_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield admin_url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _differences(app) -> list:
    from app.search import include_object

    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_object": include_object, "compare_type": True}
        )
        return compare_metadata(context, db.metadata)


def test_flask_db_upgrade_from_empty_matches_the_models(empty_database_url):
    env = {**os.environ, "DATABASE_URL": empty_database_url, "SECRET_KEY": "k" * 32}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        assert _differences(app) == []
        db.engine.dispose()


def test_migrations_install_the_full_text_index(empty_database_url):
    """On a database built by the migrations alone, an idea published later
    is found by a search (on SQLite a revision that rebuilt ``ideas`` once
    dropped the index's triggers with the old table)."""
    from app.models import Category, Idea, IdeaStatus, Process, utcnow
    from app.search import IdeaSearch, search_ideas

    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        flask_migrate.upgrade()
        names = inspect(db.engine)
        if ON_POSTGRES:
            assert "ix_ideas_search_fts" in {i["name"] for i in names.get_indexes("ideas")}
        else:
            assert "ideas_fts" in names.get_table_names()
            triggers = db.session.scalars(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
            ).all()
            assert {"ideas_fts_ad", "ideas_fts_ai", "ideas_fts_au"} <= set(triggers)
        process = Process(slug="proces", title="Konsultacja", published=True)
        category = Category(slug="energia", name="Energia")
        db.session.add_all([process, category])
        db.session.flush()
        idea = Idea(title="Wodorowa linia autobusowa", description="Autobusy na wodór między gminami.",
                    process_id=process.id, category_id=category.id, status=IdeaStatus.AWAITING_REVIEW,
                    email="autor@example.org", submitted_at=utcnow())  # fmt: skip
        db.session.add(idea)
        db.session.commit()
        idea.status, idea.published_at = IdeaStatus.PUBLISHED, utcnow()
        db.session.commit()
        items, total = search_ideas(IdeaSearch(q="wodorowe autobusy"))
        assert total == 1 and items[0].title == "Wodorowa linia autobusowa"
        db.session.remove()
        db.engine.dispose()


def test_migrations_downgrade_to_empty_and_up_again(empty_database_url):
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        flask_migrate.upgrade()
        flask_migrate.downgrade(revision="base")
        remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        flask_migrate.upgrade()
        assert _differences(app) == []
        db.engine.dispose()


def test_the_migration_history_has_a_single_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
