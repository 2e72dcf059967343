"""flask demo generate --ideas N: many searchable synthetic published ideas."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Idea, IdeaStatus
from app.search import index_text


def test_generate_adds_published_searchable_varied_ideas(app, runner, client):
    result = runner.invoke(args=["demo", "generate", "--ideas", "300"])
    assert result.exit_code == 0, result.output
    assert "Added 300 ideas." in result.output
    with app.app_context():
        ideas = db.session.scalars(select(Idea)).all()
        assert len(ideas) == 300
        assert {idea.status for idea in ideas} == {IdeaStatus.PUBLISHED}
        assert len({idea.title for idea in ideas}) > 150
        for idea in ideas[:50]:
            assert idea.search_text == index_text(idea.title, idea.description)
            assert idea.search_title == index_text(idea.title)
            assert idea.email is None
        statuses = db.session.scalars(select(Idea.result_status).distinct()).all()
        assert len(statuses) >= 4
        assert db.session.scalar(select(func.max(Idea.supports_count))) > 0
        with_lodz = sum(1 for idea in ideas if "Łodzi" in idea.title)
    total = client.get("/api/v1/ideas?q=lodzi").get_json()["total"]
    assert total >= with_lodz > 0


def test_generate_twice_adds_more(app, runner):
    runner.invoke(args=["demo", "generate", "--ideas", "20"])
    runner.invoke(args=["demo", "generate", "--ideas", "30"])
    with app.app_context():
        assert db.session.scalar(select(func.count(Idea.id))) == 50


def test_generate_refuses_nonsense_counts(runner):
    assert runner.invoke(args=["demo", "generate", "--ideas", "0"]).exit_code != 0
    assert runner.invoke(args=["demo", "generate", "--ideas", "abc"]).exit_code != 0
