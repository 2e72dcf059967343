"""Hypothesis throws arbitrary input at every public form and API query:
the answer is never a server error. (The submission form has its own,
deeper fuzz test in test_submission_fuzz.)"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.models import IdeaStatus
from tests.browser_support import demo_targets, load_demo

pytestmark = pytest.mark.slow

TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=200)
NASTY = st.sampled_from(
    [
        "",
        "\x00",
        "a\x00b",
        "'; DROP TABLE ideas; --",
        "%",
        "_",
        "\\",
        "ą" * 300,
        "9" * 40,
        "-1",
        "0",
        "1e309",
        "NaN",
        "[]",
        "{}",
        "../../etc/passwd",
        "\r\n",
        "<script>",
        "\u202e",
        "😀" * 50,
    ]
)
VALUE = st.one_of(TEXT, NASTY)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def demo(app, make):
    load_demo(app)
    return demo_targets(app, make)


def assert_no_server_error(response) -> None:  # noqa: ANN001
    assert response.status_code < 500, response.get_data(as_text=True)[:500]


@FUZZ
@given(params=st.dictionaries(
    st.sampled_from(["q", "category", "status", "source", "workshop", "process", "sort", "page",
                     "per_page", "lang"]),
    VALUE, max_size=6))  # fmt: skip
def test_catalogue_and_api_queries(client, demo, params):
    for path in ("/ideas", "/api/v1/ideas", "/results", "/export/ideas.csv", "/feeds/ideas.atom"):
        assert_no_server_error(client.get(path, query_string=params))


@FUZZ
@given(params=st.dictionaries(
    st.sampled_from(["when", "tag", "page", "per_page", "process"]), VALUE, max_size=4))  # fmt: skip
def test_other_api_queries(client, demo, params):
    for path in (
        "/api/v1/workshops",
        "/api/v1/articles",
        "/api/v1/stats",
        "/workshops",
        "/articles",
        "/ideas/similar",
    ):
        assert_no_server_error(client.get(path, query_string=params))


@FUZZ
@given(segment=VALUE)
def test_path_segments(client, demo, segment):
    from urllib.parse import quote

    quoted = quote(segment, safe="")
    for path in (
        f"/ideas/{quoted}",
        f"/processes/{quoted}",
        f"/workshops/{quoted}",
        f"/articles/{quoted}",
        f"/tags/{quoted}",
        f"/api/v1/ideas/{quoted}",
        f"/ideas/track/{quoted}",
        f"/registrations/{quoted}",
        f"/supports/confirm/{quoted}",
        f"/ideas/confirm/{quoted}",
        f"/media/covers/{quoted}",
    ):
        assert_no_server_error(client.get(path))


@FUZZ
@given(email=VALUE, notify=st.sampled_from(["", "y", "n", "\x00"]), reason=VALUE)
def test_support_and_report_forms(client, demo, email, notify, reason):
    idea = demo["idea"]
    assert_no_server_error(
        client.post(f"/ideas/{idea}/support", data={"email": email, "notify": notify})
    )
    assert_no_server_error(client.post(f"/ideas/{idea}/report", data={"reason": reason}))


@FUZZ
@given(data=st.fixed_dictionaries({
    "name": VALUE, "email": VALUE, "participant_group": st.one_of(VALUE, st.just("resident")),
    "needs": VALUE, "consent": st.sampled_from(["", "y", "\x00"])}))  # fmt: skip
def test_registration_form(client, demo, data):
    slug = demo["open_workshop"]
    assert_no_server_error(client.post(f"/workshops/{slug}/register", data=data))


@FUZZ
@given(email=VALUE, password=VALUE, code=VALUE, lang=VALUE, next_url=VALUE)
def test_sign_in_language_and_code_forms(client, demo, email, password, code, lang, next_url):
    assert_no_server_error(
        client.post("/staff/login", data={"email": email, "password": password, "next": next_url})
    )
    assert_no_server_error(client.post("/staff/login/code", data={"code": code}))
    assert_no_server_error(client.post("/language", data={"lang": lang, "next": next_url}))


@FUZZ
@given(data=st.dictionaries(
    st.sampled_from(["title", "description", "category", "process", "author_name", "email",
                     "municipality", "show_author_name", "consent", "website", "confirm",
                     "reason", "version"]),
    VALUE, max_size=8))  # fmt: skip
def test_private_page_forms(client, make, demo, data):
    token = demo["track"]
    for path in (f"/ideas/track/{token}/edit", f"/ideas/track/{token}/withdraw"):
        assert_no_server_error(client.post(path, data=data))
    registration = demo["registration"]
    assert_no_server_error(client.post(f"/registrations/{registration}/confirm", data=data))
    assert IdeaStatus.PUBLISHED  # the demo stays loaded for every example
