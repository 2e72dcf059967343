"""Moderation decisions: every transition the lifecycle allows and refuses,
bad input, publication edits, merging, reply templates and bulk decisions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Idea,
    IdeaStatus,
    ReplyTemplate,
    Report,
    Support,
    utcnow,
)
from app.moderation.services import ALLOWED_FROM
from app.search import index_text
from tests.moderation_support import (
    add_event,
    add_report,
    add_support,
    audit_rows,
    decide,
    events_of,
    outbox,
    snapshot,
)

S = IdeaStatus
ALL_ACTIONS = ["publish", "reject", "request_changes", "merge", "hide"]
TARGET_STATUS = {
    "publish": S.PUBLISHED,
    "reject": S.REJECTED,
    "request_changes": S.CHANGES_REQUESTED,
    "merge": S.MERGED,
    "hide": S.HIDDEN,
}
ALLOWED = [(status.value, action) for action, froms in ALLOWED_FROM.items() for status in froms]
REFUSED = [
    (status.value, action)
    for status in S
    for action in ALL_ACTIONS
    if (status.value, action) not in ALLOWED
]


def test_the_lifecycle_table_is_the_one_the_issue_describes():
    assert sorted(ALLOWED) == sorted(
        [
            ("awaiting_review", "publish"),
            ("awaiting_review", "reject"),
            ("awaiting_review", "request_changes"),
            ("awaiting_review", "merge"),
            ("changes_requested", "publish"),
            ("changes_requested", "reject"),
            ("changes_requested", "merge"),
            ("published", "hide"),
            ("published", "merge"),
            ("hidden", "publish"),
        ]
    )


def _fields_for(action: str, make) -> dict:  # noqa: ANN001
    if action == "publish":
        return {}
    fields = {"reason": "Powód decyzji dla autora."}
    if action == "merge":
        fields["merge_into"] = make.idea(status=S.PUBLISHED).id
    return fields


# --- allowed and refused transitions ------------------------------------


@pytest.mark.parametrize(("from_status", "action"), ALLOWED)
def test_allowed_transition_changes_state_and_records_history_and_audit(
    app, client, make, moderator, from_status, action
):
    idea = make.idea(status=from_status)
    fields = _fields_for(action, make)
    response = decide(client, idea, action, **fields)
    assert response.status_code == 303, response.get_data(as_text=True)

    after = make.get(Idea, idea.id)
    assert after.status == TARGET_STATUS[action]
    assert after.version == idea.version + 1
    [event] = [e for e in events_of(app, idea.id) if e.actor_id == moderator.id]
    assert (event.from_status, event.to_status) == (from_status, TARGET_STATUS[action])
    assert event.message == fields.get("reason")
    [row] = audit_rows(app, action=f"idea.{action}", object_id=idea.id)
    assert row.actor_id == moderator.id
    assert row.object_type == "ideas"
    assert (row.from_state, row.to_state) == (from_status, TARGET_STATUS[action])
    assert row.reason == fields.get("reason")
    assert [m.recipient for m in outbox(app)] == [idea.email]


@pytest.mark.parametrize(("from_status", "action"), REFUSED)
def test_refused_transition_is_a_conflict_and_changes_nothing(
    app, client, make, moderator, from_status, action
):
    idea = make.idea(status=from_status)
    fields = _fields_for(action, make)
    before = snapshot(app, idea.id)
    response = decide(client, idea, action, **fields)
    assert response.status_code == 409
    assert "nie można podjąć" in response.get_data(as_text=True)
    assert snapshot(app, idea.id) == before


# --- bad input ----------------------------------------------------------


@pytest.mark.parametrize("action", ["reject", "request_changes", "merge", "hide"])
def test_a_decision_other_than_publish_needs_a_reason(app, client, make, moderator, action):
    idea = make.idea(status=S.PUBLISHED if action == "hide" else S.AWAITING_REVIEW)
    fields = _fields_for(action, make)
    fields["reason"] = "   "
    before = snapshot(app, idea.id)
    response = decide(client, idea, action, **fields)
    assert response.status_code == 400
    assert "Podaj uzasadnienie" in response.get_data(as_text=True)
    assert snapshot(app, idea.id) == before


def test_publish_needs_no_reason(app, client, make, moderator):
    idea = make.idea(status=S.AWAITING_REVIEW)
    assert decide(client, idea, "publish").status_code == 303
    assert make.get(Idea, idea.id).status == S.PUBLISHED


@pytest.mark.parametrize("action", ["delete", "approve", "", None, "PUBLISH"])
def test_unknown_action_is_refused(app, client, make, moderator, action):
    idea = make.idea(status=S.AWAITING_REVIEW)
    before = snapshot(app, idea.id)
    response = decide(client, idea, action, reason="Powód")
    assert response.status_code == 400
    assert "Nieznana decyzja" in response.get_data(as_text=True)
    assert snapshot(app, idea.id) == before


def test_merge_into_itself_is_refused(app, client, make, moderator):
    idea = make.idea(status=S.PUBLISHED)
    before = snapshot(app, idea.id)
    response = decide(client, idea, "merge", reason="Duplikat", merge_into=idea.id)
    assert response.status_code == 400
    assert "z nim samym" in response.get_data(as_text=True)
    assert snapshot(app, idea.id) == before


@pytest.mark.parametrize(
    "target_status", [S.AWAITING_REVIEW, S.REJECTED, S.HIDDEN, S.MERGED, S.UNCONFIRMED]
)
def test_merge_into_an_unpublished_idea_is_refused(app, client, make, moderator, target_status):
    idea = make.idea(status=S.AWAITING_REVIEW)
    target = make.idea(status=target_status)
    before, before_target = snapshot(app, idea.id), snapshot(app, target.id)
    response = decide(client, idea, "merge", reason="Duplikat", merge_into=target.id)
    assert response.status_code == 400
    assert "tylko z opublikowanym" in response.get_data(as_text=True)
    assert snapshot(app, idea.id) == before
    assert snapshot(app, target.id) == before_target


@pytest.mark.parametrize(
    ("merge_into", "message"),
    [("999999", "Nie ma pomysłu o numerze 999999"), ("", "Podaj numer"), ("abc", "liczbą")],
)
def test_merge_needs_an_existing_target(app, client, make, moderator, merge_into, message):
    idea = make.idea(status=S.AWAITING_REVIEW)
    before = snapshot(app, idea.id)
    response = decide(client, idea, "merge", reason="Duplikat", merge_into=merge_into)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert snapshot(app, idea.id) == before


def test_decision_on_an_idea_that_does_not_exist_is_404(client, moderator):
    response = client.post("/staff/ideas/424242/decision", data={"action": "publish", "version": 1})
    assert response.status_code == 404


def test_a_stale_version_is_refused_with_a_clear_message(app, client, make, moderator):
    idea = make.idea(status=S.AWAITING_REVIEW, version=3)
    before = snapshot(app, idea.id)
    response = decide(client, idea, "publish", version=2)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "zmienił się" in body
    assert 'name="version" value="3"' in body
    assert snapshot(app, idea.id) == before


def test_a_missing_version_is_refused(app, client, make, moderator):
    idea = make.idea(status=S.AWAITING_REVIEW)
    before = snapshot(app, idea.id)
    response = client.post(f"/staff/ideas/{idea.id}/decision", data={"action": "publish"})
    assert response.status_code == 400
    assert "Brakuje wersji" in response.get_data(as_text=True)
    assert snapshot(app, idea.id) == before


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_forged_form_without_csrf_token_is_refused(app, client, make):
    user = make.user(role="moderator")
    # Sign in with a real token, then send the decision without one.
    page = client.get("/staff/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/staff/login",
        data={"email": user.email, "password": make.PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302
    idea = make.idea(status=S.AWAITING_REVIEW)
    before = snapshot(app, idea.id)
    response = decide(client, idea, "reject", reason="Podrobiony formularz")
    assert response.status_code == 400
    assert "Formularz wygasł" in response.get_data(as_text=True)
    assert snapshot(app, idea.id) == before


def test_publication_edits_are_checked_like_the_form(app, client, make, moderator):
    idea = make.idea(status=S.AWAITING_REVIEW)
    before = snapshot(app, idea.id)
    response = decide(client, idea, "publish", public_title="Abc")
    assert response.status_code == 400
    assert "Tytuł musi mieć od 5 do 150 znaków" in response.get_data(as_text=True)
    response = decide(client, idea, "publish", public_description="Za krótko.")
    assert response.status_code == 400
    assert snapshot(app, idea.id) == before


# --- publishing ---------------------------------------------------------


def test_publish_with_edits_keeps_the_original_and_updates_search(app, client, make, moderator):
    idea = make.idea(
        status=S.AWAITING_REVIEW,
        title="opera na odkrywcee",
        description="Festiwal operowy na dnie odkrywki, z widownią na skarpach i dojazdem.",
    )
    add_event(
        app,
        idea.id,
        "submitted",
        actor_label="author",
        to_status="unconfirmed",
        data={"title": idea.title, "description": idea.description},
    )
    new_text = "Festiwal operowy na dnie odkrywki: widownia na skarpach, dojazd autobusami."
    response = decide(
        client, idea, "publish", public_title="Opera na odkrywce", public_description=new_text
    )
    assert response.status_code == 303

    after = make.get(Idea, idea.id)
    assert (after.title, after.description) == ("Opera na odkrywce", new_text)
    assert after.search_text == index_text("Opera na odkrywce", new_text)
    assert "autobusami" in after.search_text
    assert after.published_at is not None
    events = events_of(app, idea.id)
    assert events[0].data == {"title": idea.title, "description": idea.description}
    edits = events[-1].data["edits"]
    assert edits["title"] == {"old": "opera na odkrywcee", "new": "Opera na odkrywce"}
    assert edits["description"]["old"] == idea.description
    assert edits["description"]["new"] == new_text
    [row] = audit_rows(app, action="idea.publish")
    assert row.data["edits"]["title"]["new"] == "Opera na odkrywce"

    review = client.get(f"/staff/ideas/{idea.id}").get_data(as_text=True)
    assert "opera na odkrywcee" in review  # the text as sent is still shown
    assert "Wersja publiczna" in review


def test_publishing_again_after_hiding_keeps_the_first_publication_date(
    app, client, make, moderator
):
    first = utcnow() - timedelta(days=5)
    idea = make.idea(status=S.HIDDEN, published_at=first)
    assert decide(client, idea, "publish").status_code == 303
    after = make.get(Idea, idea.id)
    assert after.status == S.PUBLISHED
    assert abs(after.published_at - first) < timedelta(seconds=1)


def test_unchanged_publication_fields_record_no_edits(app, client, make, moderator):
    idea = make.idea(status=S.AWAITING_REVIEW)
    response = decide(
        client, idea, "publish", public_title=idea.title, public_description=idea.description
    )
    assert response.status_code == 303
    assert events_of(app, idea.id)[-1].data is None


# --- merging ------------------------------------------------------------


def test_merge_moves_supports_and_counts_each_supporter_once(app, client, make, moderator):
    target = make.idea(status=S.PUBLISHED)
    source = make.idea(status=S.PUBLISHED)
    add_support(app, target.id, "wspolny@example.org")
    add_support(app, target.id, "tylko-cel@example.org")
    add_support(app, target.id, "potwierdzi-zrodlo@example.org", confirmed=False)
    add_support(app, source.id, "wspolny@example.org")
    add_support(app, source.id, "WSPOLNY@example.org", confirmed=False)
    add_support(app, source.id, "potwierdzi-zrodlo@example.org", notify=True)
    add_support(app, source.id, "tylko-zrodlo@example.org")
    add_support(app, source.id, "niepotwierdzony@example.org", confirmed=False)
    with app.app_context():
        db.session.execute(
            Idea.__table__.update().where(Idea.id == target.id).values(supports_count=2)
        )
        db.session.execute(
            Idea.__table__.update().where(Idea.id == source.id).values(supports_count=3)
        )
        db.session.commit()
    add_report(app, source.id)

    response = decide(client, source, "merge", reason="To ten sam pomysł.", merge_into=target.id)
    assert response.status_code == 303

    with app.app_context():
        supports = db.session.scalars(select(Support).order_by(Support.email)).all()
        by_idea = {(s.idea_id, s.email.lower()): s for s in supports}
        assert all(s.idea_id == target.id for s in supports)
        emails = sorted(s.email.lower() for s in supports)
        assert emails == sorted(set(emails))  # each supporter once
        assert emails == [
            "niepotwierdzony@example.org",
            "potwierdzi-zrodlo@example.org",
            "tylko-cel@example.org",
            "tylko-zrodlo@example.org",
            "wspolny@example.org",
        ]
        merged_support = by_idea[(target.id, "potwierdzi-zrodlo@example.org")]
        assert merged_support.confirmed_at is not None  # confirmed on the source
        assert merged_support.notify is True
        assert db.session.scalar(select(Report.resolution)) == "merged"

    after_target, after_source = make.get(Idea, target.id), make.get(Idea, source.id)
    assert (
        after_target.supports_count == 4
    )  # confirmed: wspolny, tylko-cel, potwierdzi, tylko-zrodlo
    assert after_target.status == S.PUBLISHED
    assert after_source.status == S.MERGED
    assert after_source.merged_into_id == target.id
    assert after_source.supports_count == 0
    assert any(e.kind == "merged_from" for e in events_of(app, target.id))
    [row] = audit_rows(app, action="idea.merge")
    assert row.data["merged_into"] == target.id
    assert row.data["supports_moved"] == 2
    assert row.data["supports_merged"] == 3


def test_merged_idea_page_redirects_to_the_target(app, client, make, moderator):
    if "catalogue.detail" not in app.view_functions:
        pytest.skip("public idea page not built")
    target = make.idea(status=S.PUBLISHED)
    source = make.idea(status=S.PUBLISHED)
    assert (
        decide(client, source, "merge", reason="Duplikat", merge_into=target.id).status_code == 303
    )
    response = client.get(f"/ideas/{source.id}")
    assert response.status_code in (301, 302, 303, 308)
    assert f"/ideas/{target.id}" in response.headers["Location"]


# --- hiding and reports -------------------------------------------------


def test_hiding_a_reported_idea_closes_its_reports(app, client, make, moderator):
    idea = make.idea(status=S.PUBLISHED)
    add_report(app, idea.id)
    add_report(app, idea.id, "Reklama firmy, a nie pomysł.")
    response = decide(client, idea, "hide", reason="Treść reklamowa.")
    assert response.status_code == 303
    with app.app_context():
        reports = db.session.scalars(select(Report)).all()
        assert {r.resolution for r in reports} == {"hidden"}
        assert all(r.resolved_by_id == moderator.id for r in reports)


def test_dismissing_reports_keeps_the_idea_and_is_audited(app, client, make, moderator):
    idea = make.idea(status=S.PUBLISHED)
    add_report(app, idea.id)
    response = client.post(
        f"/staff/ideas/{idea.id}/reports/dismiss", data={"note": "Zgłoszenie bez podstaw."}
    )
    assert response.status_code == 303
    assert make.get(Idea, idea.id).status == S.PUBLISHED
    assert make.count(Report, resolution="dismissed") == 1
    [row] = audit_rows(app, action="idea.reports_dismissed")
    assert row.reason == "Zgłoszenie bez podstaw."
    assert row.data == {"reports": 1}
    # A second click finds nothing open and records nothing more.
    client.post(f"/staff/ideas/{idea.id}/reports/dismiss", data={})
    assert len(audit_rows(app, action="idea.reports_dismissed")) == 1


# --- reply templates ----------------------------------------------------


def test_reply_templates_can_be_created_edited_and_deleted(app, client, make, moderator):
    response = client.post(
        "/staff/moderation/templates/new",
        data={
            "title": "Dane osobowe",
            "action": "reject",
            "body": "Opis zawiera dane osobowe innej osoby.",
            "active": "y",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        template = db.session.scalar(select(ReplyTemplate))
        template_id = template.id
    assert "Dane osobowe" in client.get("/staff/moderation/templates").get_data(as_text=True)
    response = client.post(
        f"/staff/moderation/templates/{template_id}",
        data={"title": "Dane osobowe", "action": "", "body": "Nowa treść szablonu.", "active": "y"},
    )
    assert response.status_code == 303
    changed = make.get(ReplyTemplate, template_id)
    assert (changed.body, changed.action) == ("Nowa treść szablonu.", None)
    assert client.post(
        f"/staff/moderation/templates/{template_id}/delete", data={"confirm": "y"}
    ).status_code == 303
    assert make.get(ReplyTemplate, template_id) is None
    actions = [row.action for row in audit_rows(app, object_type="reply_templates")]
    assert actions == [
        "reply_template.created",
        "reply_template.updated",
        "reply_template.deleted",
    ]


def test_invalid_reply_template_form_is_re_rendered_with_errors(client, moderator):
    response = client.post("/staff/moderation/templates/new", data={"title": "", "body": ""})
    assert response.status_code == 400
    assert "Podaj nazwę szablonu." in response.get_data(as_text=True)


def test_without_javascript_an_empty_reason_takes_the_template_text(app, client, make, moderator):
    with app.app_context():
        template = ReplyTemplate(title="Poza tematem", body="Pomysł nie dotyczy regionu.")
        db.session.add(template)
        db.session.commit()
        template_id = template.id
    idea = make.idea(status=S.AWAITING_REVIEW)
    page = client.get(f"/staff/ideas/{idea.id}").get_data(as_text=True)
    assert 'data-body="Pomysł nie dotyczy regionu."' in page
    response = decide(client, idea, "reject", reason="", reply_template=template_id)
    assert response.status_code == 303
    assert events_of(app, idea.id)[-1].message == "Pomysł nie dotyczy regionu."


def test_a_typed_reason_wins_over_the_template(app, client, make, moderator):
    with app.app_context():
        template = ReplyTemplate(title="Poza tematem", body="Pomysł nie dotyczy regionu.")
        db.session.add(template)
        db.session.commit()
        template_id = template.id
    idea = make.idea(status=S.AWAITING_REVIEW)
    decide(client, idea, "reject", reason="Własne słowa.", reply_template=template_id)
    assert events_of(app, idea.id)[-1].message == "Własne słowa."


# --- bulk decisions -----------------------------------------------------


def test_bulk_publish_decides_each_selected_idea(app, client, make, moderator):
    first = make.idea(status=S.AWAITING_REVIEW)
    second = make.idea(status=S.CHANGES_REQUESTED)
    untouched = make.idea(status=S.AWAITING_REVIEW)
    response = client.post(
        "/staff/moderation/bulk",
        data={
            "action": "publish",
            "selected": [f"{first.id}:{first.version}", f"{second.id}:{second.version}"],
        },
    )
    assert response.status_code == 303
    assert make.get(Idea, first.id).status == S.PUBLISHED
    assert make.get(Idea, second.id).status == S.PUBLISHED
    assert make.get(Idea, untouched.id).status == S.AWAITING_REVIEW
    assert len(audit_rows(app, action="idea.publish")) == 2
    assert len(outbox(app)) == 2


def test_bulk_reject_skips_a_stale_idea_and_decides_the_rest(app, client, make, moderator):
    fresh = make.idea(status=S.AWAITING_REVIEW)
    stale = make.idea(status=S.AWAITING_REVIEW, version=4)
    response = client.post(
        "/staff/moderation/bulk",
        data={
            "action": "reject",
            "reason": "Poza zakresem konsultacji.",
            "selected": [f"{fresh.id}:{fresh.version}", f"{stale.id}:3"],
            "confirm": "y",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert f"Pomysł nr {stale.id} pominięto" in response.get_data(as_text=True)
    assert make.get(Idea, fresh.id).status == S.REJECTED
    assert make.get(Idea, stale.id).status == S.AWAITING_REVIEW
    assert events_of(app, fresh.id)[-1].message == "Poza zakresem konsultacji."
    assert [m.recipient for m in outbox(app)] == [fresh.email]


def test_bulk_reject_without_reason_changes_nothing(app, client, make, moderator):
    idea = make.idea(status=S.AWAITING_REVIEW)
    before = snapshot(app, idea.id)
    response = client.post(
        "/staff/moderation/bulk",
        data={"action": "reject", "reason": "", "selected": [f"{idea.id}:{idea.version}"]},
    )
    assert response.status_code == 400
    assert "Podaj uzasadnienie" in response.get_data(as_text=True)
    assert snapshot(app, idea.id) == before


@pytest.mark.parametrize("action", ["hide", "merge", "nonsense"])
def test_bulk_allows_only_publish_and_reject(app, client, make, moderator, action):
    idea = make.idea(status=S.AWAITING_REVIEW)
    before = snapshot(app, idea.id)
    response = client.post(
        "/staff/moderation/bulk",
        data={"action": action, "reason": "x", "selected": [f"{idea.id}:{idea.version}"]},
    )
    assert response.status_code == 400
    assert snapshot(app, idea.id) == before


def test_bulk_with_nothing_selected_asks_for_a_selection(client, make, moderator):
    make.idea(status=S.AWAITING_REVIEW)
    response = client.post("/staff/moderation/bulk", data={"action": "publish"})
    assert response.status_code == 400
    assert "Zaznacz co najmniej jeden pomysł." in response.get_data(as_text=True)


def test_bulk_where_every_idea_is_stale_is_a_conflict(app, client, make, moderator):
    idea = make.idea(status=S.AWAITING_REVIEW, version=2)
    before = snapshot(app, idea.id)
    response = client.post(
        "/staff/moderation/bulk", data={"action": "publish", "selected": [f"{idea.id}:1"]}
    )
    assert response.status_code == 409
    assert snapshot(app, idea.id) == before


def test_the_author_reads_the_reason_on_the_tracking_page(app, client, make, moderator):
    if "ideas.track" not in app.view_functions:
        pytest.skip("tracking page not built")
    idea = make.idea(status=S.AWAITING_REVIEW)
    reason = "Prosimy dopisać, w której gminie miałby powstać ten sad."
    assert decide(client, idea, "request_changes", reason=reason).status_code == 303
    page = app.test_client().get(f"/ideas/track/{idea.track_token}")
    assert page.status_code == 200
    assert reason in page.get_data(as_text=True)
