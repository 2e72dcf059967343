"""The audit log reads as Polish sentences: every action code recorded
anywhere in app/ has one, and the page shows it instead of the code."""

from __future__ import annotations

import ast
from pathlib import Path

from app.comments import services as comment_services
from app.extensions import db
from app.ideas import lifecycle
from app.models import AuditEntry, IdeaStatus
from app.moderation.audit_log import ACTION_SENTENCES

APP = Path(__file__).resolve().parent.parent / "app"

# Codes built at run time, and every value they are built from. A new
# f-string code must be added here (and its sentences to the table).
DYNAMIC = {
    "idea.{action}": [f"idea.{a}" for a in lifecycle.DECISIONS],
    "privacy.idea_{outcome}": ["privacy.idea_deleted", "privacy.idea_anonymised"],
    "comment.{action}": [f"comment.{a}" for a in comment_services.MODERATION],
}


def _assigned_strings(function: ast.AST, name: str) -> list[str]:
    return [
        node.value.value
        for node in ast.walk(function)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    ]


def recorded_codes() -> set[str]:
    """Every action code passed to ``audit.record(...)`` in app/."""
    codes: set[str] = set()
    for path in APP.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            ):
                continue
            arg = node.args[0]
            where = f"{path.relative_to(APP.parent)}:{node.lineno}"
            if isinstance(arg, ast.JoinedStr):
                pattern = "".join(
                    part.value
                    if isinstance(part, ast.Constant)
                    else "{" + ast.unparse(part.value) + "}"
                    for part in arg.values
                )
                assert pattern in DYNAMIC, f"{where}: add {pattern!r} to DYNAMIC"
                codes.update(DYNAMIC[pattern])
            elif isinstance(arg, ast.Name):
                owner = next(
                    f for f in functions if f.lineno <= node.lineno <= (f.end_lineno or f.lineno)
                )
                found = _assigned_strings(owner, arg.id)
                assert found, f"{where}: cannot tell which codes {arg.id!r} holds"
                codes.update(found)
            else:
                found = [
                    n.value
                    for n in ast.walk(arg)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                ]
                assert found, f"{where}: cannot read the action code"
                codes.update(found)
    return codes


def test_the_scan_finds_the_codes_recorded_in_several_ways():
    codes = recorded_codes()
    assert {"article.publish", "idea.request_changes", "privacy.erased", "mail.retry"} <= codes
    assert {"workshop.minutes_published", "category.created", "category.updated"} <= codes
    assert "auth.2fa_failed" in codes


def test_every_recorded_action_code_has_a_sentence():
    missing = sorted(recorded_codes() - ACTION_SENTENCES.keys())
    assert not missing, f"add sentences to app/moderation/audit_log.py for {missing}"


def test_page_shows_sentences_and_status_labels_not_codes(app, client, make, login):
    admin = login("admin")
    idea = make.idea(status=IdeaStatus.AWAITING_REVIEW, title="Ścieżka rowerowa nad rzeką")
    long_reason = "Bardzo-długie-uzasadnienie-bez-spacji-" * 20
    with app.app_context():
        db.session.add_all(
            [
                AuditEntry(
                    actor_id=admin.id,
                    action="idea.request_changes",
                    object_type="ideas",
                    object_id=idea.id,
                    from_state="awaiting_review",
                    to_state="changes_requested",
                    reason=long_reason,
                ),
                AuditEntry(actor_id=admin.id, action="mail.retry", data={"scope": "all"}),
                AuditEntry(
                    actor_id=None, action="auth.2fa_failed", object_type="users", object_id=admin.id
                ),
            ]
        )
        db.session.commit()
    html = client.get("/staff/audit").get_data(as_text=True)
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "Poproszono o poprawki pomysłu „Ścieżka rowerowa nad rzeką”" in body
    assert "czeka na moderację → czeka na poprawki autora" in body
    assert "Ponowiono wysyłkę wiadomości e-mail" in body
    assert f"Nieudana próba weryfikacji dwuetapowej konta „{admin.name}”" in body
    assert "konto nr" in body
    for code in ("idea.request_changes", "mail.retry", "auth.2fa_failed", "awaiting_review"):
        assert f">{code}<" not in body and f"{code} →" not in body
    # The action filter offers the sentences too.
    assert ">Ponowiono wysyłkę wiadomości e-mail</option>" in html
    assert long_reason in body


def test_long_reasons_wrap_inside_their_column(app):
    css = (APP / "static" / "css" / "moderation.css").read_text(encoding="utf-8")
    rule = css.split(".audit-log td:last-child", 1)[1].split("}", 1)[0]
    assert "overflow-wrap: anywhere" in rule
    assert "max-width" in rule
