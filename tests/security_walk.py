"""Walk the app's URL map with real objects from the demo, so tests cover
every route, including ones added later."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from werkzeug.routing import Rule

from app.extensions import db
from app.models import (
    Article,
    ArticleRevision,
    Category,
    Comment,
    Direction,
    DirectionIdea,
    FundingApplication,
    Idea,
    IdeaStatus,
    Milestone,
    Newsletter,
    Phase,
    Process,
    Registration,
    ReplyTemplate,
    Support,
    Tag,
    Video,
    Workshop,
    WorkshopGroup,
)


def load_demo_with_extras(app, make) -> dict[str, Any]:  # noqa: ANN001
    """Load the demo, add what it lacks; returns objects' ids and tokens."""
    from app.catalogue.services import support_link_token
    from app.demo.loader import load_demo
    from app.follows import services as follows
    from app.workshops.services import link_token

    with app.app_context():
        load_demo()
        db.session.commit()
    other = make.user(role="editor")
    tracked = make.idea(status=IdeaStatus.AWAITING_REVIEW)
    with app.test_request_context():
        idea = db.session.scalars(
            select(Idea).where(Idea.status == IdeaStatus.PUBLISHED).order_by(Idea.id)
        ).first()
        workshop = db.session.scalars(select(Workshop).order_by(Workshop.starts_at.desc())).first()
        group = db.session.scalars(
            select(WorkshopGroup).where(WorkshopGroup.workshop_id == workshop.id)
        ).first() or WorkshopGroup(workshop_id=workshop.id, name="Grupa testowa")
        db.session.add(group)
        article = db.session.scalars(select(Article).order_by(Article.id)).first()
        revision = db.session.scalars(
            select(ArticleRevision).where(ArticleRevision.article_id == article.id)
        ).first()
        process = db.session.scalars(select(Process).order_by(Process.id)).first()
        phase = db.session.scalars(select(Phase).where(Phase.process_id == process.id)).first()
        template = db.session.scalars(select(ReplyTemplate)).first() or ReplyTemplate(
            title="Szablon", body="Treść szablonu odpowiedzi."
        )
        db.session.add(template)
        registration = db.session.scalars(select(Registration)).first()
        tag = db.session.scalars(select(Tag)).first()
        support = db.session.scalars(select(Support).order_by(Support.id)).first()
        comment = db.session.scalars(select(Comment).order_by(Comment.id)).first()
        follow = follows.subscribe("obserwuje@example.org", process=process)
        follow.confirmed_at = follow.follower.confirmed_at = follow.created_at
        direction = db.session.scalars(select(Direction).order_by(Direction.id)).first()
        link = db.session.scalars(select(DirectionIdea).order_by(DirectionIdea.id)).first()
        milestone = db.session.scalars(select(Milestone).order_by(Milestone.id)).first()
        application = db.session.scalars(
            select(FundingApplication).order_by(FundingApplication.id)
        ).first()
        video = db.session.scalars(select(Video).order_by(Video.id)).first()
        newsletter = Newsletter(subject="Próbny", body="Treść.", segments=[], status="draft")
        db.session.add(newsletter)
        db.session.commit()
        return {
            "idea_id": idea.id,
            "user_id": other.id,
            "article_id": article.id,
            "revision_id": revision.id if revision else 1,
            "category_id": db.session.scalars(select(Category)).first().id,
            "process_id": process.id,
            "phase_id": phase.id,
            "template_id": template.id,
            "workshop_id": workshop.id,
            "group_id": group.id,
            "number": 1,
            "name": "missing.jpg",
            "filename": "css/site.css",
            "token": tracked.track_token,
            "registration_token": link_token(registration) if registration else "x" * 43,
            "registration_id": registration.id if registration else 1,
            "message_id": 1,
            "comment_id": comment.id if comment else 1,
            "direction_id": direction.id,
            "link_id": link.id,
            "milestone_id": milestone.id,
            "application_id": application.id,
            "video_id": video.id,
            "lang": "pl",
            "support_token": support_link_token(support) if support else "x" * 48,
            "follow_token": follows.manage_token(follow.follower),
            "subscription_id": follow.id,
            "newsletter_id": newsletter.id,
            "slugs": {
                "workshops": workshop.slug,
                "articles": article.slug,
                "processes": process.slug,
                "consultation_report": process.slug,
                "staff_reports": process.slug,
                "tag": tag.slug if tag else "x",
                "catalogue": idea.slug,
                "follows": process.slug,
                "directions": direction.slug,
                "videos": video.slug,
            },
        }


def url_for_rule(rule: Rule, objects: dict[str, Any]) -> str | None:
    """A concrete URL for *rule* built with real objects (None if impossible)."""
    values: dict[str, Any] = {}
    for argument in rule.arguments:
        if argument == "slug":
            if rule.endpoint == "articles.tag":
                values[argument] = objects["slugs"]["tag"]
            else:
                blueprint = rule.endpoint.split(".")[0]
                values[argument] = objects["slugs"].get(blueprint, "x")
        elif argument == "token" and rule.endpoint.startswith("workshops."):
            values[argument] = objects["registration_token"]
        elif argument == "token" and rule.endpoint.startswith("catalogue.support_"):
            values[argument] = objects["support_token"]
        elif argument == "token" and rule.endpoint == "follows.unsubscribe":
            # The one view exempt from CSRF (RFC 8058); tests/test_follows.py
            # checks that it stops one follow and nothing else.
            values[argument] = "x" * 48
        elif argument == "token" and rule.endpoint == "newsletters.unsubscribe":
            # Exempt from CSRF too (RFC 8058); tests/test_newsletters.py checks
            # that it stops what brought the newsletter and nothing else.
            values[argument] = "x" * 48
        elif argument == "token" and rule.endpoint.startswith("follows."):
            values[argument] = objects["follow_token"]
        elif argument in objects:
            values[argument] = objects[argument]
        else:
            return None
    try:
        return rule.build(values, append_unknown=False)[1]
    except Exception:  # noqa: BLE001 - a converter refused the value
        return None


def rules(app, method: str) -> list[Rule]:  # noqa: ANN001
    return sorted(
        (rule for rule in app.url_map.iter_rules() if method in (rule.methods or ())),
        key=lambda rule: rule.rule,
    )
