"""WebVTT captions checked against the W3C WebVTT specification before they
are stored: the file parses, every cue lies inside the video and the cue
text holds no markup beyond what the format allows (c, i, b, u, ruby, rt,
v, lang and timestamps; character references such as ``&amp;``).

A STYLE block (CSS) is refused: captions take the site's look, and nothing
a file brings may restyle the page's player.
"""

from __future__ import annotations

import html.entities
import math
import re
from dataclasses import dataclass

from flask_babel import gettext as _

from app.errors import ServiceError

MAX_VTT_BYTES = 512 * 1024

_TIME = r"(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
_TIMING = re.compile(rf"^{_TIME}[ \t]+-->[ \t]+{_TIME}(?:[ \t]+(.*))?$")
_TIMESTAMP_TAG = re.compile(rf"^{_TIME}$")
_SIGNATURE = re.compile(r"^WEBVTT(?:[ \t].*)?$")
_TAG = re.compile(r"<([^<>]*)>")
_TAG_NAMES = frozenset({"c", "i", "b", "u", "ruby", "rt", "v", "lang"})
# Start tags: a name, classes (".loud"), then an annotation for v and lang.
_START_TAG = re.compile(r"^([a-z]+)((?:\.[^\s.<>&]+)*)(?:[ \t]+([^<>]*))?$")
_END_TAG = re.compile(r"^/([a-z]+)$")
_REFERENCE = re.compile(r"&(#[0-9]+;|#[xX][0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")
_PERCENT = r"(?:\d+(?:\.\d+)?)%"
_SETTINGS = {
    "vertical": re.compile(r"^(?:rl|lr)$"),
    "line": re.compile(rf"^(?:{_PERCENT}|-?\d+)(?:,(?:start|center|end))?$"),
    "position": re.compile(rf"^{_PERCENT}(?:,(?:line-left|center|line-right))?$"),
    "size": re.compile(rf"^{_PERCENT}$"),
    "align": re.compile(r"^(?:start|center|end|left|right)$"),
    "region": re.compile(r"^[^\s]+$"),
}


class CaptionError(ServiceError):
    """A captions file we refuse; the message names the line."""

    status = 400


@dataclass(frozen=True)
class Captions:
    text: str  # the file as stored: UTF-8, "\n" line ends, no BOM
    cues: int
    ends_s: int  # the last cue's end, rounded to a whole second


def _seconds(groups: tuple[str | None, ...]) -> float:
    hours, minutes, seconds, millis = groups
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def _fail(line: int, message: str) -> CaptionError:
    return CaptionError(_("Wiersz %(line)s: %(problem)s", line=line, problem=message))


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (as the format requires), no NUL characters."""
    if len(data) > MAX_VTT_BYTES:
        raise CaptionError(
            _("Plik napisów jest za duży (największy dopuszczalny rozmiar to 512 kB)."), status=413
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CaptionError(
            _("Plik napisów musi być zapisany w kodowaniu UTF-8 (jak wymaga format WebVTT).")
        ) from error
    if "\x00" in text:
        raise CaptionError(_("Plik napisów zawiera niedozwolone znaki (NUL)."))
    return text


def parse(data: bytes | str, duration_s: int | None) -> Captions:
    """Check a WebVTT file; raise CaptionError naming the first problem.

    *duration_s* is the video's length: every cue must end by then (None
    skips that check, e.g. while the length is not known yet).
    """
    text = decode(data) if isinstance(data, bytes) else data
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not lines or not _SIGNATURE.match(lines[0]):
        raise CaptionError(
            _("To nie jest plik WebVTT: pierwszy wiersz musi brzmieć „WEBVTT”.")
        )
    if "-->" in lines[0]:
        raise _fail(1, _("wiersz nagłówka nie może zawierać „-->”."))
    # Header lines up to the first blank line (old files keep metadata there).
    index = 1
    while index < len(lines) and lines[index].strip():
        if "-->" in lines[index]:
            raise _fail(index + 1, _("po nagłówku „WEBVTT” musi być pusty wiersz."))
        index += 1

    cues = 0
    last_start = 0.0
    last_end = 0.0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        first = index
        block: list[str] = []
        while index < len(lines) and lines[index].strip():
            block.append(lines[index])
            index += 1
        head = block[0]
        if head == "NOTE" or head.startswith(("NOTE ", "NOTE\t")):
            if any("-->" in line for line in block):
                raise _fail(first + 1, _("komentarz (NOTE) nie może zawierać „-->”."))
            continue
        if head == "STYLE" or head.startswith(("STYLE ", "STYLE\t")):
            raise _fail(
                first + 1,
                _("bloki STYLE (arkusze CSS) nie są przyjmowane – napisy mają wygląd serwisu."),
            )
        if head == "REGION" or head.startswith(("REGION ", "REGION\t")):
            if cues:
                raise _fail(first + 1, _("blok REGION może stać tylko przed pierwszą kwestią."))
            continue
        timing_at = 0
        if "-->" not in head:
            timing_at = 1  # the first line is the cue's identifier
            if len(block) < 2 or "-->" not in block[1]:
                raise _fail(
                    first + 1,
                    _("oczekiwano czasu kwestii, np. „00:01.000 --> 00:04.000”."),
                )
        match = _TIMING.match(block[timing_at].strip())
        line_no = first + timing_at + 1
        if match is None:
            raise _fail(
                line_no,
                _("zły zapis czasu; użyj „mm:ss.ttt --> mm:ss.ttt” albo „gg:mm:ss.ttt”."),
            )
        start, end = _seconds(match.groups()[0:4]), _seconds(match.groups()[4:8])
        if end <= start:
            raise _fail(line_no, _("kwestia musi kończyć się później, niż się zaczyna."))
        if start < last_start:
            raise _fail(line_no, _("kwestie muszą być ułożone według czasu rozpoczęcia."))
        # The stored duration is rounded to whole seconds: half a second of grace.
        if duration_s is not None and end > duration_s + 0.5:
            raise _fail(
                line_no,
                _(
                    "kwestia kończy się po końcu filmu (film trwa %(duration)s).",
                    duration=clock(duration_s),
                ),
            )
        _check_settings(match.group(9) or "", line_no)
        for offset, payload in enumerate(block[timing_at + 1 :], start=line_no + 1):
            if "-->" in payload:
                raise _fail(offset, _("tekst kwestii nie może zawierać „-->”."))
            _check_cue_text(payload, offset, start, end)
        cues += 1
        last_start = start
        last_end = max(last_end, end)
    if cues == 0:
        raise CaptionError(_("Plik napisów nie zawiera żadnej kwestii."))
    return Captions(text=text.rstrip("\n") + "\n", cues=cues, ends_s=math.floor(last_end + 0.5))


def _check_settings(raw: str, line: int) -> None:
    for setting in raw.split():
        name, colon, value = setting.partition(":")
        pattern = _SETTINGS.get(name)
        if not colon or pattern is None or not pattern.match(value):
            raise _fail(line, _("nieznane ustawienie kwestii „%(setting)s”.", setting=setting))


def _check_cue_text(text: str, line: int, start: float, end: float) -> None:
    """The markup of one line of cue text: only WebVTT's own tags, properly
    closed, timestamps inside the cue, and character references."""
    open_tags: list[str] = []
    position = 0
    while True:
        less = text.find("<", position)
        chunk = text[position : less if less >= 0 else len(text)]
        _check_references(chunk, line)
        if less < 0:
            break
        match = _TAG.match(text, less)
        if match is None:
            raise _fail(line, _("znak „<” musi zaczynać znacznik; sam znak zapisz jako „&lt;”."))
        _check_tag(match.group(1), open_tags, line, start, end)
        position = match.end()


def _check_references(chunk: str, line: int) -> None:
    position = chunk.find("&")
    while position >= 0:
        match = _REFERENCE.match(chunk, position)
        name = match.group(1) if match else ""
        if not match or (
            not name.startswith("#") and name not in html.entities.html5
        ):
            raise _fail(line, _("znak „&” musi zaczynać encję, np. „&amp;”."))
        position = chunk.find("&", match.end())


def _check_tag(tag: str, open_tags: list[str], line: int, start: float, end: float) -> None:
    if (stamp := _TIMESTAMP_TAG.match(tag)) is not None:
        moment = _seconds(stamp.groups())
        if not start < moment < end:
            raise _fail(line, _("znacznik czasu w tekście musi leżeć w czasie kwestii."))
        return
    if (closing := _END_TAG.match(tag)) is not None:
        name = closing.group(1)
        if name not in _TAG_NAMES:
            raise _fail(line, _("znacznik „<%(tag)s>” nie należy do formatu WebVTT.", tag=tag))
        if name not in open_tags:
            raise _fail(line, _("znacznik „</%(name)s>” niczego nie zamyka.", name=name))
        while open_tags.pop() != name:
            pass
        return
    opening = _START_TAG.match(tag)
    name = opening.group(1) if opening else ""
    if opening is None or name not in _TAG_NAMES:
        raise _fail(line, _("znacznik „<%(tag)s>” nie należy do formatu WebVTT.", tag=tag))
    annotation = (opening.group(3) or "").strip()
    if name in ("v", "lang") and not annotation:
        raise _fail(line, _("znacznik „<%(name)s>” wymaga opisu (np. „<v Anna>”).", name=name))
    if name not in ("v", "lang") and annotation:
        raise _fail(line, _("znacznik „<%(tag)s>” nie należy do formatu WebVTT.", tag=tag))
    if name == "rt" and "ruby" not in open_tags:
        raise _fail(line, _("znacznik „<rt>” może stać tylko wewnątrz „<ruby>”."))
    open_tags.append(name)


def clock(seconds: int) -> str:
    """``42`` → ``"00:42"``, ``4000`` → ``"1:06:40"``."""
    seconds = max(int(seconds), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
