"""WebVTT captions: a file is accepted only when it parses, every cue lies
inside the video and the text has no markup beyond the format's own."""

from __future__ import annotations

import pytest

from app.videos import vtt
from tests.videos_support import ENGLISH, POLISH


def check(text: str, duration: int | None = 10) -> vtt.Captions:
    return vtt.parse(text.encode("utf-8"), duration)


def test_a_plain_file_with_voices_bold_and_entities_is_accepted(app):
    with app.test_request_context():
        captions = check(POLISH)
    assert captions.cues == 2
    assert captions.ends_s == 5
    assert captions.text.startswith("WEBVTT\n")


def test_bom_crlf_header_text_identifiers_notes_settings_and_hours_are_accepted(app):
    text = (
        "\ufeffWEBVTT - napisy spotkania\r\nKind: captions\r\n\r\n"
        "NOTE przygotowane ręcznie\r\n\r\n"
        "REGION\r\nid:dol\r\n\r\n"
        "pierwsza\r\n00:00:01.000 --> 00:00:02.000 align:start line:90% position:10%,line-left size:80%\r\n"
        "<c.glosno>Uwaga</c> <i>kursywa</i> <u>podkreślenie</u> <lang en>hello</lang>\r\n"
        "<ruby>字<rt>zi</rt></ruby> <00:00:01.500>później &lt;tag&gt; &nbsp; &#261;\r\n"
    )
    with app.test_request_context():
        captions = check(text)
    assert captions.cues == 1


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "WEBVTT"),
        ("WEBVTTX\n\n00:01.000 --> 00:02.000\nA\n", "WEBVTT"),
        ("1\n00:01.000 --> 00:02.000\nA\n", "WEBVTT"),
        ("WEBVTT\n\n00:01.000 -> 00:02.000\nA\n", "Wiersz 3"),
        ("WEBVTT\n\n00:01,000 --> 00:02,000\nA\n", "zły zapis czasu"),
        ("WEBVTT\n\n00:61.000 --> 00:62.000\nA\n", "zły zapis czasu"),
        ("WEBVTT\n\n00:03.000 --> 00:02.000\nA\n", "później"),
        ("WEBVTT\n\n00:03.000 --> 00:04.000\nA\n\n00:01.000 --> 00:02.000\nB\n", "według czasu"),
        ("WEBVTT\n\n00:01.000 --> 00:12.000\nA\n", "po końcu filmu"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\n<script>alert(1)</script>\n", "<script>"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\n<font color=red>A</font>\n", "<font color=red>"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\n<b onclick=x>A</b>\n", "<b onclick=x>"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\n<img src=x>\n", "<img src=x>"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\n<b>A</i>\n", "</i>"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\n<v>A</v>\n", "<v>"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\na < b\n", "&lt;"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nTom & Jerry\n", "&amp;"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\n&bogus;\n", "&amp;"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nA <00:00:05.000> B\n", "znacznik czasu"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000 colour:red\nA\n", "colour:red"),
        ("WEBVTT\n\nSTYLE\n::cue { color: red }\n\n00:01.000 --> 00:02.000\nA\n", "STYLE"),
        ("WEBVTT\n\n00:01.000 --> 00:02.000\nA --> B\n", "-->"),
        ("WEBVTT\n\nNOTE tylko komentarz\n", "żadnej kwestii"),
    ],
)
def test_broken_files_are_refused_with_the_reason(app, text, problem):
    with app.test_request_context(), pytest.raises(vtt.CaptionError) as caught:
        check(text)
    assert problem in str(caught.value)


def test_a_file_that_is_not_utf8_is_refused(app):
    with app.test_request_context(), pytest.raises(vtt.CaptionError, match="UTF-8"):
        vtt.parse("WEBVTT\n\n00:01.000 --> 00:02.000\nżółw\n".encode("cp1250"), 10)


def test_a_huge_file_is_refused_with_413(app):
    data = b"WEBVTT\n\n" + b"x" * vtt.MAX_VTT_BYTES
    with app.test_request_context(), pytest.raises(vtt.CaptionError) as caught:
        vtt.parse(data, 10)
    assert caught.value.status == 413


def test_the_rounded_duration_leaves_half_a_second(app):
    with app.test_request_context():
        assert check("WEBVTT\n\n00:05.000 --> 00:06.400\nA\n", 6).ends_s == 6
        with pytest.raises(vtt.CaptionError):
            check("WEBVTT\n\n00:05.000 --> 00:06.600\nA\n", 6)


def test_without_a_known_duration_only_the_format_is_checked(app):
    with app.test_request_context():
        assert check(ENGLISH, None).cues == 1


@pytest.mark.parametrize(("seconds", "shown"), [(0, "00:00"), (42, "00:42"), (80, "01:20"),
                                                (4000, "1:06:40")])  # fmt: skip
def test_clock(seconds, shown):
    assert vtt.clock(seconds) == shown
