"""Video links an editor may attach: YouTube and Vimeo only.

Every accepted link is turned into the provider's privacy-enhanced player
(youtube-nocookie.com, Vimeo with ``dnt=1``); the page shows a placeholder
and loads the player only when the reader asks for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from app.errors import ServiceError

_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^[0-9]{1,12}$")

_YOUTUBE_HOSTS = {
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "music.youtube.com",
    "youtube-nocookie.com",
    "www.youtube-nocookie.com",
}
_YOUTU_BE_HOSTS = {"youtu.be", "www.youtu.be"}
_VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
# youtube.com/<prefix>/<id>
_YOUTUBE_PATH_PREFIXES = ("embed", "shorts", "live", "v")


class UnsupportedVideo(ServiceError, ValueError):
    """The link is not a YouTube or Vimeo video we can embed."""

    status = 400
    field = "video_url"


@dataclass(frozen=True)
class Video:
    provider: str  # "youtube" | "vimeo"
    video_id: str

    @property
    def embed_url(self) -> str:
        if self.provider == "youtube":
            return f"https://www.youtube-nocookie.com/embed/{self.video_id}"
        return f"https://player.vimeo.com/video/{self.video_id}?dnt=1"

    @property
    def autoplay_url(self) -> str:
        """The player address used after the reader's click: start at once."""
        separator = "&" if "?" in self.embed_url else "?"
        return f"{self.embed_url}{separator}autoplay=1"

    @property
    def watch_url(self) -> str:
        """The provider's own page: where the no-JavaScript link goes."""
        if self.provider == "youtube":
            return f"https://www.youtube.com/watch?v={self.video_id}"
        return f"https://vimeo.com/{self.video_id}"

    @property
    def provider_name(self) -> str:
        return "YouTube" if self.provider == "youtube" else "Vimeo"


def parse_video_url(url: str) -> Video:
    """A YouTube or Vimeo link → :class:`Video`; anything else raises UnsupportedVideo."""
    url = (url or "").strip()
    if not url or any(ch.isspace() for ch in url) or len(url) > 500:
        raise UnsupportedVideo(url)
    if "://" not in url and not url.startswith("//"):
        url = "https://" + url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsupportedVideo(url) from error
    if parts.scheme not in ("http", "https") or parts.username or parts.password:
        raise UnsupportedVideo(url)
    if port not in (None, 80, 443):
        raise UnsupportedVideo(url)
    host = (parts.hostname or "").lower()
    segments = [segment for segment in parts.path.split("/") if segment]

    if host in _YOUTU_BE_HOSTS:
        if len(segments) == 1 and _YOUTUBE_ID.match(segments[0]):
            return Video("youtube", segments[0])
    elif host in _YOUTUBE_HOSTS:
        if segments == ["watch"]:
            ids = parse_qs(parts.query).get("v", [])
            if len(ids) == 1 and _YOUTUBE_ID.match(ids[0]):
                return Video("youtube", ids[0])
        elif (
            len(segments) == 2
            and segments[0] in _YOUTUBE_PATH_PREFIXES
            and _YOUTUBE_ID.match(segments[1])
        ):
            return Video("youtube", segments[1])
    elif host in _VIMEO_HOSTS:
        if host == "player.vimeo.com":
            if len(segments) == 2 and segments[0] == "video" and _VIMEO_ID.match(segments[1]):
                return Video("vimeo", segments[1])
        elif len(segments) == 1 and _VIMEO_ID.match(segments[0]):
            return Video("vimeo", segments[0])
    raise UnsupportedVideo(url)


def video_for(url: str | None) -> Video | None:
    """The embeddable video of a stored link, or None (also for a bad link)."""
    if not url:
        return None
    try:
        return parse_video_url(url)
    except UnsupportedVideo:
        return None
