"""Demo: the consultation, its phases and categories."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from app.extensions import db
from app.models import Category, Phase, Process, utcnow
from app.timeutil import local_to_utc, utc_to_local

DEMO_PROCESS_SLUG = "nowa-energia-regionu"

CATEGORIES = [
    ("energia-i-klimat", "Energia i klimat", "Odnawialne źródła, oszczędzanie energii, ciepło dla domów."),
    ("praca-i-gospodarka", "Praca i gospodarka", "Nowe miejsca pracy, firmy, przekwalifikowanie."),
    ("kultura-i-turystyka", "Kultura i turystyka", "Wydarzenia, dziedzictwo górnicze, przyciąganie gości."),
    ("edukacja-i-mlodziez", "Edukacja i młodzież", "Szkoły, kursy, powody, by młodzi zostali w regionie."),
    ("integracja-i-seniorzy", "Integracja i seniorzy", "Wspólnota pokoleń, aktywność starszych mieszkańców."),
    ("przestrzen-i-transport", "Przestrzeń i transport", "Rekultywacja terenów, drogi, kolej, rowery."),
    ("srodowisko", "Środowisko", "Woda, zieleń, bioróżnorodność na terenach pokopalnianych."),
]  # fmt: skip

DESCRIPTION = """\
Region przez dziesięciolecia żył z węgla brunatnego. Kopalnia i elektrownia
będą stopniowo wygaszane, a to, co przyjdzie po nich, zależy także od
mieszkańców.

Park przemysłowo-technologiczny przygotowuje **program transformacji
gospodarczej regionu**. Zanim powstanie jego ostateczna wersja, chcemy
zebrać jak najwięcej pomysłów: od dużych inwestycji po drobne inicjatywy
sąsiedzkie.

## Jak można wziąć udział

1. Przyjść na **spotkanie z ekspertami**, które otwiera konsultacje.
2. Zapisać się na **warsztaty** w grupach mieszanych: samorządowcy, szefowie
   firm, młodzież, seniorzy i przedsiębiorcy pracują przy jednym stole.
3. Wysłać pomysł przez **formularz internetowy** – bez zakładania konta.
4. Przyjść na **spotkanie podsumowujące**, na którym pokażemy wyniki.

Każdy opublikowany pomysł dostanie oficjalną odpowiedź: czy trafi do
programu, a jeśli tak – jak postępuje jego realizacja.
"""


def _local(now: datetime, days: int, at: time) -> datetime:
    """*at* o'clock in Warsaw, *days* from today, as UTC."""
    day = (utc_to_local(now) + timedelta(days=days)).date()
    return local_to_utc(datetime.combine(day, at))


def load(ctx: dict) -> None:
    now = utcnow()
    today = now.date()
    process = Process(
        slug=DEMO_PROCESS_SLUG,
        title="Nowa energia regionu – konsultacje programu transformacji",
        lead=(
            "Jak ma wyglądać region po zamknięciu kopalni? Zgłoś pomysł, przyjdź na "
            "warsztaty i zobacz, co z tego wyniknie."
        ),
        description=DESCRIPTION,
        organiser="Regionalny Park Przemysłowo-Technologiczny",
        # Plausible wall-clock times, whatever the hour the demo is loaded at:
        # opened at 9:00, closes at the end of a day.
        opens_at=_local(now, -14, time(9, 0)),
        closes_at=_local(now, 16, time(23, 59)),
        published=True,
    )
    db.session.add(process)
    # (title, description, start, end, switches: ideas, supports, comments, registration)
    phases = [
        ("Spotkanie otwierające z ekspertami", "Prezentacja diagnozy regionu i zasad konsultacji.", -20, -20, (False, False, True, True)),
        ("Formularz pomysłów online", "Każdy może zgłosić pomysł przez stronę.", -14, 16, (True, True, True, False)),
        ("Warsztaty w grupach mieszanych", "Cykl spotkań roboczych w gminach regionu.", -10, 12, (False, True, True, True)),
        ("Spotkanie podsumowujące", "Omówienie zebranych pomysłów i dalszych kroków.", 25, 25, (False, True, True, True)),
        ("Odpowiedzi i włączenie do programu", "Oficjalne odpowiedzi na każdy pomysł.", 26, 60, (False, False, True, False)),
    ]  # fmt: skip
    for position, (title, description, start, end, switches) in enumerate(phases):
        ideas, supports, comments, registration = switches
        process.phases.append(
            Phase(
                title=title,
                description=description,
                starts_on=today + timedelta(days=start),
                ends_on=today + timedelta(days=end),
                position=position,
                accepts_ideas=ideas,
                accepts_supports=supports,
                accepts_comments=comments,
                workshop_registration=registration,
                # Demo phases are history, not news: `phases notify` skips them.
                announced_at=now if start <= 0 else None,
            )
        )
    categories = {}
    for position, (slug, name, description) in enumerate(CATEGORIES):
        category = Category(slug=slug, name=name, description=description, position=position)
        db.session.add(category)
        categories[slug] = category
    db.session.flush()
    ctx["process"] = process
    ctx["categories"] = categories
    ctx["now"] = now
