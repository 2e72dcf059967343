"""Cursor paging (``after``/``next``), bounded page numbers and capped
totals for the API list and the catalogue (app/catalogue/paging.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from app.catalogue import paging
from app.catalogue import routes as catalogue_routes
from app.extensions import db
from app.models import Idea, IdeaSource, ResultStatus, utcnow


@pytest.fixture
def ideas(app, make):
    """25 published ideas in one consultation: two categories, several
    sharing one publication instant (ties broken by id), varied supports;
    and one idea waiting for moderation (never listed)."""
    process = make.process()
    parks, roads = make.category(), make.category()
    now = utcnow()
    made = []
    for n in range(25):
        made.append(
            make.idea(
                process_id=process.id,
                category_id=parks.id if n % 3 else roads.id,
                title=f"Pomysł o parku numer {n}" if n % 2 else f"Droga rowerowa numer {n}",
                # Five ideas share each instant.
                published_at=now - timedelta(minutes=n // 5),
                supports_count=n % 4,
                source=IdeaSource.WORKSHOP if n % 5 == 0 else IdeaSource.FORM,
                result_status=ResultStatus.ACCEPTED if n % 7 == 0 else ResultStatus.PUBLISHED,
            )
        )
    make.idea(status="awaiting_review", process_id=process.id, category_id=parks.id)
    return {"process": process, "parks": parks, "roads": roads, "ideas": made}


def walk(client, url: str) -> tuple[list[int], int]:  # noqa: ANN001
    """Every id reached by following ``next`` from *url*; and the pages."""
    seen: list[int] = []
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        url = body["next"]
        if url:
            parts = urlsplit(url)
            assert parts.scheme and parts.netloc  # an absolute URL
            assert response.headers["Link"] == f'<{url}>; rel="next"'
            url = f"{parts.path}?{parts.query}"
        assert pages < 50
    return seen, pages


def expected(ideas, sort: str, keep=lambda idea: True) -> list[int]:  # noqa: ANN001, ANN202
    rows = [i for i in ideas if keep(i)]
    if sort == "oldest":
        return [i.id for i in sorted(rows, key=lambda i: (i.published_at, i.id))]
    if sort == "supports":
        return [
            i.id
            for i in sorted(rows, key=lambda i: (i.supports_count, i.published_at, i.id), reverse=True)
        ]
    return [i.id for i in sorted(rows, key=lambda i: (i.published_at, i.id), reverse=True)]


@pytest.mark.parametrize("sort", ["newest", "oldest", "supports"])
def test_following_next_visits_every_idea_once_in_order(client, ideas, sort):
    seen, pages = walk(client, f"/api/v1/ideas?per_page=4&sort={sort}")
    assert seen == expected(ideas["ideas"], sort)
    assert pages == 7  # 25 ideas, 4 a page: the last page has no next


@pytest.mark.parametrize("sort", ["newest", "supports"])
def test_filters_are_kept_along_the_cursor_links(client, ideas, sort):
    slug = ideas["parks"].slug
    seen, _ = walk(client, f"/api/v1/ideas?per_page=3&sort={sort}&category={slug}&source=form")
    want = expected(
        ideas["ideas"], sort,
        lambda i: i.category_id == ideas["parks"].id and i.source == IdeaSource.FORM,
    )  # fmt: skip
    assert seen == want and len(want) > 6


def test_a_search_pages_by_cursor_too(client, ideas):
    for query in ("q=parku", "q=parku&sort=newest", "q=rowerowa&sort=oldest"):
        first = client.get(f"/api/v1/ideas?per_page=3&{query}").get_json()
        seen, _ = walk(client, f"/api/v1/ideas?per_page=3&{query}")
        assert len(seen) == len(set(seen)) == first["total"]


def test_ideas_published_while_paging_shift_nothing(app, client, ideas, make):
    """Newest first: new ideas go before the cursor (not shown twice, none
    skipped); oldest first: they come at the end and are reached."""
    for sort in ("newest", "oldest"):
        first = client.get(f"/api/v1/ideas?per_page=5&sort={sort}").get_json()
        seen = [item["id"] for item in first["items"]]
        added = [
            make.idea(
                process_id=ideas["process"].id,
                category_id=ideas["parks"].id,
                published_at=utcnow() + timedelta(seconds=n),
            ).id
            for n in range(3)
        ]
        rest, _ = walk(client, urlsplit(first["next"]).path + "?" + urlsplit(first["next"]).query)
        seen += rest
        assert len(seen) == len(set(seen)), "no idea twice"
        originals = {i.id for i in ideas["ideas"]}
        assert originals <= set(seen), "no idea missed"
        if sort == "oldest":
            assert seen[-3:] == added
        else:
            assert not set(added) & set(seen)
        with app.app_context():
            for idea_id in added:
                db.session.delete(db.session.get(Idea, idea_id))
            db.session.commit()


@pytest.mark.parametrize(
    "query",
    [
        "after=nonsense!",
        "after=",
        "after=" + "A" * 200,
        "after=bi4xLjJ4",  # "n.1.2x"
        "after=cy4xLjIuMw&sort=newest",  # a cursor made for sort=supports
        "after=bi4xLjI&page=2",
        "after=cu5f",
    ],
)
def test_bad_cursors_are_a_json_400(client, ideas, query):
    response = client.get(f"/api/v1/ideas?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "bad_request"
    assert "after" in body["message"]


def test_a_cursor_for_another_sort_is_refused(client, ideas):
    body = client.get("/api/v1/ideas?per_page=2&sort=oldest").get_json()
    cursor = re.search(r"after=([^&]+)", body["next"]).group(1)
    assert client.get(f"/api/v1/ideas?after={cursor}&sort=oldest").status_code == 200
    assert client.get(f"/api/v1/ideas?after={cursor}&sort=newest").status_code == 400


def test_page_numbers_stop_at_the_bound_with_a_pointer_to_after(client, ideas, monkeypatch):
    monkeypatch.setattr(paging, "MAX_OFFSET", 8)
    assert client.get("/api/v1/ideas?per_page=4&page=3").status_code == 200  # offset 8
    response = client.get("/api/v1/ideas?per_page=4&page=4")
    assert response.status_code == 400
    assert "after" in response.get_json()["message"]
    # Past the last page (the total is exact): nothing, not an error.
    body = client.get("/api/v1/ideas?per_page=4&page=9").get_json()
    assert body["items"] == [] and body["next"] is None
    # The catalogue: a page with a way further (filters, search), and a 400.
    page = client.get("/ideas?page=2")
    assert page.status_code == 400
    assert "zawężając wyniki" in page.get_data(as_text=True)


def test_totals_are_exact_below_the_cap_and_labelled_above(client, ideas, monkeypatch):
    body = client.get("/api/v1/ideas").get_json()
    assert (body["total"], body["total_exact"]) == (25, True)
    filtered = client.get(f"/api/v1/ideas?category={ideas['roads'].slug}").get_json()
    assert (filtered["total"], filtered["total_exact"]) == (9, True)

    monkeypatch.setattr(paging, "TOTAL_CAP", 10)
    body = client.get("/api/v1/ideas?per_page=20").get_json()
    assert (body["total"], body["total_exact"]) == (10, False)
    assert len(body["items"]) == 20  # the items do not depend on the count
    html = client.get("/ideas?lang=pl").get_data(as_text=True)
    assert "Ponad 10 pomysłów" in html
    searched = client.get("/ideas?q=numer").get_data(as_text=True)
    assert "Znaleziono ponad 10 pomysłów" in searched
    assert (
        client.get(f"/api/v1/ideas?category={ideas['roads'].slug}").get_json()["total_exact"]
        is True
    )


def test_catalogue_pages_link_prev_and_next_and_deep_ones_are_noindex(
    client, ideas, monkeypatch
):
    first = client.get("/ideas").get_data(as_text=True)
    assert '<link rel="next" href="/ideas?page=2">' in first
    assert 'rel="prev"' not in first.split("</head>")[0]
    assert "noindex" not in first
    second = client.get("/ideas?page=2").get_data(as_text=True).split("</head>")[0]
    assert '<link rel="prev" href="/ideas?page=1">' in second
    assert "noindex" not in second
    monkeypatch.setattr(catalogue_routes, "CRAWL_PAGES", 1)
    deep = client.get("/ideas?page=2&sort=oldest").get_data(as_text=True).split("</head>")[0]
    assert '<meta name="robots" content="noindex, follow">' in deep
    assert 'rel="prev"' in deep and 'rel="next"' not in deep


def test_a_total_is_counted_once_until_the_lists_of_ideas_change(app, client, ideas, make):
    """Every page of one filter shows the same total: it is counted on the
    first and kept (app.pagecache.kept_value) until an idea is published,
    hidden or edited; a support changes no total and keeps it."""
    from sqlalchemy import event

    counts: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if "count(" in statement.lower():
            counts.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", note)
    try:
        first = client.get("/api/v1/ideas?per_page=5").get_json()
        assert (first["total"], len(counts)) == (25, 1)
        second = client.get(urlsplit(first["next"]).path + "?" + urlsplit(first["next"]).query)
        oldest = client.get("/api/v1/ideas?sort=oldest&per_page=7").get_json()
        html = client.get("/ideas?page=2").get_data(as_text=True)
        assert second.get_json()["total"] == oldest["total"] == 25
        assert "25" in html
        assert len(counts) == 1  # every order, every depth, the catalogue too
        roads = client.get(f"/api/v1/ideas?category={ideas['roads'].slug}").get_json()
        assert (roads["total"], len(counts)) == (9, 2)  # another filter, another count

        with app.app_context():
            idea = db.session.get(Idea, ideas["ideas"][0].id)
            idea.supports_count += 1
            db.session.commit()
        assert client.get("/api/v1/ideas?per_page=6").get_json()["total"] == 25
        assert len(counts) == 2

        make.idea(process_id=ideas["process"].id, category_id=ideas["roads"].id)
        assert client.get("/api/v1/ideas?per_page=5").get_json()["total"] == 26
        after = client.get(f"/api/v1/ideas?category={ideas['roads'].slug}").get_json()
        assert after["total"] == 10
        assert len(counts) == 4
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", note)


def test_a_search_is_counted_up_to_its_own_lower_cap(client, ideas, monkeypatch):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert f"({paging.SEARCH_TOTAL_CAP} when q is given)" in str(spec)
    monkeypatch.setattr(paging, "SEARCH_TOTAL_CAP", 5)
    searched = client.get("/api/v1/ideas?q=numer").get_json()
    assert (searched["total"], searched["total_exact"]) == (5, False)
    assert len(searched["items"]) == 20  # the items do not depend on the count
    html = client.get("/ideas?q=numer").get_data(as_text=True)
    assert "Znaleziono ponad 5 pomysłów" in html
    listed = client.get("/api/v1/ideas").get_json()
    assert (listed["total"], listed["total_exact"]) == (25, True)
    narrow = client.get("/api/v1/ideas?q=numer&category=" + ideas["roads"].slug).get_json()
    assert (narrow["total"], narrow["total_exact"]) == (5, False)
