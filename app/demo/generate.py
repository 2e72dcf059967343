"""``flask demo generate --ideas N``: many synthetic published ideas, fast.

Titles and descriptions are put together from word lists, so searches,
filters and sorting behave as on real data (varied words, Polish letters,
skewed supports). Rows go in with multi-row INSERTs in batches, their
index words (folded words and lemmas) made as :func:`app.search.index_text`
makes them; the full-text index follows by its triggers (SQLite) or GIN
index (PostgreSQL).
"""

from __future__ import annotations

import random
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import func, insert, select

from app.extensions import db
from app.models import (
    Category,
    Idea,
    IdeaSource,
    IdeaStatus,
    Process,
    ResultStatus,
    Workshop,
    utcnow,
)
from app.search import index_part, join_index_parts

BATCH = 5000
SYNTHETIC_PROCESS_SLUG = "dane-syntetyczne"

SUBJECTS = [
    "Ścieżka rowerowa", "Farma fotowoltaiczna", "Park kieszonkowy", "Centrum przekwalifikowania",
    "Świetlica dla młodzieży", "Magazyn energii", "Ogród społeczny", "Punkt naprawy rowerów",
    "Amfiteatr", "Kąpielisko", "Inkubator przedsiębiorczości", "Linia autobusowa",
    "Wypożyczalnia kajaków", "Spółdzielnia energetyczna", "Pracownia rzemiosła",
    "Szkoła zawodowa przyszłości", "Punkt opieki dziennej dla seniorów", "Mural o historii górnictwa",
    "Ścianka wspinaczkowa", "Las miejski", "Targ rolników", "Schronisko turystyczne",
    "Ciepłownia geotermalna", "Wieża widokowa", "Muzeum węgla brunatnego", "Żłobek gminny",
    "Biblioteka rzeczy", "Klub seniora", "Trasa narciarstwa biegowego", "Stacja ładowania aut",
    "Pole namiotowe", "Skatepark", "Łąka kwietna", "Ogród deszczowy", "Kawiarnia obywatelska",
    "Przystań żeglarska", "Sieć czujników jakości powietrza", "Platforma wolontariatu",
    "Festiwal muzyki", "Opera na odkrywce", "Warsztat rowerowy", "Sala prób dla zespołów",
]  # fmt: skip
PLACES = [
    "na zwałowisku", "nad zalewem", "przy dawnej kopalni", "w centrum miasta", "na osiedlu",
    "przy szkole", "wzdłuż rzeki", "na terenie elektrowni", "przy dworcu", "w starym kinie",
    "na hałdzie", "przy rynku", "w dawnej kotłowni", "na skraju lasu", "przy stadionie",
    "na odkrywce", "w parku", "przy ośrodku zdrowia", "nad Wartą", "przy bibliotece",
]  # fmt: skip
TOWNS = [
    "Bełchatowie", "Kleszczowie", "Zelowie", "Szczercowie", "Łodzi", "Piotrkowie Trybunalskim",
    "Radomsku", "Koninie", "Turku", "Kole", "Wieluniu", "Sieradzu", "Łasku", "Zduńskiej Woli",
    "Pabianicach", "Drużbicach", "Ruscu", "Kluczach", "Żarnowie", "Ślesinie",
]  # fmt: skip
OPENINGS = [
    "Proponuję, aby", "Warto, żeby", "Mieszkańcy od dawna czekają, aż", "Chciałbym, aby",
    "Chciałabym, żeby", "Najlepiej byłoby, gdyby", "Zachęcam, by",
]  # fmt: skip
ACTIONS = [
    "gmina przygotowała projekt i pozyskała środki z funduszu transformacji",
    "powstało miejsce otwarte dla wszystkich pokoleń",
    "teren po kopalni zyskał nowe życie",
    "młodzi ludzie nie musieli wyjeżdżać za pracą",
    "zyski z energii obniżały rachunki mieszkańców",
    "dojazd był możliwy bez samochodu",
    "prace zaplanowano razem z sąsiadami i lokalnymi firmami",
    "przedsięwzięcie prowadziła spółdzielnia mieszkańców",
]  # fmt: skip
BENEFITS = [
    "To przyciągnie turystów i da zarobić lokalnym przedsiębiorcom.",
    "Dzięki temu powietrze będzie czystsze, a rachunki niższe.",
    "Górnicy i energetycy zdobędą nowe kwalifikacje.",
    "Seniorzy i młodzież będą mieli gdzie się spotykać.",
    "Region pokaże, że transformacja może być szansą, a nie stratą.",
    "Powstaną nowe miejsca pracy, także dla osób z niepełnosprawnościami.",
    "Teren będzie bezpieczny i dostępny przez cały rok.",
    "Koszty utrzymania pokryją opłaty i sponsorzy.",
    "Zieleń zatrzyma wodę deszczową i ochłodzi okolicę latem.",
]  # fmt: skip
DETAILS = [
    "Potrzebne są ławki, oświetlenie i stojaki na rowery.",
    "Wystarczy kilka kontenerów i zadaszenie.",
    "Można wykorzystać istniejące budynki po zakładzie.",
    "Warto zaprosić do współpracy szkoły i koła gospodyń wiejskich.",
    "Pierwszy etap da się zrobić w ciągu roku.",
    "Dobrym wzorem są podobne projekty z Zagłębia Ruhry i Łużyc.",
    "Ważne, żeby wszystko było dostępne dla wózków i osób starszych.",
    "Projekt można podzielić na etapy i finansować z kilku źródeł.",
]  # fmt: skip
FIRST_NAMES = [
    "Anna", "Piotr", "Katarzyna", "Tomasz", "Małgorzata", "Łukasz", "Zofia", "Michał",
    "Agnieszka", "Paweł", "Jadwiga", "Krzysztof", "Ewa", "Józef", "Barbara", "Mateusz",
]  # fmt: skip
LAST_NAMES = [
    "Nowak", "Kowalczyk", "Wiśniewska", "Wójcik", "Kamińska", "Lewandowski", "Zielińska",
    "Szymański", "Woźniak", "Dąbrowska", "Kozłowski", "Jankowska", "Mazur", "Krawczyk",
]  # fmt: skip
RESULT_WEIGHTS = [
    (ResultStatus.PUBLISHED, 55), (ResultStatus.UNDER_ANALYSIS, 18), (ResultStatus.ACCEPTED, 9),
    (ResultStatus.IN_PROGRESS, 8), (ResultStatus.IMPLEMENTED, 4), (ResultStatus.NOT_PURSUED, 6),
]  # fmt: skip


@lru_cache(maxsize=4096)
def _words(fragment: str) -> tuple[str, tuple[str, ...]]:
    return index_part(fragment)


def _context() -> tuple[Process, list[int], list[int]]:
    """The consultation, categories and meetings the ideas belong to."""
    process = db.session.scalar(
        select(Process).where(Process.published.is_(True)).order_by(Process.opens_at.desc())
    )
    if process is None:
        now = utcnow()
        process = Process(
            slug=SYNTHETIC_PROCESS_SLUG,
            title="Konsultacje z danymi syntetycznymi",
            lead="Wygenerowane pomysły do testów wydajności.",
            opens_at=now - timedelta(days=120),
            closes_at=now + timedelta(days=30),
            published=True,
        )
        db.session.add(process)
        db.session.flush()
    categories = list(db.session.scalars(select(Category.id).where(Category.active.is_(True))))
    if not categories:
        for position, (slug, name) in enumerate(
            [
                ("energia-i-klimat", "Energia i klimat"),
                ("praca-i-gospodarka", "Praca i gospodarka"),
                ("kultura-i-turystyka", "Kultura i turystyka"),
                ("przestrzen-i-przyroda", "Przestrzeń i przyroda"),
                ("integracja-i-seniorzy", "Integracja i seniorzy"),
            ]
        ):
            if db.session.scalar(select(Category.id).where(Category.slug == slug)) is None:
                db.session.add(Category(slug=slug, name=name, position=position))
        db.session.flush()
        categories = list(db.session.scalars(select(Category.id).where(Category.active.is_(True))))
    workshops = list(
        db.session.scalars(select(Workshop.id).where(Workshop.process_id == process.id))
    )
    return process, categories, workshops


def _row(rng: random.Random, process_id: int, categories: list[int], workshops: list[int],
         now, statuses, weights) -> dict:  # fmt: skip  # noqa: ANN001
    subject = rng.choice(SUBJECTS)
    title_parts = [subject, rng.choice(PLACES), "w", rng.choice(TOWNS)]
    title = " ".join(title_parts)
    sentences = [
        f"{rng.choice(OPENINGS)} {rng.choice(ACTIONS)}.",
        f"{subject} {rng.choice(PLACES)} to pomysł dla całej okolicy.",
        rng.choice(BENEFITS),
        rng.choice(DETAILS),
    ]
    if rng.random() < 0.5:
        sentences.append(rng.choice(BENEFITS))
    description = " ".join(sentences)
    # Folding and lemmatising are the slow part; every fragment repeats, so
    # each is done once. Joined, they give what index_text(title, description)
    # gives (the ORM path).
    title_words = [_words(part) for part in title_parts]
    search_title = join_index_parts(title_words)
    search_text = join_index_parts([*title_words, *(_words(sentence) for sentence in sentences)])
    published_at = now - timedelta(minutes=rng.randint(1, 120 * 24 * 60))
    source = IdeaSource.FORM
    workshop_id = None
    roll = rng.random()
    if workshops and roll < 0.2:
        source, workshop_id = IdeaSource.WORKSHOP, rng.choice(workshops)
    elif roll < 0.25:
        source = IdeaSource.STAFF
    result = rng.choices(statuses, weights)[0]
    progress = {
        ResultStatus.ACCEPTED: 0,
        ResultStatus.IN_PROGRESS: rng.randrange(5, 95, 5),
        ResultStatus.IMPLEMENTED: 100,
    }.get(result, 0)
    show_name = source == IdeaSource.FORM and rng.random() < 0.4
    return {
        "process_id": process_id,
        "category_id": rng.choice(categories),
        "source": source,
        "workshop_id": workshop_id,
        "title": title[:150],
        "description": description,
        "search_text": search_text,
        "search_title": search_title,
        "author_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" if show_name else None,
        "email": None,
        "show_author_name": show_name,
        "locale": "pl",
        "status": IdeaStatus.PUBLISHED,
        "version": 1,
        "submitted_at": published_at - timedelta(hours=rng.randint(2, 72)),
        "confirmed_at": published_at - timedelta(hours=1),
        "published_at": published_at,
        "supports_count": min(int(rng.paretovariate(1.6)) - 1, 5000) if rng.random() < 0.7 else 0,
        "result_status": result,
        "progress": progress,
        "created_at": published_at,
        "updated_at": published_at,
    }


def generate_ideas(count: int, seed: int | None = None) -> int:
    """Insert *count* published synthetic ideas; commits batch by batch."""
    process, categories, workshops = _context()
    db.session.commit()
    existing = db.session.scalar(select(func.count(Idea.id))) or 0
    rng = random.Random(seed if seed is not None else existing + count)  # nosec B311 - synthetic data
    statuses = [status for status, _ in RESULT_WEIGHTS]
    weights = [weight for _, weight in RESULT_WEIGHTS]
    now = utcnow()
    table = Idea.__table__
    added = 0
    while added < count:
        size = min(BATCH, count - added)
        rows = [
            _row(rng, process.id, categories, workshops, now, statuses, weights)
            for _ in range(size)
        ]
        db.session.execute(insert(table), rows)
        db.session.commit()
        added += size
    return added
