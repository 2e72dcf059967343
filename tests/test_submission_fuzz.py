"""No input to the submission form gives a 500, and nothing is half-saved."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attachment, Idea, IdeaEvent, OutboxMessage
from tests.submission_support import image_bytes

pytestmark = pytest.mark.slow

# Any text a browser can send (no lone surrogates: they cannot be UTF-8).
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)
LONG_TEXT = st.one_of(TEXT, st.text(min_size=4990, max_size=5010, alphabet="ab ąę\n"))
FILES = st.sampled_from(
    [
        None,
        (b"", "pusty.png"),
        (b"\x89PNG\r\n\x1a\n\x00\x00garbage", "zly.png"),
        (b"<svg/>", "a.svg"),
        (b"%PDF-1.4\n", "a.pdf"),
        ("PNG", "dobry.png"),
    ]
)


VALID = {
    "title": "Ścieżka rowerowa wokół jeziora",
    "description": "Opis pomysłu, który ma dość znaków, by przejść.",
    "category": "energia",
    "process": "konsultacje",
    "author_name": "Anna",
    "email": "anna@example.org",
    "municipality": "Zelów",
    "show_author_name": "y",
    "consent": "y",
    "website": "",
}
ANY_VALUE = {
    "title": st.one_of(TEXT, st.none()),
    "description": st.one_of(LONG_TEXT, st.none()),
    "category": st.one_of(TEXT, st.none()),
    "process": st.one_of(TEXT, st.none()),
    "author_name": st.one_of(TEXT, st.none()),
    "email": st.one_of(st.emails().map(str), TEXT, st.just("a@b.pl\r\nBcc: x@y.pl"), st.none()),
    "municipality": st.one_of(TEXT, st.none()),
    "show_author_name": st.sampled_from([None, "y", "", "nie"]),
    "consent": st.sampled_from([None, "", "tak", "\x00"]),
    "website": st.sampled_from([None, "spam"]),
}


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    broken=st.sets(st.sampled_from(sorted(VALID)), max_size=4),
    values=st.fixed_dictionaries(ANY_VALUE),
    attachment=FILES,
    email_suffix=st.integers(0, 10_000),
)
def test_no_input_gives_a_500_or_leaves_half_saved_data(
    client, app, make, broken, values, attachment, email_suffix
):
    """Start from a valid submission and break any few fields at once, so
    both refusals and stored ideas are exercised."""
    if not getattr(app, "_fuzz_ready", False):
        make.process(slug="konsultacje")
        make.category(slug="energia")
        app._fuzz_ready = True
    data = dict(VALID, email=f"anna{email_suffix}@example.org")
    for name in broken:
        data[name] = values[name]
    data = {key: value for key, value in data.items() if value is not None}
    if attachment is not None:
        content, name = attachment
        if content == "PNG":
            content = image_bytes("PNG")
        data["attachment"] = (io.BytesIO(content), name)
    response = client.post("/ideas/new", data=data, content_type="multipart/form-data")
    assert response.status_code in (303, 400, 409, 429), response.status_code
    event(f"status {response.status_code}")

    with app.app_context():
        ideas = db.session.scalar(select(func.count()).select_from(Idea))
        submitted = db.session.scalar(
            select(func.count()).select_from(IdeaEvent).where(IdeaEvent.kind == "submitted")
        )
        mails = db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.template == "idea_confirm")
        )
        attachments = db.session.scalar(select(func.count()).select_from(Attachment))
    # Every stored idea has its history row and its confirmation mail; none
    # of them exists without the idea.
    assert ideas == submitted == mails
    assert attachments <= ideas
