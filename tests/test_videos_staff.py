"""The video editor: uploads checked by content and size (refused before
they are written), captions validated, no publishing without Polish
captions, external videos only from allow-listed hosts, chapters naming
ideas; every refusal is a field error, never a 500."""

from __future__ import annotations

import io
import shutil
import socket
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from app.extensions import db
from app.models import Video, VideoStatus
from tests.factories import Factory
from tests.submission_support import image_bytes
from tests.videos_support import ENGLISH, POLISH, POSTER, WEBM, make_video

needs_ffmpeg = pytest.mark.skipif(
    not (shutil.which("ffmpeg") and shutil.which("ffprobe")), reason="Debian's ffmpeg not installed"
)


def _form(**fields) -> dict:  # noqa: ANN003
    data = {"title": "Nagranie spotkania otwierającego", "source": "upload"}
    data.update(fields)
    return data


def _file(data: bytes, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name


def _stored(app) -> list[str]:  # noqa: ANN001
    directory = Path(app.config["UPLOAD_DIR"]) / "videos"
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def _video(app, slug: str) -> Video | None:  # noqa: ANN001
    with app.app_context():
        video = db.session.scalar(select(Video).where(Video.slug == slug))
        if video is not None:
            video.captions  # noqa: B018
            video.chapters  # noqa: B018
            db.session.expunge(video)
        return video


def _post_new(client, **fields):  # noqa: ANN001, ANN003, ANN202
    return client.post("/staff/videos/new", data=_form(**fields), content_type="multipart/form-data")


@needs_ffmpeg
def test_an_uploaded_webm_is_probed_given_a_poster_and_published_with_captions(app, client, login):
    login("editor")
    response = _post_new(
        client,
        file=_file(WEBM.read_bytes(), "nagranie.webm"),
        captions_pl=_file(POLISH.encode(), "napisy.vtt"),
        captions_en=_file(ENGLISH.encode(), "subtitles.vtt"),
        chapters="00:00 Powitanie\n00:03 Diagnoza",
        transcript="Dzień dobry.",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    video = _video(app, "nagranie-spotkania-otwierajacego")
    assert video.status == VideoStatus.DRAFT
    assert video.file_type == "video/webm"
    assert video.duration_s == 6  # read by ffprobe
    assert video.poster_name and video.poster_name.endswith(".jpg")  # a frame taken by ffmpeg
    assert (Path(app.config["UPLOAD_DIR"]) / "videos" / video.poster_name).read_bytes()[:3] == b"\xff\xd8\xff"
    assert video.caption_langs == ["pl", "en"]
    assert [(c.starts_s, c.title) for c in video.chapters] == [(0, "Powitanie"), (3, "Diagnoza")]
    assert client.post(f"/staff/videos/{video.id}/publish").status_code == 303
    assert _video(app, video.slug).status == VideoStatus.PUBLISHED
    assert client.get(f"/videos/{video.slug}").status_code == 200


def test_without_polish_captions_the_video_stays_a_draft_and_says_why(app, client, login):
    video = make_video(app, state="draft", captions=("en",))
    login("editor")
    edit = client.get(f"/staff/videos/{video.id}/edit").get_data(as_text=True)
    assert "brakuje napisów po polsku" in edit
    response = client.post(f"/staff/videos/{video.id}/publish")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "brakuje ścieżki napisów po polsku (pl, plik WebVTT)" in page
    assert 'id="captions_pl-error"' in page
    assert _video(app, video.slug).status == VideoStatus.DRAFT


def test_publishing_rechecks_the_polish_track_against_the_duration(app, client, login):
    video = make_video(app, state="draft", duration_s=3)  # the track runs to 00:05
    login("editor")
    response = client.post(f"/staff/videos/{video.id}/publish")
    assert response.status_code == 422
    assert "po końcu filmu" in response.get_data(as_text=True)
    assert _video(app, video.slug).status == VideoStatus.DRAFT


def test_a_broken_vtt_is_a_field_error_and_nothing_is_stored(app, client, login):
    login("editor")
    response = _post_new(
        client,
        file=_file(WEBM.read_bytes(), "nagranie.webm"),
        duration="00:06",
        captions_pl=_file(b"WEBVTT\n\n00:01.000 --> 00:02.000\n<script>x</script>\n", "n.vtt"),
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="captions_pl-error"' in page
    assert "Napisy po polsku: Wiersz 4" in page
    assert _video(app, "nagranie-spotkania-otwierajacego") is None
    assert _stored(app) == []  # the uploaded file went away with the rollback


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (image_bytes(), "nagranie.mp4"),  # a picture renamed
        (b"<html><script>alert(1)</script></html>" * 10, "film.webm"),
        (b"\x00\x00\x00\x18ftypqt  " + b"\x00" * 100, "film.mov"),  # QuickTime: not accepted
        (b"", "pusty.mp4"),
    ],
)
def test_a_file_that_is_not_mp4_or_webm_is_refused_by_its_content(app, client, login, data, name):
    login("editor")
    response = _post_new(client, file=_file(data, name), duration="00:06")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="file-error"' in page
    assert "pusty" in page or "Nieobsługiwany rodzaj pliku" in page
    assert _stored(app) == []


@needs_ffmpeg
def test_a_file_that_only_starts_like_a_video_is_refused(app, client, login):
    login("editor")
    fake = WEBM.read_bytes()[:64] + b"\x00" * 5000
    response = _post_new(client, file=_file(fake, "film.webm"))
    assert response.status_code == 400
    assert "uszkodzony" in response.get_data(as_text=True)
    assert _stored(app) == []


@pytest.mark.app_config(MAX_VIDEO_BYTES=20_000)
def test_a_file_over_the_limit_is_refused_before_it_is_copied(app, client, login):
    login("editor")
    response = _post_new(client, file=_file(WEBM.read_bytes(), "nagranie.webm"), duration="00:06")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert 'id="file-error"' in page
    assert "Plik jest za duży" in page
    assert _stored(app) == []


@pytest.mark.app_config(MAX_VIDEO_BYTES=1000, MAX_ATTACHMENT_BYTES=1000)
def test_a_request_over_the_limit_is_refused_unread_with_the_error_at_the_file(app, client, login):
    login("editor")
    big = b"\x1a\x45\xdf\xa3" + b"\x00" * (5 * 1024 * 1024)
    response = _post_new(client, file=_file(big, "ogromny.webm"), duration="00:06")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert 'id="file-error"' in page
    assert "Plik jest za duży" in page
    assert _stored(app) == []


def test_a_huge_upload_is_answered_before_its_body_is_sent(app, live_server, make):
    """The server answers 413 from the Content-Length alone: a client that
    announces 10 GB and sends nothing gets its answer at once."""
    editor = make.user(role="editor")
    session = requests.Session()
    session.post(f"{live_server.url}/staff/login", data={"email": editor.email, "password": Factory.PASSWORD})
    cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    head = (
        "POST /staff/videos/new HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{live_server.port}\r\n"
        f"Cookie: {cookie}\r\n"
        "Content-Type: multipart/form-data; boundary=x\r\n"
        f"Content-Length: {10 * 1024**3}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=10) as connection:
        connection.sendall(head.encode())
        answer = connection.recv(65536).decode("utf-8", "replace")
    assert answer.startswith("HTTP/1.1 413"), answer[:200]


def test_an_external_video_must_come_from_an_allowed_host(app, client, login):
    login("editor")
    refused = _post_new(client, source="embed", embed_url="https://evil.example.org/watch?v=1",
                        duration="12:30", captions_pl=_file(POLISH.encode(), "n.vtt"))  # fmt: skip
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert 'id="embed_url-error"' in page
    assert "YouTube, Vimeo" in page
    accepted = _post_new(client, source="embed", embed_url="https://youtu.be/dQw4w9WgXcQ",
                         duration="12:30", captions_pl=_file(POLISH.encode(), "n.vtt"))  # fmt: skip
    assert accepted.status_code == 303
    video = _video(app, "nagranie-spotkania-otwierajacego")
    assert video.embed_url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert video.duration_s == 750


@pytest.mark.parametrize(
    ("chapters", "message"),
    [
        ("1:20", "Wiersz 1"),
        ("00:01 Wstęp\nbez czasu", "Wiersz 2"),
        ("00:09 Za późno", "po końcu filmu"),
        ("00:02 Pomysł #999999", "999999"),
    ],
)
def test_bad_chapters_are_a_field_error(app, client, login, chapters, message):
    login("editor")
    response = _post_new(client, source="embed", embed_url="https://vimeo.com/76979871",
                         duration="00:06", chapters=chapters)  # fmt: skip
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="chapters-error"' in page
    assert message in page


def test_a_chapter_may_name_a_published_idea(app, client, login, make):
    idea = make.idea()
    login("editor")
    response = _post_new(client, source="embed", embed_url="https://vimeo.com/76979871",
                         duration="00:06", chapters=f"00:04 O kolei #{idea.id}")  # fmt: skip
    assert response.status_code == 303
    video = _video(app, "nagranie-spotkania-otwierajacego")
    assert [(c.starts_s, c.idea_id) for c in video.chapters] == [(4, idea.id)]


@pytest.mark.app_config(FFMPEG="", FFPROBE="")
def test_without_ffmpeg_the_editor_gives_the_duration_and_may_upload_a_poster(app, client, login):
    login("editor")
    missing = _post_new(client, file=_file(WEBM.read_bytes(), "n.webm"))
    assert missing.status_code == 400
    assert 'id="duration-error"' in missing.get_data(as_text=True)
    assert "nie ma programu ffmpeg" in missing.get_data(as_text=True)
    bad = _post_new(client, duration="6 minut")
    assert 'id="duration-error"' in bad.get_data(as_text=True)
    response = _post_new(client, file=_file(WEBM.read_bytes(), "n.webm"), duration="00:06",
                         poster=_file(POSTER.read_bytes(), "kadr.jpg"))  # fmt: skip
    assert response.status_code == 303
    video = _video(app, "nagranie-spotkania-otwierajacego")
    assert video.duration_s == 6
    assert video.poster_name.endswith(".jpg")
    assert len(_stored(app)) == 2


def test_a_poster_that_is_not_a_picture_is_a_field_error(app, client, login):
    login("editor")
    response = _post_new(client, source="embed", embed_url="https://vimeo.com/76979871",
                         duration="00:06", poster=_file(b"%PDF-1.4 nie obraz", "kadr.jpg"))  # fmt: skip
    assert response.status_code == 400
    assert 'id="poster-error"' in response.get_data(as_text=True)


def test_editing_replaces_captions_and_removes_english(app, client, login):
    video = make_video(app, state="draft", captions=("pl", "en"))
    login("editor")
    response = client.post(
        f"/staff/videos/{video.id}/edit",
        data=_form(title=video.title, slug=video.slug, duration="00:06", remove_captions_en="y",
                   captions_pl=_file(b"WEBVTT\n\n00:00.500 --> 00:01.500\nNowe napisy.\n", "n.vtt")),
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 303, response.get_data(as_text=True)
    saved = _video(app, video.slug)
    assert saved.caption_langs == ["pl"]
    assert "Nowe napisy." in saved.caption("pl").content
    assert saved.file_name == video.file_name  # the file stays


def test_deleting_removes_the_files_after_commit(app, client, login):
    video = make_video(app, state="draft")
    assert len(_stored(app)) == 2
    login("admin")
    assert client.post(f"/staff/videos/{video.id}/delete").status_code == 303
    assert _video(app, video.slug) is None
    assert _stored(app) == []


def test_staff_actions_are_audited(app, client, login, make):
    video = make_video(app, state="draft")
    login("editor")
    client.post(f"/staff/videos/{video.id}/publish")
    client.post(f"/staff/videos/{video.id}/unpublish")
    actions = [a for a in make.audit_actions() if a.startswith("video.")]
    assert actions == ["video.publish", "video.unpublish"]


def test_only_editors_and_admins_manage_videos(app, client, login):
    login("moderator")
    assert client.get("/staff/videos/").status_code == 403
    assert client.get("/staff/videos/new").status_code == 403


@pytest.mark.app_config(MAX_VIDEO_BYTES=1000, MAX_ATTACHMENT_BYTES=1000)
def test_a_too_large_request_shows_no_staff_form_to_a_stranger(app, client):
    big = b"\x00" * (5 * 1024 * 1024)
    response = _post_new(client, file=_file(big, "ogromny.webm"))
    assert response.status_code == 413
    assert 'name="captions_pl"' not in response.get_data(as_text=True)


def test_the_dashboard_counts_drafts_without_polish_captions(app, client, login):
    make_video(app, state="draft", captions=("en",))
    make_video(app, state="draft")
    login("editor")
    page = client.get("/staff/").get_data(as_text=True)
    tile = page[page.index("Filmy bez napisów po polsku") - 400 :][:800]
    assert ">1<" in tile


def test_an_address_taken_in_the_same_instant_is_a_field_error(app, client, login, monkeypatch):
    """Two editors save videos with one address at once: the check before
    saving passes for both, the database takes one, the other is told at the
    address field with what was typed kept."""
    from app.videos import services

    login("editor")
    first = _post_new(client, title="Nagranie spotkania", slug="nagranie", source="embed",
                      embed_url="https://youtu.be/dQw4w9WgXcQ", duration="12:30",
                      captions_pl=_file(POLISH.encode(), "n.vtt"))  # fmt: skip
    assert first.status_code == 303
    monkeypatch.setattr(services, "check_slug", lambda slug, video: None)  # the race
    second = _post_new(client, title="Drugie nagranie", slug="nagranie", source="embed",
                       embed_url="https://youtu.be/dQw4w9WgXcQ", duration="12:30",
                       captions_pl=_file(POLISH.encode(), "n.vtt"))  # fmt: skip
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert 'id="slug-error"' in page and "Ten adres jest już zajęty" in page
    assert 'value="Drugie nagranie"' in page
    with app.app_context():
        assert db.session.scalars(select(Video.title)).all() == ["Nagranie spotkania"]
