"""Demo: a discussion under the first published idea — residents' comments,
a reply, the organiser's answer, a comment hidden by the moderators with a
reply that keeps its sense, and one waiting for review."""

from __future__ import annotations

from datetime import timedelta

from app.comments.services import text_hash
from app.extensions import db
from app.models import Comment, CommentStatus

S = CommentStatus

# (key, parent key, author name, e-mail, text, status, official signature, hours ago)
DISCUSSION = [
    ("a", None, "Marta z Bogdańca", "marta@example.org",
     "Stara bocznica wciąż ma tory aż do parku – to gotowa trasa na ścieżkę rowerową. "
     "Mapa z 1998 roku: https://example.org/mapa-bocznicy", S.PUBLISHED, None, 50),
    ("b", "a", None, "jan@example.org",
     "Potwierdzam, chodzę tamtędy z psem. Przy przejeździe trzeba by zrobić kładkę.",
     S.PUBLISHED, None, 40),
    ("c", "a", None, None,
     "Dziękujemy za wskazówkę. Sprawdzimy stan torów i przejazdu przy okazji analizy.",
     S.PUBLISHED, "Wydział Rozwoju Regionu", 30),
    ("d", None, None, "anonim@example.org",
     "Treść ukryta przez moderatorów.", S.HIDDEN, None, 20),
    ("e", "d", "Piotr", "piotr@example.org",
     "Nie zgadzam się – pomysł jest tani, a teren i tak stoi pusty.", S.PUBLISHED, None, 18),
    ("f", None, "Ola", "ola@example.org",
     "Warto dodać stojaki na rowery przy dworcu, żeby dojazd łączył się z pociągiem.",
     S.PUBLISHED, None, 2),
]  # fmt: skip


def load(ctx: dict) -> None:
    ideas = ctx.get("form_ideas") or []
    if not ideas:
        return
    idea = ideas[0]
    now = ctx["now"]
    made: dict[str, Comment] = {}
    shown = 0
    for key, parent, name, email, text, status, signature, hours in DISCUSSION:
        at = now - timedelta(hours=hours)
        comment = Comment(
            target_type="idea",
            target_id=idea.id,
            parent_id=made[parent].id if parent else None,
            body=text,
            author_name=name,
            email=email,
            status=status,
            official=signature is not None,
            signature=signature,
            consent_version="demo" if email else None,
            text_hash=text_hash(text),
            created_at=at,
            confirmed_at=at,
            published_at=at,
            reviewed_at=None if key == "f" else at,
            hidden_reason="Komentarz obrażał inne osoby." if status == S.HIDDEN else None,
        )
        db.session.add(comment)
        db.session.flush()
        made[key] = comment
        shown += status == S.PUBLISHED
    idea.comments_count = shown
