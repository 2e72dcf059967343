"""What staff may see before the public: an unpublished idea's attachment
(moderators, administrators) and a draft article (editors, administrators),
each through the permission table; an administrator who still has to set up
two-factor sign-in sees only what the public sees."""

from __future__ import annotations

import io

import pytest
from werkzeug.datastructures import FileStorage

from app.extensions import db
from app.models import Attachment, IdeaStatus
from app.security.permissions import PERMISSIONS
from app.uploads import save_file, validate_upload
from tests.articles_support import make_article
from tests.submission_support import image_bytes


def unpublished_idea_with_attachment(make, app) -> int:  # noqa: ANN001
    idea = make.idea(status=IdeaStatus.AWAITING_REVIEW)
    with app.test_request_context():
        processed = validate_upload(
            FileStorage(io.BytesIO(image_bytes("PNG")), filename="plan.png")
        )
        db.session.add(
            Attachment(
                idea_id=idea.id,
                stored_name=save_file(processed),
                original_name=processed.original_name,
                content_type=processed.content_type,
                size=processed.size,
            )
        )
        db.session.commit()
    return idea.id


def test_the_table_gives_unpublished_ideas_to_moderation_and_drafts_to_editing():
    assert PERMISSIONS["see_unpublished_ideas"] == {"admin", "moderator"}
    assert PERMISSIONS["preview_articles"] == {"admin", "editor"}


@pytest.mark.parametrize(
    ("role", "status"), [(None, 404), ("editor", 404), ("moderator", 200), ("admin", 200)]
)
def test_an_unpublished_ideas_attachment_by_role(app, client, make, login, role, status):
    idea_id = unpublished_idea_with_attachment(make, app)
    if role:
        login(role)
    response = client.get(f"/ideas/{idea_id}/attachment")
    assert response.status_code == status
    if status == 200:
        assert response.headers["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("role", "status"), [(None, 404), ("moderator", 404), ("editor", 200), ("admin", 200)]
)
def test_a_draft_article_by_role(app, client, login, role, status):
    make_article(app, state="draft", slug="szkic")
    if role:
        login(role)
    assert client.get("/articles/szkic").status_code == status


def test_an_admin_without_two_factor_sees_neither_until_it_is_set_up(make_app, make):
    app = make_app(TWO_FACTOR_REQUIRED_ROLES=("admin",))
    client = app.test_client()
    idea_id = unpublished_idea_with_attachment(make, app)
    make_article(app, state="draft", slug="szkic")
    admin = make.user(role="admin")
    client.post("/staff/login", data={"email": admin.email, "password": make.PASSWORD})
    # The panel sends the administrator to the set-up page ...
    assert client.get("/staff/").headers["Location"].endswith("/staff/account/two-factor")
    # ... and outside it the unpublished content is not there for them either.
    assert client.get(f"/ideas/{idea_id}/attachment").status_code == 404
    assert client.get("/articles/szkic").status_code == 404
