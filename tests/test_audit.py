"""The audit log: administrators read every staff action there; nothing can
change or remove an entry."""

from __future__ import annotations

from datetime import timedelta

import click
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, IdeaStatus, utcnow
from app.models.audit import AuditLogIsAppendOnly
from tests.moderation_support import audit_rows, decide

S = IdeaStatus


def _entry(app, **fields) -> int:  # noqa: ANN001
    with app.app_context():
        entry = AuditEntry(**fields)
        db.session.add(entry)
        db.session.commit()
        return entry.id


def test_admin_reads_who_did_what_on_which_object_with_states_and_reason(app, client, make, login):
    moderator = make.user(role="moderator", name="Maria Moderatorka")
    idea = make.idea(status=S.AWAITING_REVIEW)
    _entry(
        app,
        actor_id=moderator.id,
        action="idea.reject",
        object_type="ideas",
        object_id=idea.id,
        from_state="awaiting_review",
        to_state="rejected",
        reason="Poza zakresem konsultacji.",
        data={"reports_resolved": 2},
    )
    login("admin")
    response = client.get("/staff/audit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Maria Moderatorka" in html
    assert f"Odrzucono pomysł „{idea.title}”" in html
    assert ">idea.reject<" not in html
    assert f'href="/staff/ideas/{idea.id}"' in html
    assert "czeka na moderację → odrzucony" in html
    assert "Poza zakresem konsultacji." in html
    assert "<dt>reports_resolved</dt><dd>2</dd>" in html


@pytest.mark.parametrize("role", ["moderator", "editor"])
def test_only_admins_read_the_audit_log(client, login, role):
    login(role)
    assert client.get("/staff/audit").status_code == 403


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/staff/audit")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_audit_log_filters_by_action_actor_object_and_day(app, client, make, login):
    first = make.user(role="moderator", name="Pierwsza")
    second = make.user(role="moderator", name="Drugi")
    old = utcnow() - timedelta(days=10)
    _entry(app, actor_id=first.id, action="idea.publish", object_type="ideas", object_id=7)
    _entry(app, actor_id=second.id, action="idea.hide", object_type="ideas", object_id=8)
    _entry(app, actor_id=second.id, action="user.role_changed", object_type="users", object_id=2)
    _entry(
        app,
        actor_id=first.id,
        action="idea.reject",
        object_type="ideas",
        object_id=9,
        created_at=old,
    )
    login("admin")

    def actions(query: str) -> list[str]:
        html = client.get(f"/staff/audit?{query}").get_data(as_text=True)
        body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        return [
            a
            for a in ("idea.publish", "idea.hide", "user.role_changed", "idea.reject")
            if f'data-action="{a}"' in body
        ]

    assert actions("action=idea") == ["idea.publish", "idea.hide", "idea.reject"]
    assert actions("action=idea.hide") == ["idea.hide"]
    assert actions(f"actor={first.id}") == ["idea.publish", "idea.reject"]
    assert actions("object_type=users") == ["user.role_changed"]
    assert actions("object_id=8") == ["idea.hide"]
    since = (utcnow() - timedelta(days=2)).date().isoformat()
    assert "idea.reject" not in actions(f"since={since}")
    until = (utcnow() - timedelta(days=5)).date().isoformat()
    assert actions(f"until={until}") == ["idea.reject"]
    assert client.get("/staff/audit?actor=abc&since=nie-data&page=-3").status_code == 200


def test_audit_log_is_paged_newest_first(app, client, login):
    admin = login("admin")
    for n in range(55):
        _entry(
            app,
            actor_id=admin.id,
            action=f"test.action{n:02d}",
            created_at=utcnow() - timedelta(minutes=100 - n),
        )

    def rows(query: str) -> str:
        html = client.get(f"/staff/audit?{query}").get_data(as_text=True)
        return html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]

    first = rows("action=test")
    assert first.index("test.action54") < first.index("test.action53")
    assert "test.action05" in first
    assert "test.action04" not in first
    second = rows("action=test&page=2")
    assert "test.action04" in second and "test.action00" in second
    assert "test.action05" not in second


# --- append-only --------------------------------------------------------


def test_no_route_writes_to_the_audit_log_page(app):
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/staff/audit")]
    assert rules, "the audit page exists"
    for rule in rules:
        assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_posting_to_the_audit_log_is_not_allowed(client, login):
    login("admin")
    assert client.post("/staff/audit").status_code == 405
    assert client.delete("/staff/audit").status_code == 405


def _all_commands(group: click.Group, prefix: str = ""):  # noqa: ANN202
    for name, command in group.commands.items():
        yield f"{prefix}{name}", command
        if isinstance(command, click.Group):
            yield from _all_commands(command, f"{prefix}{name} ")


def test_no_cli_command_edits_or_deletes_audit_entries(app):
    names = [name for name, _ in _all_commands(app.cli)]
    assert "moderation digest" in names
    assert not [n for n in names if "audit" in n.lower()], names


def test_audit_entries_refuse_orm_updates_and_deletes(app, make):
    entry_id = _entry(app, action="idea.publish", reason="Pierwotny powód")
    with app.app_context():
        entry = db.session.get(AuditEntry, entry_id)
        entry.reason = "Zmieniony powód"
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        entry = db.session.get(AuditEntry, entry_id)
        db.session.delete(entry)
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(AuditEntry.reason)) == "Pierwotny powód"


# --- what gets recorded -------------------------------------------------


def test_staff_sign_in_is_recorded(app, login):
    user = login("moderator")
    [row] = audit_rows(app, action="auth.login")
    assert row.actor_id == user.id
    assert (row.object_type, row.object_id) == ("users", user.id)


def test_a_role_change_is_recorded_with_both_roles(app, client, make, login):
    admin = login("admin")
    user = make.user(role="editor", name="Ewa Redaktorka")
    response = client.post(
        f"/staff/users/{user.id}", data={"name": "Ewa Redaktorka", "role": "moderator"}
    )
    assert response.status_code == 302
    [row] = audit_rows(app, action="user.role_changed")
    assert (row.actor_id, row.object_id) == (admin.id, user.id)
    assert (row.from_state, row.to_state) == ("editor", "moderator")


@pytest.mark.parametrize(
    ("status", "action", "fields"),
    [
        (S.AWAITING_REVIEW, "publish", {}),
        (S.AWAITING_REVIEW, "reject", {"reason": "Nie na temat."}),
        (S.AWAITING_REVIEW, "request_changes", {"reason": "Dopisz szczegóły."}),
        (S.PUBLISHED, "hide", {"reason": "Dane osobowe."}),
    ],
)
def test_each_decision_leaves_one_audit_row(app, client, make, login, status, action, fields):
    moderator = login("moderator")
    idea = make.idea(status=status)
    assert decide(client, idea, action, **fields).status_code == 303
    [row] = audit_rows(app, action=f"idea.{action}")
    assert (row.actor_id, row.object_id, row.from_state) == (moderator.id, idea.id, status)
    assert row.reason == fields.get("reason")
