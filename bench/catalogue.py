"""Time the catalogue with many ideas: ``python -m bench.catalogue``.

Fill a database first (``flask --app wsgi demo load`` and
``flask --app wsgi demo generate --ideas 100000``), then run this with the
same DATABASE_URL. It requests the catalogue page (rendered HTML, through
the WSGI app in process, no network) with a search term and a filter, after
a warm-up, and prints the median, the 90th percentile and the number of SQL
statements per request.

Then a run of random Polish queries: one or two words per request, drawn
from inflected forms of the words ideas use ("kopalni", "rowerowej",
"młodzieży", "farmy fotowoltaiczne"...), a different query every time (no
cache helps). It reports the median and the 99th percentile of the search
alone (``app.search.search_ideas`` in process: matching, ranking, counting,
loading one page) and of the whole rendered catalogue page.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

from sqlalchemy import event, func, select

QUERIES = [
    "q=farma&category={category}",
    "q=odkryw&category={category}",
    "q=lodz&category={category}",
    "q=sciezka+rowerowa&category={category}",
    "q=park&status=accepted",
    "q=energia&source=form",
    "q=zwalowisku&category={category}&sort=supports",
    "q=mieszkancy&category={category}&page=3",
]


# Inflected forms as residents type them: cases, plurals, adjectives, no
# Polish letters, upper case, beginnings of words.
WORDS = [
    "energia", "energii", "kopalnia", "kopalni", "kopalnią", "szkoła", "szkołach", "szkół",
    "autobusy", "autobusów", "linii", "wyrobisko", "wyrobisku", "łąka", "łąkę", "laka",
    "młodzież", "młodzieży", "mlodziezy", "seniorów", "seniorzy", "ścieżka", "ścieżkę",
    "sciezki", "rowerowa", "rowerowej", "rowerów", "zalew", "zalewu", "farma", "farmy",
    "fotowoltaiczna", "fotowoltaicznej", "park", "parku", "parki", "las", "lasu", "lasów",
    "odkrywka", "odkrywce", "odkryw", "hałdzie", "hałdy", "zwałowisko", "zwałowisku", "rzeki",
    "Łódź", "Łodzi", "lodz", "Bełchatów", "Bełchatowie", "belchatow", "Koninie", "ogród",
    "ogrody", "ogrodu", "kąpielisko", "kąpieliska", "biblioteki", "bibliotece", "muzeum",
    "węgla", "brunatnego", "wieża", "wieży", "widokowa", "stacja", "ładowania", "kino",
    "kinie", "centrum", "miasta", "mieście", "osiedlu", "osiedla", "dworca", "dworzec",
    "rynku", "SKATEPARK", "Amfiteatr", "kawiarnia", "żłobek", "żłobka", "przystań",
    "żeglarska", "spółdzielnia", "spółdzielni", "energetyczna", "geotermalna", "ciepłownia",
    "wspinaczkowa", "narciarstwa", "biegowego", "turystów", "pracy", "praca", "miejsca",
    "kwalifikacje", "transformacji", "górnicy", "górników", "rachunki", "powietrze",
    "kopal", "rower", "mural", "targ", "rolników", "festiwal", "muzyki", "opera",
]  # fmt: skip


def _random_queries(count: int, seed: int = 15) -> list[str]:
    rng = random.Random(seed)  # nosec B311 - benchmark input
    queries: list[str] = []
    seen: set[str] = set()
    while len(queries) < count:
        words = rng.sample(WORDS, rng.choice((1, 1, 2)))
        query = " ".join(words)
        if query not in seen or len(seen) >= len(WORDS) ** 2 // 2:
            seen.add(query)
            queries.append(query)
    return queries


def _median_p99(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def _percentiles(label: str, times: list[float]) -> str:
    median, p99 = _median_p99(times)
    return f"{label}: median {median:.1f} ms, p99 {p99:.1f} ms"


def search_run(app, client, count: int) -> dict[str, float]:  # noqa: ANN001
    """Random one- and two-word queries, a different one per request; prints
    and returns the medians and 99th percentiles in milliseconds."""
    from urllib.parse import urlencode

    from app.extensions import db
    from app.search import IdeaSearch, search_ideas

    queries = _random_queries(count * 2)
    warm, measured = queries[:count], queries[count:]
    with app.app_context():
        for query in warm[:50]:  # warm-up: the analyser, compiled statements
            search_ideas(IdeaSearch(q=query), 1, 20)
        found, inside = [], []
        for query in measured:
            start = time.perf_counter()
            _items, total = search_ideas(IdeaSearch(q=query), 1, 20)
            inside.append((time.perf_counter() - start) * 1000)
            found.append(total)
            db.session.rollback()
    pages = []
    for query in measured[: max(count // 2, 1)]:
        start = time.perf_counter()
        response = client.get("/ideas?" + urlencode({"q": query}))
        pages.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, query
    print(f"random queries: {len(measured)} searches, {len(set(measured))} distinct, "
          f"median {statistics.median(found):.0f} ideas found")  # fmt: skip
    print(_percentiles("  search in process (search_ideas, one page of 20)", inside))
    print(_percentiles("  whole catalogue page with the query", pages))
    search_median, search_p99 = _median_p99(inside)
    page_median, page_p99 = _median_p99(pages)
    return {
        "search_median_ms": search_median,
        "search_p99_ms": search_p99,
        "page_median_ms": page_median,
        "page_p99_ms": page_p99,
        # An empty index answers every query in no time: timings mean nothing then.
        "queries_with_results": sum(1 for total in found if total),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--queries", type=int, default=400, help="random queries to time")
    args = parser.parse_args()

    from app import create_app
    from app.extensions import db
    from app.models import Category, Idea, IdeaStatus
    from config import ProductionConfig

    app = create_app(
        ProductionConfig,
        {"SQLALCHEMY_DATABASE_URI": args.database_url, "RATELIMIT_ENABLED": False,
         "SESSION_COOKIE_SECURE": False},
    )  # fmt: skip
    statements = []
    with app.app_context():
        sql_clock: list[float] = [0.0]

        def before(*_args) -> None:  # noqa: ANN002
            statements.append(1)
            sql_clock.append(time.perf_counter())

        def after(*_args) -> None:  # noqa: ANN002
            sql_clock[0] += time.perf_counter() - sql_clock.pop()

        event.listen(db.engine, "before_cursor_execute", before)
        event.listen(db.engine, "after_cursor_execute", after)
        published = db.session.scalar(
            select(func.count(Idea.id)).where(Idea.status == IdeaStatus.PUBLISHED)
        )
        category = db.session.scalar(
            select(Category.slug)
            .join(Idea, Idea.category_id == Category.id)
            .group_by(Category.slug)
            .order_by(func.count(Idea.id).desc())
        )
    client = app.test_client()
    urls = ["/ideas?" + q.format(category=category) for q in QUERIES]
    for url in urls:  # warm-up: caches, compiled statements, templates
        assert client.get(url).status_code == 200, url
    times: list[float] = []
    cpu: list[float] = []
    sql: list[float] = []
    counts: set[int] = set()
    for _ in range(args.rounds):
        for url in urls:
            before = len(statements)
            sql_clock[0] = 0.0
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            sql.append(sql_clock[0] * 1000)
            counts.add(len(statements) - before)
            assert response.status_code == 200
    times.sort()
    print(f"database: {args.database_url.split(':')[0]}; load average: {os.getloadavg()[0]:.1f}")
    print(f"published ideas: {published}; requests: {len(times)}")
    print(
        f"wall clock: median {statistics.median(times):.1f} ms, "
        f"p90 {times[int(len(times) * 0.9)]:.1f} ms, max {times[-1]:.1f} ms"
    )
    # CPU time of this process (Python, templates and, on SQLite, the query
    # itself): what a request costs when it does not wait for a busy CPU.
    print(f"time inside SQL statements: median {statistics.median(sql):.1f} ms")
    print(f"process CPU: median {statistics.median(cpu):.1f} ms; "
          f"SQL statements per request: {sorted(counts)}")  # fmt: skip
    search_run(app, client, args.queries)


if __name__ == "__main__":
    main()
