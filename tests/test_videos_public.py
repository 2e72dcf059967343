"""Public video pages: the player with captions, files served with range
requests, recordings on meeting pages once the meeting has happened, the
moments on idea pages, the rail, counts in Polish, the API and the sitemap."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale

from app.extensions import db
from app.models import Process, VideoDailyPlays, utcnow
from app.videos.display import plays_label
from app.videos.services import most_played, recordings_for_process
from tests.videos_support import WEBM, make_video

NNBSP = "\u202f"


def test_the_video_page_has_the_player_with_polish_captions_as_a_track(app, client):
    video = make_video(app, captions=("pl", "en"))
    page = client.get(f"/videos/{video.slug}").get_data(as_text=True)
    assert f'<source src="/videos/{video.slug}/media/{video.file_name}" type="video/webm">' in page
    assert f'<track kind="captions" srclang="pl" label="polski" src="/videos/{video.slug}/captions/pl.vtt" default>' in page
    assert 'srclang="en"' in page
    assert "00:06" in page


def test_captions_are_served_as_webvtt(app, client):
    video = make_video(app)
    response = client.get(f"/videos/{video.slug}/captions/pl.vtt")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/vtt; charset=utf-8"
    assert response.get_data(as_text=True).startswith("WEBVTT")
    assert client.get(f"/videos/{video.slug}/captions/en.vtt").status_code == 404


def test_the_file_is_served_in_ranges(app, client):
    video = make_video(app)
    url = f"/videos/{video.slug}/media/{video.file_name}"
    data = WEBM.read_bytes()

    whole = client.get(url)
    assert whole.status_code == 200
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Content-Type"] == "video/webm"
    assert whole.data == data

    first = client.get(url, headers={"Range": "bytes=0-99"})
    assert first.status_code == 206
    assert first.headers["Content-Range"] == f"bytes 0-99/{len(data)}"
    assert first.data == data[:100]

    tail = client.get(url, headers={"Range": "bytes=1000-"})
    assert tail.status_code == 206
    assert tail.headers["Content-Range"] == f"bytes 1000-{len(data) - 1}/{len(data)}"
    assert tail.data == data[1000:]

    beyond = client.get(url, headers={"Range": f"bytes={len(data) + 10}-"})
    assert beyond.status_code == 416


def test_only_the_videos_own_files_are_served(app, client):
    video = make_video(app)
    other = make_video(app)
    assert client.get(f"/videos/{video.slug}/media/{other.file_name}").status_code == 404
    assert client.get(f"/videos/{video.slug}/media/..%2Fsecret_key").status_code == 404
    poster = client.get(f"/videos/{video.slug}/media/{video.poster_name}")
    assert poster.status_code == 200
    assert poster.headers["Content-Type"] == "image/jpeg"


def test_a_draft_and_its_files_are_not_found(app, client):
    video = make_video(app, state="draft")
    for path in ("", f"/media/{video.file_name}", "/captions/pl.vtt"):
        assert client.get(f"/videos/{video.slug}{path}").status_code == 404
    assert video.slug not in client.get("/videos").get_data(as_text=True)


def test_an_editor_previews_a_draft_privately(app, client, login):
    video = make_video(app, state="draft")
    login("editor")
    response = client.get(f"/videos/{video.slug}")
    assert response.status_code == 200
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert "nie jest opublikowany" in response.get_data(as_text=True)


def test_a_meeting_page_shows_its_recording_only_once_it_has_happened(app, client, make):
    now = utcnow()
    past = make.workshop(starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=3, hours=-2))
    future = make.workshop(starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=3, hours=2))
    recorded = make_video(app, workshop_id=past.id, title="Nagranie z przeszłości")
    early = make_video(app, workshop_id=future.id, title="Nagranie z przyszłości")
    page = client.get(f"/workshops/{past.slug}").get_data(as_text=True)
    assert "Nagranie ze spotkania" in page
    assert f"/videos/{recorded.slug}/media/{recorded.file_name}" in page
    assert "Nagranie z przyszłości" not in client.get(f"/workshops/{future.slug}").get_data(as_text=True)
    assert client.get(f"/videos/{early.slug}").status_code == 404


def test_recordings_for_process_lists_the_meetings_recordings_in_order(app, make):
    now = utcnow()
    process = make.process()
    later = make.workshop(process_id=process.id, starts_at=now - timedelta(days=2),
                          ends_at=now - timedelta(days=2, hours=-1))
    earlier = make.workshop(process_id=process.id, starts_at=now - timedelta(days=9),
                            ends_at=now - timedelta(days=9, hours=-1))  # fmt: skip
    second = make_video(app, workshop_id=later.id)
    first = make_video(app, workshop_id=earlier.id)
    make_video(app, process_id=process.id)  # not a recording
    make_video(app, workshop_id=earlier.id, state="draft")
    with app.app_context():
        found = recordings_for_process(db.session.get(Process, process.id))
        assert [v.id for v in found] == [first.id, second.id]


def test_an_idea_page_lists_the_moment_a_video_discusses_it(app, client, make):
    idea = make.idea()
    video = make_video(app, title="Warsztaty o transporcie", chapters=((42, "Kolej", idea.id),))
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "omawiany od 00:42" in page
    assert f'href="/videos/{video.slug}#t=42s"' in page
    detail = client.get(f"/videos/{video.slug}").get_data(as_text=True)
    assert 'href="#t=42s"' in detail
    assert f"/ideas/{idea.id}" in detail


def _played(app, video_id: int, plays: int, days_ago: int) -> None:
    with app.app_context():
        db.session.add(VideoDailyPlays(video_id=video_id, plays=plays,
                                       day=utcnow().date() - timedelta(days=days_ago)))  # fmt: skip
        db.session.commit()


def test_the_rail_orders_by_plays_of_the_last_30_days(app, client):
    old_hit = make_video(app, title="Dawny przebój", plays=90_000)
    _played(app, old_hit.id, 90_000, 40)  # outside the window
    _played(app, old_hit.id, 2, 1)
    steady = make_video(app, title="Stały widz", plays=50)
    _played(app, steady.id, 30, 0)
    _played(app, steady.id, 20, 29)
    fresh = make_video(app, title="Nowość", plays=40)
    _played(app, fresh.id, 40, 2)
    unplayed = make_video(app, title="Nikt nie oglądał")
    draft = make_video(app, state="draft", title="Szkic")
    _played(app, draft.id, 1000, 0)
    with app.test_request_context():
        assert [item.video.id for item in most_played(5)] == [steady.id, fresh.id, old_hit.id]
        assert [item.recent_plays for item in most_played(5)] == [50, 40, 2]
        assert unplayed.id not in [item.video.id for item in most_played(5)]
    home = client.get("/").get_data(as_text=True)
    rail = home[home.index("Najważniejsze wideo"):]
    assert rail.index("Stały widz") < rail.index("Nowość") < rail.index("Dawny przebój")
    assert f"90{NNBSP}000 wyświetleń" in rail
    for path in ("/articles", "/videos"):
        assert "Najważniejsze wideo" in client.get(path).get_data(as_text=True)


def test_the_consultation_page_shows_its_own_rail(app, client, make):
    process = make.process()
    other = make.process()
    mine = make_video(app, process_id=process.id, title="Film tych konsultacji")
    theirs = make_video(app, process_id=other.id, title="Film innych konsultacji")
    _played(app, mine.id, 3, 0)
    _played(app, theirs.id, 9, 0)
    page = client.get(f"/processes/{process.slug}").get_data(as_text=True)
    assert "Najważniejsze wideo" in page
    assert "Film tych konsultacji" in page
    assert "Film innych konsultacji" not in page


@pytest.mark.parametrize(
    ("count", "polish", "english"),
    [
        (0, "0 wyświetleń", "0 views"),
        (1, "1 wyświetlenie", "1 view"),
        (3, "3 wyświetlenia", "3 views"),
        (4, "4 wyświetlenia", "4 views"),
        (5, "5 wyświetleń", "5 views"),
        (12, "12 wyświetleń", "12 views"),
        (22, "22 wyświetlenia", "22 views"),
        (25, "25 wyświetleń", "25 views"),
        (1002, f"1{NNBSP}002 wyświetlenia", "1,002 views"),
        (27690, f"27{NNBSP}690 wyświetleń", "27,690 views"),
    ],
)
def test_play_counts_read_in_polish_plural_forms(app, count, polish, english):
    with app.test_request_context():
        assert plays_label(count) == polish
        with force_locale("en"):
            assert plays_label(count) == english


def test_the_api_lists_visible_videos_as_the_contract_says(app, client):
    video = make_video(app, captions=("pl", "en"), plays=7)
    make_video(app, state="draft")
    answer = client.get("/api/v1/videos").get_json()
    assert answer["total"] == 1
    assert answer["items"] == [
        {
            "slug": video.slug,
            "title": video.title,
            "duration_s": 6,
            "plays": 7,
            "captions": ["pl", "en"],
            "url": f"http://odkrywka.test/videos/{video.slug}",
        }
    ]
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/videos" in spec["paths"]
    assert set(spec["components"]["schemas"]["Video"]["required"]) == set(answer["items"][0])
    assert client.get("/api/v1/videos?process=nie-ma").status_code == 400
    assert client.get("/api/v1/videos?per_page=0").get_json()["error"] == "bad_request"


def test_the_sitemap_has_video_entries(app, client):
    video = make_video(app)
    make_video(app, state="draft", slug="szkic-filmu")
    xml = client.get("/sitemap.xml").get_data(as_text=True)
    assert 'xmlns:video="http://www.google.com/schemas/sitemap-video/1.1"' in xml
    assert f"<loc>http://odkrywka.test/videos/{video.slug}</loc>" in xml
    assert f"<video:content_loc>http://odkrywka.test/videos/{video.slug}/media/{video.file_name}</video:content_loc>" in xml
    assert "<video:duration>6</video:duration>" in xml
    assert "szkic-filmu" not in xml


def test_an_embedded_video_loads_nothing_from_the_host_until_clicked(app, client):
    video = make_video(app, with_file=False, source="embed",
                       embed_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ")  # fmt: skip
    page = client.get(f"/videos/{video.slug}").get_data(as_text=True)
    assert 'data-embed-src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1"' in page
    assert "<iframe" not in page
    assert f'href="/videos/{video.slug}/captions/pl.vtt"' in page


def test_bad_page_numbers_are_not_errors(app, client):
    assert client.get("/videos?page=abc").status_code == 200
    assert client.get("/videos?page=99").status_code == 404
    assert client.get("/videos/nie-ma-takiego").status_code == 404


def test_an_article_page_shows_its_videos(app, client):
    from tests.articles_support import make_article

    article = make_article(app, slug="relacja")
    video = make_video(app, article_id=article.id, title="Film do relacji")
    page = client.get("/articles/relacja").get_data(as_text=True)
    assert "Film do relacji" in page
    assert f"/videos/{video.slug}/media/{video.file_name}" in page


def test_the_demos_video_part_records_two_past_meetings_with_files_and_captions(app, client, make):
    """The demo's video part on its own (the whole `demo load` is run by
    test_cli.py and the accessibility test, which visits the demo's video)."""
    from pathlib import Path

    from sqlalchemy import select

    from app.demo import videos as demo_videos
    from app.models import Video, Workshop

    now = utcnow()
    slugs = ("spotkanie-otwierajace-z-ekspertami", "warsztaty-w-grupach-mieszanych")
    for days, slug in zip((20, 8), slugs, strict=True):
        make.workshop(slug=slug, starts_at=now - timedelta(days=days),
                      ends_at=now - timedelta(days=days, hours=-2))  # fmt: skip
    with app.app_context():
        workshops = {w.slug: w for w in db.session.scalars(select(Workshop))}
        demo_videos.load({"workshops": workshops, "now": now, "workshop_ideas": []})
        db.session.commit()
        videos = db.session.scalars(select(Video).order_by(Video.id)).all()
        assert len(videos) == 2
        directory = Path(app.config["UPLOAD_DIR"]) / "videos"
        for video in videos:
            assert video.caption("pl") is not None
            assert (directory / video.file_name).stat().st_size < 100_000
            assert (directory / video.poster_name).is_file()
    for slug in slugs:
        assert "Nagranie ze spotkania" in client.get(f"/workshops/{slug}").get_data(as_text=True)
    rail = client.get("/").get_data(as_text=True)
    assert f"27{NNBSP}690 wyświetleń" in rail
