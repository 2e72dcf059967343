"""Places are taken atomically: many people confirming at the same moment
against a real threaded server never overbook a meeting (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import func, select

from app.extensions import db
from app.models.workshop import Registration, RegistrationStatus, Workshop
from tests.workshops_support import confirm_direct, register_direct, upcoming

PEOPLE = 50
PLACES = 10


def _post_all_at_once(urls: list[str]) -> list[int]:
    barrier = threading.Barrier(len(urls))

    def post(url: str) -> int:
        with requests.Session() as session:
            barrier.wait()
            return session.post(url, allow_redirects=False, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        return list(pool.map(post, urls))


def _status_counts(app, workshop_id: int) -> dict[str, int]:  # noqa: ANN001
    with app.app_context():
        rows = db.session.execute(
            select(Registration.status, func.count())
            .where(Registration.workshop_id == workshop_id)
            .group_by(Registration.status)
        ).all()
        return dict(rows)


def test_fifty_people_confirming_at_once_fill_exactly_ten_places(app, make, live_server):
    workshop = upcoming(make, capacity=PLACES)
    tokens = register_direct(app, workshop.id, PEOPLE)

    codes = _post_all_at_once(
        [f"{live_server.url}/registrations/{token}/confirm" for token in tokens]
    )

    assert codes == [303] * PEOPLE
    counts = _status_counts(app, workshop.id)
    assert counts == {
        RegistrationStatus.CONFIRMED: PLACES,
        RegistrationStatus.WAITING: PEOPLE - PLACES,
    }
    stored = make.get(Workshop, workshop.id)
    assert stored.places_taken == PLACES
    assert stored.places_left == 0


def test_simultaneous_cancellations_promote_each_waiting_person_once(app, make, live_server):
    workshop = upcoming(make, capacity=PLACES)
    tokens = register_direct(app, workshop.id, PLACES + 20)
    for token in tokens:
        confirm_direct(app, token)
    holders = tokens[:PLACES]

    codes = _post_all_at_once(
        [f"{live_server.url}/registrations/{token}/cancel" for token in holders]
    )

    assert codes == [303] * PLACES
    counts = _status_counts(app, workshop.id)
    assert counts == {
        RegistrationStatus.CANCELLED: PLACES,
        RegistrationStatus.CONFIRMED: PLACES,
        RegistrationStatus.WAITING: 20 - PLACES,
    }
    assert make.get(Workshop, workshop.id).places_taken == PLACES
    with app.app_context():
        promoted = db.session.scalars(
            select(Registration.email).where(
                Registration.workshop_id == workshop.id, Registration.promoted_at.is_not(None)
            )
        ).all()
    # First come, first served: the first ten on the waiting list moved up.
    assert sorted(promoted) == sorted(f"osoba{n}@example.org" for n in range(PLACES, 2 * PLACES))


def test_one_person_clicking_confirm_many_times_at_once_takes_one_place(app, make, live_server):
    workshop = upcoming(make, capacity=PLACES)
    [token] = register_direct(app, workshop.id, 1)

    codes = _post_all_at_once([f"{live_server.url}/registrations/{token}/confirm"] * 20)

    assert codes == [303] * 20
    assert make.get(Workshop, workshop.id).places_taken == 1
    assert _status_counts(app, workshop.id) == {RegistrationStatus.CONFIRMED: 1}


def test_the_same_address_registering_many_times_at_once_is_stored_once(app, make, live_server):
    workshop = upcoming(make, capacity=PLACES)
    url = f"{live_server.url}/workshops/{workshop.slug}/register"
    barrier = threading.Barrier(15)

    def post(_: int) -> int:
        with requests.Session() as session:
            barrier.wait()
            response = session.post(
                url,
                data={
                    "name": "Ola Nowak",
                    "email": "ola@example.org",
                    "participant_group": "young_person",
                    "consent": "y",
                },
                allow_redirects=False,
                timeout=60,
            )
            return response.status_code

    with ThreadPoolExecutor(max_workers=15) as pool:
        codes = list(pool.map(post, range(15)))

    # Every request gets the same answer, the losers of the race included.
    assert codes == [303] * 15
    assert make.count(Registration, workshop_id=workshop.id) == 1
