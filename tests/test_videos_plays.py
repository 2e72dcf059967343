"""Plays counted honestly: once per reader, video and day, never for bots or
staff, exact when many readers play at once; the rows naming a reader (a
keyed hash) are purged after two days, the counts stay."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select

from app.extensions import db
from app.models import VideoDailyPlays, VideoPlay, utcnow
from app.videos.services import purge_video_plays, record_play
from tests.videos_support import READER, make_video, plays_of


def _rows(app) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(VideoPlay))


def _today(app, video_id: int) -> int:  # noqa: ANN001
    with app.app_context():
        return db.session.scalar(
            select(VideoDailyPlays.plays).where(
                VideoDailyPlays.video_id == video_id, VideoDailyPlays.day == utcnow().date()
            )
        ) or 0


def test_a_reader_counts_once_a_day(app, client):
    video = make_video(app)
    for _ in range(3):
        assert client.post(f"/videos/{video.slug}/play", headers=READER).status_code == 204
    assert plays_of(app, video.id) == 1
    assert _today(app, video.id) == 1
    assert _rows(app) == 1


def test_two_readers_count_twice_and_the_page_is_not_a_play(app, client):
    video = make_video(app)
    client.get(f"/videos/{video.slug}", headers=READER)
    assert plays_of(app, video.id) == 0
    client.post(f"/videos/{video.slug}/play", headers=READER)
    client.post(f"/videos/{video.slug}/play", headers={"User-Agent": "Mozilla/5.0 Other"})
    assert plays_of(app, video.id) == 2


def test_the_same_reader_counts_again_the_next_day(app):
    video = make_video(app)
    now = utcnow()
    with app.test_request_context():
        assert record_play(video.id, "192.0.2.1", READER["User-Agent"], now)
        assert not record_play(video.id, "192.0.2.1", READER["User-Agent"], now)
        assert record_play(video.id, "192.0.2.1", READER["User-Agent"], now + timedelta(days=1))
        db.session.commit()
    assert plays_of(app, video.id) == 2


@pytest.mark.parametrize(
    "agent", ["", "Googlebot/2.1", "Mozilla/5.0 (compatible; bingbot/2.0)", "HeadlessChrome/120"]
)
def test_bots_are_not_counted(app, client, agent):
    video = make_video(app)
    assert client.post(f"/videos/{video.slug}/play", headers={"User-Agent": agent}).status_code == 204
    assert plays_of(app, video.id) == 0
    assert _rows(app) == 0


def test_staff_and_drafts_are_not_counted(app, client, login):
    draft = make_video(app, state="draft")
    assert client.post(f"/videos/{draft.slug}/play", headers=READER).status_code == 404
    video = make_video(app)
    login("editor")
    client.post(f"/videos/{video.slug}/play", headers=READER)
    assert plays_of(app, video.id) == 0


def test_a_play_needs_a_post_with_the_forms_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    video = make_video(app)
    client = app.test_client()
    assert client.get(f"/videos/{video.slug}/play").status_code == 405
    assert client.post(f"/videos/{video.slug}/play", headers=READER).status_code == 400
    page = client.get(f"/videos/{video.slug}", headers=READER).get_data(as_text=True)
    token = page.split('data-play-form hidden><input type="hidden" name="csrf_token" value="')[1]
    token = token.split('"')[0]
    response = client.post(f"/videos/{video.slug}/play", data={"csrf_token": token}, headers=READER)
    assert response.status_code == 204
    assert plays_of(app, video.id) == 1


def test_counting_does_not_change_the_edit_time_or_the_page_version(app, client):
    from app.pagecache import current_version

    video = make_video(app)
    with app.app_context():
        before = (db.session.get(type(video), video.id).updated_at, current_version())
    client.post(f"/videos/{video.slug}/play", headers=READER)
    with app.app_context():
        after = (db.session.get(type(video), video.id).updated_at, current_version())
    assert after == before


def test_play_rows_older_than_two_days_are_purged_and_the_counts_stay(app, runner):
    video = make_video(app)
    now = utcnow()
    with app.test_request_context():
        record_play(video.id, "192.0.2.1", "A", now - timedelta(days=3))
        record_play(video.id, "192.0.2.2", "B", now - timedelta(hours=30))
        record_play(video.id, "192.0.2.3", "C", now)
        db.session.commit()
    result = runner.invoke(args=["maintenance", "purge"])
    assert result.exit_code == 0, result.output
    assert "video play rows: 1" in result.output
    assert _rows(app) == 2
    assert plays_of(app, video.id) == 3
    with app.app_context():
        assert purge_video_plays() == 0


def test_no_address_is_stored_in_clear(app, client):
    video = make_video(app)
    client.post(f"/videos/{video.slug}/play", headers=READER)
    with app.app_context():
        row = db.session.scalar(select(VideoPlay))
    assert len(row.reader_hash) == 64
    assert set(row.reader_hash) <= set("0123456789abcdef")


def test_two_hundred_readers_at_once_count_exactly_and_repeats_do_not(app, live_server):
    video = make_video(app, plays=1000)
    url = f"{live_server.url}/videos/{video.slug}/play"

    def play(n: int) -> int:
        # Readers 0–199 are different people; 200–259 repeat readers 0–59;
        # 260–279 are bots.
        if n >= 260:
            agent = f"Googlebot/{n}"
        else:
            agent = f"Mozilla/5.0 Czytelnik/{n % 200}"
        return requests.post(url, headers={"User-Agent": agent}, timeout=60).status_code

    # 200 client threads: every reader is in flight at the same moment.
    with ThreadPoolExecutor(max_workers=200) as pool:
        statuses = list(pool.map(play, range(280)))
    assert statuses == [204] * 280
    assert plays_of(app, video.id) == 1200
    assert _today(app, video.id) == 200
    assert _rows(app) == 200


@pytest.mark.app_config(RATELIMIT_ENABLED=True, RATELIMIT_VIDEO_PLAY="2 per minute")
def test_one_address_posing_as_many_browsers_is_slowed_down(app, client):
    video = make_video(app)
    statuses = [
        client.post(f"/videos/{video.slug}/play", headers={"User-Agent": f"Mozilla/5.0 P/{n}"}).status_code
        for n in range(4)
    ]
    assert statuses == [204, 204, 429, 429]
    assert plays_of(app, video.id) == 2
