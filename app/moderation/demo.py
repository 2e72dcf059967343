"""Demo: something for moderators to do right away: reply templates, an
idea its author revised after a request for changes, a near-duplicate of a
published idea and a reader's report."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.ideas import lifecycle
from app.ideas.lifecycle import AUTHOR, STAFF
from app.models import Idea, IdeaSource, IdeaStatus, ReplyTemplate, Report

TEMPLATES = [
    (
        "Poza zakresem konsultacji",
        "reject",
        "Dziękujemy za pomysł. Dotyczy on jednak spraw, o których nie decyduje ten "
        "program (na przykład przepisów krajowych), dlatego nie możemy go opublikować "
        "w tej konsultacji. Zachęcamy do zgłoszenia go właściwemu urzędowi.",
    ),
    (
        "Dane osobowe w opisie",
        "request_changes",
        "W opisie pojawiają się dane osobowe innych osób (nazwiska, numery telefonów). "
        "Prosimy je usunąć – wtedy chętnie opublikujemy pomysł.",
    ),
    (
        "Brak miejsca realizacji",
        "request_changes",
        "Prosimy dopisać, w której gminie lub miejscowości pomysł miałby zostać "
        "zrealizowany. Dzięki temu łatwiej będzie ocenić jego koszty i wykonalność.",
    ),
    (
        "Taki pomysł już jest",
        "merge",
        "Bardzo podobny pomysł został już opublikowany. Połączyliśmy oba, żeby poparcia "
        "mieszkańców się sumowały, a nie rozpraszały.",
    ),
    (
        "Treść reklamowa",
        "hide",
        "Ukryliśmy pomysł, ponieważ promuje konkretną firmę lub produkt, a regulamin "
        "konsultacji nie dopuszcza treści reklamowych.",
    ),
]


def load(ctx: dict) -> None:
    process = ctx["process"]
    categories = ctx["categories"]
    now = ctx["now"]
    for title, action, body in TEMPLATES:
        db.session.add(ReplyTemplate(title=title, action=action, body=body))

    def idea(title: str, category: str, description: str, days_ago: float, **fields) -> Idea:  # noqa: ANN003
        submitted = now - timedelta(days=days_ago)
        row = Idea(
            process=process,
            category=categories[category],
            source=IdeaSource.FORM,
            title=title,
            description=description,
            consent_version="demo",
            consented_at=submitted,
            submitted_at=submitted,
            confirmed_at=submitted + timedelta(minutes=7),
            status=IdeaStatus.AWAITING_REVIEW,
            **fields,
        )
        db.session.add(row)
        lifecycle.history(
            row,
            "submit",
            None,
            AUTHOR,
            at=submitted,
            data={"title": title, "description": description},
        )
        lifecycle.history(row, "confirm", IdeaStatus.UNCONFIRMED, AUTHOR,
                          at=submitted + timedelta(minutes=7))  # fmt: skip
        return row

    # Sent, sent back for a missing place, and revised by its author.
    first_text = (
        "Ławki z ładowarkami zasilanymi panelami słonecznymi przy przystankach. "
        "Można naładować telefon albo rower elektryczny w drodze do pracy."
    )
    revised = idea(
        "Słoneczne ławki na przystankach",
        "energia-i-klimat",
        first_text,
        4,
        author_name="Paweł Sikora",
        email="pawel.sikora@example.org",
        show_author_name=True,
        municipality="Zelów",
    )
    asked = now - timedelta(days=3)
    revised.description = (
        first_text + " Na początek pięć przystanków w Zelowie: przy rynku, dworcu "
        "autobusowym, szkole podstawowej, przychodni i cmentarzu."
    )
    revised.version = 3
    lifecycle.history(
        revised,
        "request_changes",
        IdeaStatus.AWAITING_REVIEW,
        STAFF,
        at=asked,
        message="Prosimy dopisać, przy których przystankach ławki miałyby stanąć.",
    )
    lifecycle.history(revised, "edit", IdeaStatus.CHANGES_REQUESTED, AUTHOR,
                      at=asked + timedelta(hours=20))  # fmt: skip

    # A near-duplicate of a published idea: a candidate for merging.
    idea(
        "Festiwal muzyczny w dawnej kopalni",
        "kultura-i-turystyka",
        "Koncerty na dnie wyrobiska, bo akustyka jest tam niezwykła. Widzowie mogliby "
        "siedzieć na skarpach, a scena stałaby na dnie odkrywki.",
        0.5,
        author_name="Natalia Pawlak",
        email="natalia.pawlak@example.org",
        municipality="Bełchatów",
    )

    # A reader's flag on one published idea.
    published = [i for i in ctx.get("form_ideas", []) if i.status == IdeaStatus.PUBLISHED]
    if published:
        db.session.flush()
        db.session.add(
            Report(
                idea_id=published[-1].id,
                reason="W opisie pada nazwa prywatnej wypożyczalni rowerów – czy to nie reklama?",
                created_at=now - timedelta(hours=5),
            )
        )
