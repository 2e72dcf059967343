"""The open-data JSON API: shapes per the contract, validated against its
own OpenAPI 3.1 document, JSON errors, and no personal data."""

from __future__ import annotations

from datetime import timedelta

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.extensions import db
from app.models import IdeaStatus, utcnow


def validator(spec: dict, name: str):  # noqa: ANN201
    """A JSON Schema validator for one component of the OpenAPI document."""
    return jsonschema_rs.validator_for(
        {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
    )


@pytest.fixture
def spec(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


@pytest.fixture
def data(app, make):
    """Ideas from every source, meetings past and future, an article if the
    article feature is there."""
    now = utcnow()
    process = make.process(slug="transformacja", title="Transformacja")
    category = make.category(slug="energia", name="Energia")
    workshop = make.workshop(
        process_id=process.id,
        slug="warsztat-pierwszy",
        title="Warsztat pierwszy",
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=3, hours=-2),
        participants_count=12,
    )
    make.workshop(process_id=process.id, slug="warsztat-drugi", capacity=None)
    ideas = {
        "named": make.idea(title="Farma słoneczna", process_id=process.id, category_id=category.id,
                           author_name="Jawna Autorka", show_author_name=True, email="jawna@example.org",
                           supports_count=7),
        "anonymous": make.idea(title="Ścieżka nad zalewem", process_id=process.id, category_id=category.id,
                               author_name="Ukryty Autor", show_author_name=False, email="ukryty@example.org",
                               municipality="Tajna Gmina", result_status="in_progress", progress=35),
        "workshop": make.idea(title="Kino plenerowe", process_id=process.id, category_id=category.id,
                              source="workshop", workshop_id=workshop.id),
        "waiting": make.idea(status=IdeaStatus.AWAITING_REVIEW, title="Pomysł w poczekalni",
                             process_id=process.id, category_id=category.id),
    }  # fmt: skip
    try:
        from app.models.article import Article, ArticleStatus, Tag
    except ImportError:
        return ideas
    with app.app_context():
        tag = Tag(slug="energia", name="Energia")
        db.session.add(tag)
        db.session.add(Article(slug="pierwszy-artykul", title="Pierwszy artykuł", lead="Wstęp", body="Treść",
                               status=ArticleStatus.PUBLISHED, published_at=now - timedelta(days=1),
                               tags=[tag]))  # fmt: skip
        db.session.add(
            Article(slug="szkic", title="Szkic", lead="", body="", status=ArticleStatus.DRAFT)
        )
        db.session.commit()
    return ideas


def test_openapi_document_is_3_1_and_describes_every_api_path(app, spec):
    assert spec["openapi"].startswith("3.1")
    for path in ("/ideas", "/ideas/{id}", "/workshops", "/articles", "/stats", "/openapi.json"):
        assert path in spec["paths"], path
        for code in ("405", "429"):
            assert code in spec["paths"][path]["get"]["responses"]
    routes = {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("api.")}
    described = {
        "/api/v1" + p.replace("{id}", "<int:idea_id>").replace("{slug}", "<slug>")
        for p in spec["paths"]
    }
    assert routes - {"/api/v1/"} == described


def test_ideas_list_matches_the_contract_and_the_document(client, spec, data):
    body = client.get("/api/v1/ideas").get_json()
    validator(spec, "IdeaPage").validate(body)
    assert (body["page"], body["per_page"], body["total"]) == (1, 20, 3)
    named = next(item for item in body["items"] if item["title"] == "Farma słoneczna")
    assert set(named) == {"id", "title", "description", "category", "process", "source", "workshop",
                          "author_name", "status", "progress", "supports", "comments", "published_at", "url"}  # fmt: skip
    assert named["category"] == {"slug": "energia", "name": "Energia"}
    assert named["process"] == {"slug": "transformacja", "title": "Transformacja"}
    assert named["author_name"] == "Jawna Autorka"
    assert named["supports"] == 7
    assert named["url"] == f"http://odkrywka.test/ideas/{named['id']}-farma-soneczna" or named[
        "url"
    ].startswith(f"http://odkrywka.test/ideas/{named['id']}-")
    assert named["published_at"][-6] in "+-" and "T" in named["published_at"]
    workshop = next(item for item in body["items"] if item["source"] == "workshop")
    assert workshop["workshop"] == {"slug": "warsztat-pierwszy", "title": "Warsztat pierwszy"}


def test_one_idea_and_404_for_unpublished(client, spec, data):
    body = client.get(f"/api/v1/ideas/{data['anonymous'].id}").get_json()
    validator(spec, "Idea").validate(body)
    assert (body["status"], body["progress"], body["author_name"]) == ("in_progress", 35, None)
    for missing in (data["waiting"].id, 999999):
        response = client.get(f"/api/v1/ideas/{missing}")
        assert response.status_code == 404
        assert response.get_json()["error"] == "not_found"
        validator(spec, "Error").validate(response.get_json())


@pytest.mark.parametrize(
    ("query", "titles"),
    [("q=farma", ["Farma słoneczna"]), ("q=sciezka+zalew", ["Ścieżka nad zalewem"]),
     ("status=in_progress", ["Ścieżka nad zalewem"]), ("source=workshop", ["Kino plenerowe"]),
     ("workshop=warsztat-pierwszy", ["Kino plenerowe"]), ("category=energia&sort=supports&per_page=1", ["Farma słoneczna"])],
)  # fmt: skip
def test_ideas_filters_work_as_in_the_catalogue(client, data, query, titles):
    assert [
        item["title"] for item in client.get(f"/api/v1/ideas?{query}").get_json()["items"]
    ] == titles


@pytest.mark.parametrize(
    "query",
    ["page=0", "page=-1", "page=abc", "page=1.5", "per_page=0", "per_page=101", "per_page=100000",
     "per_page=x", "category=nie-ma", "status=zly", "source=fax", "workshop=nie-ma", "process=nie-ma",
     "sort=random", "page=99999999999999999999"],
)  # fmt: skip
def test_bad_parameters_are_a_json_400(client, spec, data, query):
    response = client.get(f"/api/v1/ideas?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    validator(spec, "Error").validate(response.get_json())
    assert response.get_json()["error"] == "bad_request"


@pytest.mark.parametrize(
    ("name", "value"), [("page", "²"), ("page", "٣"), ("per_page", "①"), ("per_page", "٣")]
)
def test_unicode_digits_in_paging_are_a_json_400(client, spec, data, name, value):
    response = client.get("/api/v1/ideas", query_string={name: value})
    assert response.status_code == 400
    body = response.get_json()
    validator(spec, "Error").validate(body)
    assert body["error"] == "bad_request"
    assert name in body["message"] and "0–9" in body["message"]


def test_page_past_the_last_is_empty_not_an_error(client, data):
    body = client.get("/api/v1/ideas?page=500&per_page=100").get_json()
    assert body == {
        "items": [], "page": 500, "per_page": 100, "total": 3, "total_exact": True, "next": None
    }


@pytest.mark.parametrize(("method", "path"), [("post", "/api/v1/ideas"), ("delete", "/api/v1/ideas/1"),
                                              ("put", "/api/v1/stats"), ("post", "/api/v1/openapi.json")])  # fmt: skip
def test_writes_are_a_json_405(client, spec, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 405
    validator(spec, "Error").validate(response.get_json())


def test_unknown_api_path_is_a_json_404(client, spec):
    response = client.get("/api/v1/nie-ma-takiego")
    assert response.status_code == 404
    validator(spec, "Error").validate(response.get_json())


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_API="3 per minute")
def test_too_many_requests_is_a_json_429(app, client):
    codes = [client.get("/api/v1/stats").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get("/api/v1/ideas")
    assert response.status_code == 429
    with app.test_request_context():
        from app.api.openapi import build_spec

        validator(build_spec(), "Error").validate(response.get_json())


@pytest.mark.parametrize(("when", "slugs"), [("upcoming", ["warsztat-drugi"]), ("past", ["warsztat-pierwszy"]),
                                              ("all", ["warsztat-pierwszy", "warsztat-drugi"])])  # fmt: skip
def test_workshops_by_time(client, spec, data, when, slugs):
    body = client.get(f"/api/v1/workshops?when={when}").get_json()
    validator(spec, "WorkshopPage").validate(body)
    assert [item["slug"] for item in body["items"]] == slugs


def test_workshop_shape(client, spec, data):
    item = client.get("/api/v1/workshops?when=upcoming").get_json()["items"][0]
    assert set(item) == {"slug", "title", "kind", "starts_at", "ends_at", "venue", "capacity",
                         "places_left", "registration_open", "url"}  # fmt: skip
    assert item["capacity"] is None and item["places_left"] is None
    assert item["registration_open"] is True
    assert item["url"] == "http://odkrywka.test/workshops/warsztat-drugi"
    assert client.get("/api/v1/workshops?when=soon").status_code == 400


def test_articles_list(client, spec, data):
    body = client.get("/api/v1/articles").get_json()
    validator(spec, "ArticlePage").validate(body)
    try:
        import app.models.article  # noqa: F401
    except ImportError:
        pytest.skip("no article feature")
    assert [item["slug"] for item in body["items"]] == ["pierwszy-artykul"]
    item = body["items"][0]
    assert item["tags"] == ["energia"] and item["has_video"] is False and item["cover_url"] is None
    assert client.get("/api/v1/articles?tag=energia").get_json()["total"] == 1
    assert client.get("/api/v1/articles?tag=nie-ma").status_code == 400


def test_stats_match_the_document(client, spec, data):
    validator(spec, "Stats").validate(client.get("/api/v1/stats").get_json())


def test_no_personal_data_in_any_api_answer(client, data):
    texts = [
        client.get(url).get_data(as_text=True)
        for url in ("/api/v1/ideas", "/api/v1/ideas?per_page=100&q=sciezka", f"/api/v1/ideas/{data['anonymous'].id}",
                    "/api/v1/workshops", "/api/v1/stats", "/api/v1/articles")
    ]  # fmt: skip
    blob = "\n".join(texts)
    for secret in (
        "@example.org",
        "Ukryty Autor",
        "Tajna Gmina",
        "Pomysł w poczekalni",
        "email",
        "municipality",
    ):
        assert secret not in blob, secret
    assert "Jawna Autorka" in blob


def test_docs_page_explains_the_data_for_people(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>" in html and "/api/v1/openapi.json" in html and "/export/ideas.csv" in html


# --- Every documented operation, with generated inputs ---------------------


@pytest.mark.slow
def test_api_conforms_to_its_openapi_document(app, data):
    """Generated requests for every documented operation: never a 5xx, always
    JSON, every answer valid against the document (schemathesis)."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def check(case):  # noqa: ANN001
            response = case.call()
            assert response.status_code < 500, (operation.label, response.text)
            assert isinstance(response.json(), dict)  # JSON, errors included
            # An unknown slug is well-formed but answered 400 by design.
            case.validate_response(response, excluded_checks=[positive_data_acceptance])
            assert "@example.org" not in response.text

        check()
