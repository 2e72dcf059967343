"""How the audit log reads to people: every action code recorded with
``app.audit.record`` as a Polish sentence, and the states it moved between
as the labels staff see elsewhere.

This is the one table of those sentences; ``tests/test_audit_log_labels.py``
checks that every code recorded anywhere in ``app/`` has one.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.directions.lifecycle import application_label
from app.directions.lifecycle import status_label as direction_status_label
from app.extensions import db
from app.ideas import lifecycle
from app.models import (
    Article,
    Category,
    Direction,
    Idea,
    Newsletter,
    Process,
    ReplyTemplate,
    User,
    Video,
    Workshop,
)
from app.models.idea import ResultStatus
from app.staff_workshops.services import status_names as registration_status_names

# A sentence per action code. ``%(object)s`` is replaced by the object's
# name in quotation marks (or its number when it no longer exists).
ACTION_SENTENCES: dict[str, Any] = {
    # ideas
    "idea.publish": _l("Opublikowano pomysł %(object)s"),
    "idea.reject": _l("Odrzucono pomysł %(object)s"),
    "idea.request_changes": _l("Poproszono o poprawki pomysłu %(object)s"),
    "idea.merge": _l("Połączono pomysł %(object)s z podobnym"),
    "idea.hide": _l("Ukryto pomysł %(object)s"),
    "idea.answer": _l("Udzielono odpowiedzi na pomysł %(object)s"),
    "idea.reports_dismissed": _l("Odrzucono zgłoszenia czytelników do pomysłu %(object)s"),
    "idea.recorded_from_workshop": _l("Wpisano pomysł %(object)s ze spotkania"),
    "support.withdrawn": _l("Wycofano poparcie pomysłu"),
    # comments (their author's words are not repeated in the log)
    "comment.approve": _l("Zatwierdzono komentarz %(object)s"),
    "comment.hide": _l("Ukryto komentarz %(object)s"),
    "comment.restore": _l("Przywrócono komentarz %(object)s"),
    "comment.official_reply": _l("Dodano odpowiedź organizatora %(object)s"),
    "comment.reports_dismissed": _l("Odrzucono zgłoszenia czytelników do komentarza %(object)s"),
    "comment.deleted_by_author": _l("Autor usunął komentarz %(object)s"),
    "reply_template.created": _l("Dodano szablon odpowiedzi %(object)s"),
    "reply_template.updated": _l("Zmieniono szablon odpowiedzi %(object)s"),
    "reply_template.deleted": _l("Usunięto szablon odpowiedzi"),
    # articles
    "article.create": _l("Utworzono artykuł %(object)s"),
    "article.edit": _l("Zmieniono artykuł %(object)s"),
    "article.restore": _l("Przywrócono wcześniejszą wersję artykułu %(object)s"),
    "article.publish": _l("Opublikowano artykuł %(object)s"),
    "article.unpublish": _l("Wycofano publikację artykułu %(object)s"),
    # newsletters and the consultation report
    "newsletter.created": _l("Utworzono newsletter %(object)s"),
    "newsletter.updated": _l("Zmieniono newsletter %(object)s"),
    "newsletter.scheduled": _l("Zaplanowano wysyłkę newslettera %(object)s"),
    "newsletter.cancelled": _l("Wstrzymano wysyłkę newslettera %(object)s"),
    "newsletter.test_sent": _l("Wysłano próbny newsletter %(object)s"),
    "report.frozen": _l("Zamrożono wersję raportu z konsultacji"),
    # videos
    "video.create": _l("Dodano film %(object)s"),
    "video.edit": _l("Zmieniono film %(object)s"),
    "video.publish": _l("Opublikowano film %(object)s"),
    "video.unpublish": _l("Wycofano publikację filmu %(object)s"),
    "video.delete": _l("Usunięto film"),
    # meetings
    "workshop.created": _l("Utworzono spotkanie %(object)s"),
    "workshop.updated": _l("Zmieniono spotkanie %(object)s"),
    "workshop.group_added": _l("Dodano grupę do spotkania %(object)s"),
    "workshop.group_updated": _l("Zmieniono grupę w spotkaniu %(object)s"),
    "workshop.group_removed": _l("Usunięto grupę ze spotkania %(object)s"),
    "workshop.registration_cancelled": _l("Anulowano zapis na spotkanie %(object)s"),
    "workshop.attendance_marked": _l("Zapisano obecność na spotkaniu %(object)s"),
    "workshop.message_sent": _l("Wysłano wiadomość do uczestników spotkania %(object)s"),
    "workshop.registrations_exported": _l("Pobrano listę zapisanych na spotkanie %(object)s"),
    "workshop.minutes_saved": _l("Zapisano protokół spotkania %(object)s"),
    "workshop.minutes_published": _l("Opublikowano protokół spotkania %(object)s"),
    "workshop.minutes_unpublished": _l("Wycofano publikację protokołu spotkania %(object)s"),
    # consultations and categories
    "process.created": _l("Utworzono konsultacje %(object)s"),
    "process.updated": _l("Zmieniono konsultacje %(object)s"),
    "process.phase_saved": _l("Zapisano etap konsultacji %(object)s"),
    "process.phase_deleted": _l("Usunięto etap konsultacji %(object)s"),
    "category.created": _l("Dodano kategorię %(object)s"),
    "category.updated": _l("Zmieniono kategorię %(object)s"),
    # staff accounts
    "user.created": _l("Utworzono konto %(object)s"),
    "user.role_changed": _l("Zmieniono rolę konta %(object)s"),
    "user.renamed": _l("Zmieniono nazwę konta %(object)s"),
    "user.activated": _l("Włączono konto %(object)s"),
    "user.deactivated": _l("Wyłączono konto %(object)s"),
    "user.password_reset": _l("Ustawiono nowe hasło konta %(object)s"),
    "user.2fa_reset": _l("Wyłączono weryfikację dwuetapową konta %(object)s"),
    "account.renamed": _l("Zmieniono własną nazwę"),
    "account.password_changed": _l("Zmieniono własne hasło"),
    "account.sessions_ended": _l("Wylogowano wszystkie inne sesje"),
    "account.2fa_enabled": _l("Włączono weryfikację dwuetapową"),
    "account.2fa_disabled": _l("Wyłączono weryfikację dwuetapową"),
    "account.2fa_recovery_codes": _l("Wygenerowano nowe kody zapasowe"),
    "auth.login": _l("Zalogowano się"),
    "auth.logout": _l("Wylogowano się"),
    "auth.2fa_failed": _l("Nieudana próba weryfikacji dwuetapowej konta %(object)s"),
    "auth.2fa_alert": _l("Ostrzeżenie: wiele nieudanych prób weryfikacji konta %(object)s"),
    # personal data and mail
    "privacy.lookup": _l("Wyszukano dane osoby"),
    "privacy.exported": _l("Pobrano dane osoby"),
    "privacy.erased": _l("Usunięto dane osoby"),
    "privacy.idea_deleted": _l("Usunięto niepublikowany pomysł wraz z danymi autora"),
    "privacy.idea_anonymised": _l("Usunięto dane autora pomysłu %(object)s"),
    "privacy.comments_erased": _l("Usunięto komentarze osoby i jej dane"),
    "privacy.support_deleted": _l("Usunięto poparcie wraz z adresem e-mail"),
    "privacy.registration_anonymised": _l("Usunięto dane osoby zapisanej na spotkanie"),
    "mail.retry": _l("Ponowiono wysyłkę wiadomości e-mail"),
    # development directions
    "direction.create": _l("Utworzono kierunek rozwojowy %(object)s"),
    "direction.edit": _l("Zmieniono opis kierunku rozwojowego %(object)s"),
    "direction.status": _l("Zmieniono status kierunku rozwojowego %(object)s"),
    "direction.archive": _l("Przeniesiono do archiwum kierunek rozwojowy %(object)s"),
    "direction.restore": _l("Przywrócono z archiwum kierunek rozwojowy %(object)s"),
    "direction.reorder": _l("Zmieniono kolejność kierunków rozwojowych"),
    "direction.link_idea": _l("Dołączono pomysł do kierunku rozwojowego %(object)s"),
    "direction.unlink_idea": _l("Odłączono pomysł od kierunku rozwojowego %(object)s"),
    "direction.idea_note": _l("Zmieniono notatkę o pomyśle w kierunku rozwojowym %(object)s"),
    "direction.reorder_ideas": _l("Zmieniono kolejność pomysłów w kierunku rozwojowym %(object)s"),
    "direction.milestone": _l("Zapisano kamień milowy kierunku rozwojowego %(object)s"),
    "direction.milestone_delete": _l("Usunięto kamień milowy kierunku rozwojowego %(object)s"),
    "direction.application": _l("Zapisano wniosek o dofinansowanie kierunku %(object)s"),
    "direction.application_delete": _l("Usunięto wniosek o dofinansowanie kierunku %(object)s"),
}

# Object types (table names) as words, for the filter and the object column.
OBJECT_TYPES: dict[str, Any] = {
    "ideas": _l("pomysł"),
    "articles": _l("artykuł"),
    "videos": _l("film"),
    "workshops": _l("spotkanie"),
    "processes": _l("konsultacje"),
    "categories": _l("kategoria"),
    "users": _l("konto"),
    "reply_templates": _l("szablon odpowiedzi"),
    "registrations": _l("zapis na spotkanie"),
    "outbox_messages": _l("wiadomość e-mail"),
    "directions": _l("kierunek rozwojowy"),
    "comments": _l("komentarz"),
    "newsletters": _l("newsletter"),
    "frozen_reports": _l("wersja raportu"),
}

# Model and the column naming it, per object type.
_NAMED: dict[str, tuple[Any, Any]] = {
    "ideas": (Idea, Idea.title),
    "articles": (Article, Article.title),
    "videos": (Video, Video.title),
    "workshops": (Workshop, Workshop.title),
    "processes": (Process, Process.title),
    "categories": (Category, Category.name),
    "users": (User, User.name),
    "reply_templates": (ReplyTemplate, ReplyTemplate.title),
    "directions": (Direction, Direction.title),
    "newsletters": (Newsletter, Newsletter.subject),
}

# States of things other than ideas, as staff read them.
OTHER_STATES: dict[str, Any] = {
    "draft": _l("szkic"),
    "scheduled": _l("zaplanowany"),
    "published": _l("opublikowany"),
    "active": _l("aktywne"),
    "inactive": _l("wyłączone"),
    "admin": _l("Administrator"),
    "moderator": _l("Moderator"),
    "editor": _l("Redaktor"),
}


def action_label(action: str) -> str:
    """The action as a sentence with no object (filters, headings)."""
    sentence = ACTION_SENTENCES.get(action)
    if sentence is None:
        return action
    return str(sentence).replace(" %(object)s", "").replace("%(object)s", "")


def object_type_label(object_type: str | None) -> str:
    label = OBJECT_TYPES.get(object_type or "")
    return str(label) if label else (object_type or "")


def state_label(action: str, state: str | None) -> str:
    """A state as staff read it: an idea's from the lifecycle, the public
    status of an answer, the others from :data:`OTHER_STATES`."""
    if not state:
        return "—"
    if action == "idea.answer":
        if state in {status.value for status in ResultStatus}:
            return lifecycle.public_status_label(state)
    elif action.startswith("idea."):
        return lifecycle.staff_status_label(state)
    if action == "direction.status":
        return direction_status_label(state)
    if action == "direction.application":
        return application_label(state)
    if action.startswith("workshop.registration"):
        return registration_status_names().get(state, state)
    label = OTHER_STATES.get(state)
    return str(label) if label else state


def object_names(entries: list[Any]) -> dict[tuple[str, int], str]:
    """The current names of the objects *entries* point at, in one query
    per object type."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        if entry.object_type in _NAMED and entry.object_id is not None:
            wanted.setdefault(entry.object_type, set()).add(entry.object_id)
    names: dict[tuple[str, int], str] = {}
    for object_type, ids in wanted.items():
        model, column = _NAMED[object_type]
        for ident, name in db.session.execute(select(model.id, column).where(model.id.in_(ids))):
            names[(object_type, ident)] = name
    return names


def describe(entry: Any, names: dict[tuple[str, int], str]) -> str:
    """The entry as one sentence: "Opublikowano artykuł „Nowy park”"."""
    sentence = ACTION_SENTENCES.get(entry.action)
    if sentence is None:
        return entry.action
    name = names.get((entry.object_type, entry.object_id))
    if name:
        shown = f"„{name}”"
    elif entry.object_id is not None:
        shown = str(_l("nr %(id)s", id=entry.object_id))
    else:
        shown = ""
    text = str(sentence) % {"object": shown}
    return " ".join(text.split())
