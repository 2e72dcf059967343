"""Command-line interface: users and demo content."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Category, Direction, Idea, Process, User

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a long enough password"


def test_users_create_prompts_for_the_password_twice(app, runner):
    result = runner.invoke(
        args=["users", "create", "Anna@Example.org", "--role", "admin", "--name", "Anna Nowak"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        assert (user.email, user.role, user.name) == ("anna@example.org", "admin", "Anna Nowak")
        assert user.check_password(PASSWORD)
        assert db.session.scalar(select(AuditEntry).filter_by(action="user.created"))


@pytest.mark.slow
@pytest.mark.network
def test_users_create_reads_a_piped_password_in_a_real_process(database_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "x" * 32}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "users", "create",
         "piped@example.org", "--role", "editor", "--name", "Piotr Potok"],
        input=f"{PASSWORD}\n{PASSWORD}\n", capture_output=True, text=True, cwd=ROOT, env=env,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    listing = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "users", "list"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
    )  # fmt: skip
    assert "piped@example.org\teditor\tactive\tPiotr Potok" in listing.stdout


def test_users_create_refuses_mismatched_passwords(app, runner):
    result = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "editor", "--name", "A"],
        input=f"{PASSWORD}\nsomething else entirely\n",
    )
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_users_create_refuses_a_short_password(app, runner):
    result = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "editor", "--name", "A"],
        input="short\nshort\n",
    )
    assert result.exit_code == 1
    assert "12" in result.output


def test_users_create_refuses_an_unknown_role(runner):
    result = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "king", "--name", "A"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 2
    assert "king" in result.output


def test_users_create_refuses_a_duplicate_email(runner, make):
    user = make.user()
    result = runner.invoke(
        args=["users", "create", user.email.upper(), "--role", "editor", "--name", "B"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 1
    assert "już istnieje" in result.output


def test_users_list_and_deactivate(app, runner, make):
    user = make.user(role="moderator", name="Marek Moderator")
    assert "Marek Moderator" in runner.invoke(args=["users", "list"]).output
    result = runner.invoke(args=["users", "deactivate", user.email])
    assert result.exit_code == 0
    with app.app_context():
        row = db.session.get(User, user.id)
        assert row.active is False
        assert row.session_version == user.session_version + 1
    assert "deactivated" in runner.invoke(args=["users", "list"]).output
    assert runner.invoke(args=["users", "deactivate", "nobody@example.org"]).exit_code == 1


def _counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Process, Category, Idea, User)
        }


def test_demo_load_is_idempotent_and_creates_no_accounts(app, runner):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    after_first = _counts(app)
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0
    assert _counts(app) == after_first
    assert after_first["Process"] == 1
    assert after_first["Idea"] >= 12
    assert after_first["User"] == 0


def test_demo_consultation_accepts_ideas_now_and_has_the_named_ideas(app, runner):
    runner.invoke(args=["demo", "load"])
    with app.app_context():
        process = db.session.scalars(select(Process)).one()
        assert process.accepts_ideas()
        titles = set(db.session.scalars(select(Idea.title)))
        for title in (
            "Opera na odkrywce",
            "Zintegrowany city camping",
            "Kampanie PR w zakresie integracji wielopokoleniowej",
        ):
            assert title in titles
        # Development directions built from the demo ideas, one with a submitted
        # funding application and one with a granted one.
        directions = db.session.scalars(select(Direction).order_by(Direction.position)).all()
        assert 2 <= len(directions) <= 3
        taken_up = {link.idea.title for link in directions[0].links}
        assert {"Opera na odkrywce", "Zintegrowany city camping"} <= taken_up
        assert {"submitted", "granted"} <= {a.status for d in directions for a in d.applications}


def test_demo_load_if_empty_leaves_existing_content_alone(app, runner, make):
    make.process()
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0
    assert _counts(app)["Process"] == 1
