"""How idea statuses and history entries are named for the submitter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models import IdeaStatus

STATUS_LABELS = {
    IdeaStatus.UNCONFIRMED: _l("Czeka na potwierdzenie adresu e-mail"),
    IdeaStatus.AWAITING_REVIEW: _l("Czeka na moderację"),
    IdeaStatus.CHANGES_REQUESTED: _l("Moderatorzy proszą o zmiany"),
    IdeaStatus.PUBLISHED: _l("Opublikowany"),
    IdeaStatus.REJECTED: _l("Odrzucony"),
    IdeaStatus.MERGED: _l("Połączony z podobnym pomysłem"),
    IdeaStatus.HIDDEN: _l("Ukryty przez moderatorów"),
    IdeaStatus.WITHDRAWN: _l("Wycofany przez autora"),
}

STATUS_EXPLANATIONS = {
    IdeaStatus.UNCONFIRMED: _l(
        "Kliknij link z wiadomości e-mail, aby przekazać pomysł moderatorom."
    ),
    IdeaStatus.AWAITING_REVIEW: _l(
        "Moderatorzy sprawdzą pomysł i opublikują go albo napiszą, co trzeba zmienić. "
        "Do tego czasu możesz go jeszcze edytować."
    ),
    IdeaStatus.CHANGES_REQUESTED: _l(
        "Przeczytaj wiadomość od moderatorów poniżej, popraw pomysł i zapisz zmiany. "
        "Wtedy wróci do kolejki moderacji."
    ),
    IdeaStatus.PUBLISHED: _l("Pomysł jest widoczny w katalogu i inni mogą go poprzeć."),
    IdeaStatus.REJECTED: _l("Pomysł nie zostanie opublikowany. Uzasadnienie znajdziesz poniżej."),
    IdeaStatus.MERGED: _l(
        "Twój pomysł połączono z bardzo podobnym zgłoszeniem, aby głosy nie rozpraszały się."
    ),
    IdeaStatus.HIDDEN: _l("Pomysł nie jest obecnie widoczny publicznie. Powód znajdziesz poniżej."),
    IdeaStatus.WITHDRAWN: _l("Pomysł został wycofany i nie jest rozpatrywany."),
}

EVENT_LABELS = {
    "submitted": _l("Pomysł wysłany"),
    "confirmed": _l("Adres e-mail potwierdzony, pomysł przekazany moderatorom"),
    "edited": _l("Poprawiono pomysł"),
    "author_revised": _l("Poprawiono pomysł po prośbie moderatorów"),
    "withdrawn": _l("Pomysł wycofany"),
    "author_erased": _l("Usunięto dane autora"),
    "published": _l("Pomysł opublikowany"),
    "rejected": _l("Pomysł odrzucony"),
    "changes_requested": _l("Moderatorzy poprosili o zmiany"),
    "request_changes": _l("Moderatorzy poprosili o zmiany"),
    "merged": _l("Pomysł połączony z podobnym"),
    "merge": _l("Pomysł połączony z podobnym"),
    "merged_from": _l("Dołączono do niego podobne zgłoszenie"),
    "hidden": _l("Pomysł ukryty"),
    "hide": _l("Pomysł ukryty"),
    "answered": _l("Organizator udzielił odpowiedzi"),
    "answer": _l("Organizator udzielił odpowiedzi"),
}


def status_label(status: str | None) -> str:
    label = STATUS_LABELS.get(status) if status else None
    return str(label) if label else (status or "")


def status_explanation(status: str | None) -> str:
    text = STATUS_EXPLANATIONS.get(status) if status else None
    return str(text) if text else ""


def event_label(kind: str, to_status: str | None = None) -> str:
    label = EVENT_LABELS.get(kind)
    if label:
        return str(label)
    if to_status:
        return status_label(to_status)
    return kind.replace("_", " ")


def event_actor(event: object) -> str:
    """Who did it, as the author should read it (never a staff name)."""
    label = getattr(event, "actor_label", None)
    if label == "author":
        return str(_l("Ty"))
    if getattr(event, "actor_id", None) is not None or label in ("moderator", "staff"):
        return str(_l("Zespół moderatorów"))
    return str(_l("System"))
