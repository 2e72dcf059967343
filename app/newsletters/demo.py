"""Demo: one newsletter already sent (in the public archive) and a draft."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.models import Newsletter, NewsletterStatus

SENT_BODY = """## Ruszają warsztaty w grupach mieszanych

Dziękujemy wszystkim, którzy przyszli na spotkanie otwierające. Teraz czas na
**warsztaty w gminach regionu**: samorządowcy, przedsiębiorcy, młodzież i seniorzy
przy jednym stole.

- zapisy są otwarte na stronie każdego spotkania,
- pomysły można też zgłaszać przez formularz – bez zakładania konta.
"""


def load(ctx: dict) -> None:
    process, now = ctx["process"], ctx["now"]
    db.session.add_all(
        [
            Newsletter(
                subject="Ruszają warsztaty w grupach mieszanych",
                body=SENT_BODY,
                segments=[f"followers:{process.id}", f"supporters:{process.id}"],
                status=NewsletterStatus.SENT,
                scheduled_at=now - timedelta(days=9),
                sent_at=now - timedelta(days=9),
                public=True,
                final_counts={
                    "recipients": 0,
                    "delivered": 0,
                    "failed": 0,
                    "pending": 0,
                    "unsubscribed": 0,
                },
            ),
            Newsletter(
                subject="Zaproszenie na spotkanie podsumowujące",
                body="Zapraszamy na **spotkanie podsumowujące** konsultacje.",
                segments=[f"followers:{process.id}"],
                public=True,
            ),
        ]
    )
