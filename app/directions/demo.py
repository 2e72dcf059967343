"""Demo: three development directions built from the demo ideas, one with a
submitted funding application and one with a granted one."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import (
    ApplicationStatus,
    Direction,
    DirectionEvent,
    DirectionIdea,
    DirectionStatus,
    FundingApplication,
    Idea,
    IdeaStatus,
    Milestone,
)

D = DirectionStatus
A = ApplicationStatus

# slug, title, unit, final status, [status steps with their reasons], summary,
# [(idea title, note)], [milestones: title, due in days, done, progress],
# [applications: programme, call, applicant, requested, granted, status,
#  submitted days ago, decided days ago, note]
DIRECTIONS = [
    (
        "turystyka-i-kultura-na-terenach-pokopalnianych",
        "Turystyka i kultura na terenach pokopalnianych",
        "Wydział Promocji i Turystyki Urzędu Marszałkowskiego",
        [(D.SUBMITTED, "Wniosek o dofinansowanie pierwszego etapu złożony w naborze FEŁ.")],
        "Wyrobisko i zwałowiska mają stać się miejscem wypoczynku i kultury: "
        "scena na dnie odkrywki, kemping blisko miasta, trasa rowerowa i plaża "
        "nad przyszłym jeziorem.\n\n"
        "## Pierwszy etap\n\n"
        "Badanie akustyki i bezpieczeństwa skarp, projekt sceny i pola kempingowego.",
        [
            ("Opera na odkrywce", "Scena letnia na dnie wyrobiska – pierwszy etap kierunku."),
            ("Zintegrowany city camping", "Kemping z wypożyczalnią rowerów przy węźle przesiadkowym."),
            ("Trasa rowerowa wokół odkrywki", "Pętla łącząca scenę, kemping i punkty widokowe."),
            ("Jezioro w wyrobisku z plażą miejską", "Plaża w drugim etapie, po zalaniu wyrobiska."),
        ],
        [
            ("Badanie akustyki i stabilności skarp", -20, True, 100),
            ("Projekt sceny i pola kempingowego", 60, False, 40),
            ("Pierwszy festiwal na odkrywce", 300, False, 0),
        ],
        [
            (
                "Fundusze Europejskie dla Łódzkiego 2021–2027", "FELD.06.02-IZ.00-003/26",
                "Gmina Bełchatów", Decimal("12500000.00"), None, A.SUBMITTED, 22, None,
                "Wniosek na pierwszy etap: scena, kemping i trasa rowerowa.",
            ),
        ],
    ),
    (
        "energopolis-zielona-energia-i-nowe-kwalifikacje",
        "Energopolis: zielona energia i nowe kwalifikacje",
        "Regionalna Agencja Rozwoju",
        [
            (D.SUBMITTED, "Wniosek złożony w naborze Funduszu na rzecz Sprawiedliwej Transformacji."),
            (D.FUNDED, "Instytucja zarządzająca przyznała dofinansowanie."),
        ],
        "Energia ze słońca i wodoru z terenów pokopalnianych, a dla ludzi z kopalni "
        "i elektrowni – nowe kwalifikacje w regionie.",
        [
            ("Farma fotowoltaiczna na zwałowisku", "Źródło energii dla elektrolizera i gmin."),
            ("Centrum przekwalifikowania górników", "Kursy OZE i wodorowe dla pracowników kopalni."),
            ("Wodorowa linia autobusowa między gminami", "Pierwsi odbiorcy wodoru."),
            ("Szkolne laboratorium energii", "Część edukacyjna dla szkół średnich."),
        ],
        [
            ("Umowa o dofinansowanie", -7, True, 100),
            ("Przetarg na farmę fotowoltaiczną", 90, False, 10),
        ],
        [
            (
                "Fundusz na rzecz Sprawiedliwej Transformacji (FEŁ 2021–2027)",
                "FELD.02.01-IZ.00-001/26", "Regionalna Agencja Rozwoju",
                Decimal("9800000.00"), Decimal("8750000.50"), A.GRANTED, 25, 16,
                "Dofinansowanie przyznane w niższej kwocie: bez stacji tankowania dla ciężarówek.",
            ),
            (
                "Krajowy Plan Odbudowy", "KPO-B2.2.1/2026", "Gmina Szczerców",
                Decimal("2400000.00"), None, A.PLANNED, None, None,
                "Magazyn energii przy farmie – wniosek w przygotowaniu.",
            ),
        ],
    ),
    (
        "mlodzi-w-regionie-pracownie-i-start-upy",
        "Młodzi w regionie: pracownie i start-upy",
        "Wydział Edukacji Urzędu Marszałkowskiego",
        [],
        "Miejsca, w których młodzi ludzie uczą się zawodów przyszłości i zakładają "
        "pierwsze firmy – zamiast wyjeżdżać z regionu.",
        [
            ("Makerspace w dawnej stołówce kopalni", "Pracownia otwarta dla szkół i mieszkańców."),
            ("Inkubator start-upów dla młodzieży", "Mentorzy i mikrogranty w parku technologicznym."),
        ],
        [("Koncepcja programu i partnerzy", 45, False, 20)],
        [],
    ),
]  # fmt: skip


def load(ctx: dict) -> None:
    process = ctx["process"]
    now = ctx["now"]
    today = now.date()
    ideas = {
        idea.title: idea
        for idea in db.session.scalars(
            select(Idea).where(Idea.process_id == process.id, Idea.status == IdeaStatus.PUBLISHED)
        )
    }
    for position, entry in enumerate(DIRECTIONS, start=1):
        slug, title, unit, steps, summary, linked, milestones, applications = entry
        if db.session.scalar(select(Direction.id).where(Direction.slug == slug)):
            continue
        created = now - timedelta(days=30 - position)
        direction = Direction(
            process=process,
            slug=slug,
            title=title,
            summary=summary,
            responsible_unit=unit,
            position=position,
            created_at=created,
        )
        db.session.add(direction)
        db.session.add(
            DirectionEvent(
                direction=direction, kind="created", to_status=D.PREPARING, created_at=created
            )
        )
        for number, (idea_title, note) in enumerate(linked, start=1):
            idea = ideas.get(idea_title)
            if idea is None:
                continue
            db.session.add(
                DirectionIdea(
                    direction=direction, idea=idea, note=note, position=number, created_at=created
                )
            )
            db.session.add(
                DirectionEvent(
                    direction=direction,
                    kind="idea_linked",
                    message=idea.title,
                    data={"idea_id": idea.id},
                    created_at=created + timedelta(minutes=number),
                )
            )
        previous = D.PREPARING
        for step, (status, reason) in enumerate(steps, start=1):
            db.session.add(
                DirectionEvent(
                    direction=direction,
                    kind="status",
                    from_status=previous,
                    to_status=status,
                    message=reason,
                    created_at=created + timedelta(days=7 * step),
                )
            )
            previous = status
        direction.status = previous
        for number, (name, due_in, done, progress) in enumerate(milestones, start=1):
            due = today + timedelta(days=due_in)
            db.session.add(
                Milestone(
                    direction=direction,
                    title=name,
                    due_on=due,
                    done_on=due if done else None,
                    progress=progress,
                    position=number,
                )
            )
        for number, application in enumerate(applications, start=1):
            programme, call, applicant, requested, granted, status, sent, decided, note = (
                application
            )
            db.session.add(
                FundingApplication(
                    direction=direction,
                    programme=programme,
                    call_number=call,
                    applicant=applicant,
                    amount_requested=requested,
                    amount_granted=granted,
                    status=status,
                    submitted_on=today - timedelta(days=sent) if sent is not None else None,
                    decided_on=today - timedelta(days=decided) if decided is not None else None,
                    public_note=note,
                    position=number,
                )
            )
    db.session.flush()
