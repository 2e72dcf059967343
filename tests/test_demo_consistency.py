"""The demo agrees with itself (a meeting's participants on /results, its
registrations and attendance in staff, its article) and uses times a person
would set (no deadline at the minute the demo happened to be loaded)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Article, Process, Registration, Workshop
from app.results.stats import collect
from app.timeutil import utc_to_local


def test_demo_numbers_and_times_agree(app, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        held = db.session.scalars(
            select(Workshop).where(Workshop.participants_count.is_not(None))
        ).all()
        assert held
        for workshop in held:
            present = db.session.scalar(
                select(func.count()).select_from(Registration).where(
                    Registration.workshop_id == workshop.id,
                    Registration.status == "confirmed",
                    Registration.attended.is_not(False),
                )
            )
            assert present == workshop.participants_count, workshop.slug
            assert workshop.capacity is None or workshop.places_taken <= workshop.capacity
            if workshop.groups:
                assert sum(g.participants_count or 0 for g in workshop.groups) == present
        opening = next(w for w in held if w.kind == "expert_meeting")
        article = db.session.scalar(select(Article).where(Article.lead.contains("osób")))
        assert f"{opening.participants_count} osób" in article.lead
        # Who took part by group adds up to everyone present.
        stats = collect()
        assert sum(n for _group, n in stats.by_group) == stats.participants
        process = db.session.scalars(select(Process)).one()
        closes = utc_to_local(process.closes_at)
        opens = utc_to_local(process.opens_at)
        assert (closes.hour, closes.minute) == (23, 59)
        assert (opens.hour, opens.minute) == (9, 0)
