"""One vocabulary: staff pages name statuses and sources with the labels of
app/ideas/lifecycle.py, the same words the public pages use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.ideas import lifecycle
from app.models import IdeaSource, IdeaStatus, ResultStatus

ROOT = Path(__file__).resolve().parent.parent


def _body(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_answers_list_uses_the_public_status_labels(app, client, make, login):
    login("admin")
    make.idea(result_status=ResultStatus.ACCEPTED, title="Przyjęty pomysł")
    make.idea(result_status=ResultStatus.NOT_PURSUED, title="Niepodjęty pomysł")
    html = _body(client, "/staff/ideas?answer=all")
    with app.test_request_context():
        accepted = str(lifecycle.PUBLIC_STATUS_LABELS[ResultStatus.ACCEPTED])
        not_pursued = str(lifecycle.PUBLIC_STATUS_LABELS[ResultStatus.NOT_PURSUED])
    assert f"<td>{accepted}</td>" in html
    assert f"<td>{not_pursued}</td>" in html
    assert "niekontynuowany" not in html


def test_review_page_and_queue_name_the_source_as_the_catalogue_does(app, client, make, login):
    login("admin")
    workshop = make.workshop()
    idea = make.idea(
        status=IdeaStatus.AWAITING_REVIEW, source=IdeaSource.WORKSHOP, workshop_id=workshop.id
    )
    with app.test_request_context():
        label = lifecycle.source_label(IdeaSource.WORKSHOP)
    review = _body(client, f"/staff/ideas/{idea.id}")
    assert f"{label} – {workshop.title}" in review
    queue = _body(client, "/staff/moderation")
    assert f">{label}</option>" in queue
    assert f">{label}</span>" in queue


def test_staff_meeting_page_names_each_idea_state(app, client, make, login):
    login("admin")
    workshop = make.workshop()
    make.idea(status=IdeaStatus.MERGED, source=IdeaSource.WORKSHOP, workshop_id=workshop.id)
    html = _body(client, f"/staff/workshops/{workshop.id}")
    section = html.split('id="pomysly"', 1)[1].split("</section>", 1)[0]
    with app.test_request_context():
        assert lifecycle.staff_status_label(IdeaStatus.MERGED) in section
    assert "merged" not in section


@pytest.mark.parametrize(
    "template",
    sorted(str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*.html")),
)
def test_templates_do_not_define_their_own_status_or_source_words(template):
    text = (ROOT / template).read_text(encoding="utf-8")
    # A status or source value mapped to a translated word in a template
    # (e.g. {"not_pursued": _("niekontynuowany")}) belongs in the lifecycle.
    # ("published" and "staff" also name history events and actors.)
    values = [s.value for s in ResultStatus if s != "published"]
    values += [s.value for s in IdeaSource if s != "staff"]
    pattern = re.compile('"(' + "|".join(values) + r')"\s*:\s*_\(')
    assert not pattern.search(text)
    assert '_("Stan")' not in text
