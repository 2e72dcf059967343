"""Seeding the benchmark database: schema, demo, 100,000 generated ideas,
200 articles, 50 workshops, and the fixtures the concurrency part needs.

Ideas come from ``flask demo generate``; articles and workshops are inserted
directly through the models (the demo has only a handful of each).
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, inspect, select

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

CAPACITY_WORKSHOP = "bench-warsztat-10-miejsc"
VIEWS_ARTICLE = "bench-artykul-liczenie-wyswietlen"
# One idea carries a long discussion: its page is measured on its own.
COMMENTS_ON_ONE_IDEA = 200

ARTICLE_TOPICS = [
    ("Trzecie spotkanie warsztatowe za nami", "warsztaty"),
    ("Co mieszkańcy proponują dla terenów po kopalni", "pomysly"),
    ("Magazyny energii: rozmowa z ekspertką parku", "energia"),
    ("Młodzi o pracy w regionie po węglu", "mlodzi"),
    ("Jak czytać wyniki konsultacji", "wyniki"),
    ("Seniorzy na warsztatach: potrzeby i pomysły", "seniorzy"),
    ("Rowerem po dawnej odkrywce – relacja z wycieczki", "turystyka"),
    ("Spółdzielnie energetyczne w gminach", "energia"),
]
TAGS = ["warsztaty", "pomysly", "energia", "mlodzi", "wyniki", "seniorzy", "turystyka"]
BODY = """Na spotkaniu w parku technologicznym rozmawialiśmy o tym, co dalej z regionem.

## Najważniejsze wnioski

- mieszkańcy chcą **miejsc pracy** blisko domu,
- tereny po kopalni mają służyć wszystkim: spacer, rower, woda,
- energia ze słońca i wiatru ma zostać w regionie.

Dziękujemy wszystkim, którzy przyszli. Kolejne spotkanie już wkrótce – zapraszamy
do zapisów i do zgłaszania pomysłów przez formularz na stronie.
"""


def flask(args: list[str], env: dict[str, str], timeout: float = 3600) -> str:
    """Run ``flask --app wsgi ARGS``; fail loudly with its output."""
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def migrations_cover_models() -> bool:
    import app.models  # noqa: F401 - every model in the metadata
    from app.extensions import db

    scripts = " ".join(p.read_text() for p in (REPO / "migrations" / "versions").glob("*.py"))
    created = set(re.findall(r"create_table\(\s*['\"](\w+)['\"]", scripts))
    return {table.name for table in db.metadata.sorted_tables} <= created


def make_schema(app, env: dict[str, str]) -> str:  # noqa: ANN001
    """``flask db upgrade`` when the migrations cover every model, otherwise
    ``create_schema`` (until the migrations are regenerated). Returns which."""
    from app.database import create_schema
    from app.extensions import db

    if migrations_cover_models():
        flask(["db", "upgrade"], env)
        with app.app_context():
            tables = set(inspect(db.engine).get_table_names())
            if {t.name for t in db.metadata.sorted_tables} <= tables:
                return "flask db upgrade"
    with app.app_context():
        create_schema(db.engine)
        db.engine.dispose()
    return "create_schema (migrations do not cover every model yet)"


def seed(app, env: dict[str, str], ideas: int, say) -> dict:  # noqa: ANN001
    """Fill a fresh database; return what the benchmark needs to know."""
    started = time.monotonic()
    say(f"schema: {make_schema(app, env)}")
    say(flask(["demo", "load"], env).strip())
    t0 = time.monotonic()
    say(flask(["demo", "generate", "--ideas", str(ideas)], env).strip())
    say(f"  ({time.monotonic() - t0:.0f} s)")
    with app.app_context():
        articles = seed_articles(200)
        workshops = seed_workshops(50)
        comments = seed_comments(COMMENTS_ON_ONE_IDEA)
    say(f"articles: {articles}, workshops: {workshops}, comments on one idea: {comments}")
    with app.app_context():
        vacuum_analyse()
    say(f"seeded in {time.monotonic() - started:.0f} s")
    return facts(app)


def vacuum_analyse() -> None:
    """After the bulk load, what PostgreSQL's autovacuum does within minutes
    on a live server: planner statistics and the visibility map (without it
    no index-only scan). SQLite needs nothing here."""
    from app.extensions import db

    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
    db.engine.dispose()


def _process():  # noqa: ANN202
    from app.extensions import db
    from app.models import Process

    processes = db.session.scalars(
        select(Process).where(Process.published.is_(True)).order_by(Process.opens_at.desc())
    ).all()
    return next((p for p in processes if p.accepts_ideas()), processes[0])


def seed_articles(total: int) -> int:
    from app.extensions import db
    from app.models import utcnow
    from app.models.article import Article, ArticleStatus, Tag

    existing = db.session.scalar(select(func.count()).select_from(Article))
    tags = {tag.slug: tag for tag in db.session.scalars(select(Tag))}
    for slug in TAGS:
        if slug not in tags:
            tags[slug] = Tag(slug=f"{slug}", name=slug.capitalize())
            db.session.add(tags[slug])
    process = _process()
    now = utcnow()
    rng = random.Random(8)
    wanted = [VIEWS_ARTICLE] if not _article(VIEWS_ARTICLE) else []
    wanted += [f"bench-artykul-{n}" for n in range(max(total - existing - len(wanted), 0))]
    for number, slug in enumerate(wanted):
        title, tag = ARTICLE_TOPICS[number % len(ARTICLE_TOPICS)]
        db.session.add(
            Article(
                slug=slug,
                title=f"{title} ({number + 1})",
                lead="Krótko o tym, co wydarzyło się w konsultacjach w tym tygodniu.",
                body=BODY,
                status=ArticleStatus.PUBLISHED,
                published_at=now - timedelta(hours=number * 7 + 1),
                views=rng.randint(0, 30000),
                process_id=process.id,
                tags=list({tags[tag], tags[rng.choice(TAGS)]}),
            )
        )
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Article))


def _article(slug: str):  # noqa: ANN202
    from app.extensions import db
    from app.models.article import Article

    return db.session.scalar(select(Article).where(Article.slug == slug))


def seed_workshops(total: int) -> int:
    from app.extensions import db
    from app.models import Workshop, WorkshopKind, utcnow

    process = _process()
    now = utcnow()
    existing = db.session.scalar(select(func.count()).select_from(Workshop))
    if db.session.scalar(select(Workshop.id).where(Workshop.slug == CAPACITY_WORKSHOP)) is None:
        db.session.add(
            Workshop(
                process=process,
                slug=CAPACITY_WORKSHOP,
                title="Warsztat na dziesięć osób: energia w gminie",
                kind=WorkshopKind.WORKSHOP,
                starts_at=now + timedelta(days=21),
                ends_at=now + timedelta(days=21, hours=3),
                venue="Park technologiczny, sala 2",
                address="ul. Przemysłowa 1",
                lead="Mała grupa, dziesięć miejsc.",
                programme="Praca w grupach i podsumowanie.",
                capacity=10,
                published=True,
            )
        )
        existing += 1
    kinds = list(WorkshopKind)
    for n in range(max(total - existing, 0)):
        offset = timedelta(days=(n % 40) - 20, hours=n % 5)
        db.session.add(
            Workshop(
                process=process,
                slug=f"bench-spotkanie-{n}",
                title=f"Spotkanie w gminie numer {n + 1}",
                kind=kinds[n % len(kinds)],
                starts_at=now + offset,
                ends_at=now + offset + timedelta(hours=2),
                venue="Dom kultury",
                address="ul. Główna 5",
                lead="Rozmowa o pomysłach mieszkańców.",
                programme="Powitanie, praca w grupach, podsumowanie.",
                capacity=30 if n % 3 else None,
                published=True,
            )
        )
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Workshop))


def _discussed_idea_id():  # noqa: ANN202
    """The published idea that gets the long discussion: the second newest
    of the open consultation (the newest is the plain "idea page")."""
    from app.extensions import db
    from app.models import Idea, IdeaStatus

    return db.session.scalar(
        select(Idea.id)
        .where(Idea.status == IdeaStatus.PUBLISHED, Idea.process_id == _process().id)
        .order_by(Idea.id.desc())
        .offset(1)
        .limit(1)
    )


def seed_comments(total: int) -> int:
    """*total* published comments under one idea: every fourth a reply (one
    level), a few hidden, some with links, some signed by the organiser."""
    from app.comments.services import text_hash
    from app.extensions import db
    from app.models import Comment, CommentStatus, Idea, utcnow

    idea_id = _discussed_idea_id()
    now = utcnow()
    parent = None
    shown = 0
    for n in range(total):
        body = (
            f"Komentarz numer {n + 1}: mieszkańcy proponują ławki, zieleń i oświetlenie "
            "wzdłuż trasy; więcej na https://example.org/plan" if n % 7 == 0 else
            f"Komentarz numer {n + 1}. Dobry pomysł, ale warto policzyć koszty utrzymania."
        )  # fmt: skip
        hidden = n % 41 == 40
        comment = Comment(
            target_type="idea",
            target_id=idea_id,
            parent_id=parent if n % 4 else None,
            body=body,
            author_name=None if n % 3 else f"Mieszkanka {n + 1}",
            email=None if n % 10 == 9 else f"komentujacy{n}@example.org",
            status=CommentStatus.HIDDEN if hidden else CommentStatus.PUBLISHED,
            official=n % 10 == 9,
            signature="Wydział Rozwoju Regionu" if n % 10 == 9 else None,
            text_hash=text_hash(body),
            created_at=now - timedelta(minutes=total - n),
            confirmed_at=now - timedelta(minutes=total - n),
            published_at=now - timedelta(minutes=total - n),
        )
        db.session.add(comment)
        db.session.flush()
        if n % 4 == 0:
            parent = comment.id
        shown += not hidden
    db.session.get(Idea, idea_id).comments_count = shown
    db.session.commit()
    return total


def facts(app) -> dict:  # noqa: ANN001
    """Addresses and ids the load and concurrency parts use."""
    from app.extensions import db
    from app.models import Category, Idea, IdeaStatus
    from app.models.article import Article

    with app.app_context():
        process = _process()
        idea_id = db.session.scalar(
            select(Idea.id)
            .where(Idea.status == IdeaStatus.PUBLISHED, Idea.process_id == process.id)
            .order_by(Idea.id.desc())
            .limit(1)
        )
        published = db.session.scalar(
            select(func.count()).select_from(Idea).where(Idea.status == IdeaStatus.PUBLISHED)
        )
        # A category whose name suits the search word "energia".
        category = db.session.scalar(
            select(Category.slug).where(Category.slug.like("%energ%")).limit(1)
        ) or db.session.scalar(select(Category.slug).limit(1))
        article = db.session.scalar(
            select(Article.slug).where(Article.slug != VIEWS_ARTICLE).order_by(Article.id).limit(1)
        )
        discussed = _discussed_idea_id()
        db.engine.dispose()
        return {
            "process": process.slug,
            "idea_id": idea_id,
            "discussed_idea_id": discussed,
            "published_ideas": published,
            "category": category,
            "article": article,
            "views_article": VIEWS_ARTICLE,
            "capacity_workshop": CAPACITY_WORKSHOP,
        }
