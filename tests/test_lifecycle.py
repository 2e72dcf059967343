"""The idea's state machine (app.ideas.lifecycle), specified directly: every
step of the table succeeds and writes exactly one history row, every other
one is refused and writes nothing, a stale view is refused, and of two
requests taking a step at once exactly one wins."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from app.ideas import lifecycle
from app.ideas.lifecycle import AUTHOR, TRANSITIONS
from app.models import Idea, IdeaEvent, IdeaStatus, User

S = IdeaStatus
STEPS = [t for t in TRANSITIONS if t.from_status is not None]
STARTS = [t for t in TRANSITIONS if t.from_status is None]
ACTIONS = sorted({t.action for t in STEPS})
REFUSED = [
    (status, action)
    for status in S
    for action in ACTIONS
    if lifecycle.transition(action, status) is None
]


def _id(step: lifecycle.Transition) -> str:
    return f"{step.from_status or 'new'}-{step.action}"


def _actor(make, by: str):  # noqa: ANN001, ANN202
    """Someone allowed to take a step *by* requires, loaded in this session."""
    if by == AUTHOR:
        return AUTHOR
    return db.session.get(User, make.user(role="moderator").id)


def _events(idea_id: int) -> list[IdeaEvent]:
    return list(
        db.session.scalars(
            select(IdeaEvent).where(IdeaEvent.idea_id == idea_id).order_by(IdeaEvent.id)
        )
    )


@pytest.mark.parametrize("step", STEPS, ids=_id)
def test_every_step_of_the_table_moves_the_idea_and_writes_one_event(app, make, step):
    stored = make.idea(status=step.from_status)
    with app.app_context():
        actor = _actor(make, step.by)
        idea = db.session.get(Idea, stored.id)
        taken = lifecycle.move(idea, step.action, actor, version=idea.version, message="Powód")
        db.session.commit()

        assert taken and taken.refused is None
        assert taken.transition == step
        idea = db.session.get(Idea, stored.id)
        assert idea.status == step.to_status
        assert idea.version == stored.version + 1
        [event] = _events(stored.id)
        assert (event.kind, event.from_status, event.to_status) == (
            step.event,
            step.from_status,
            step.to_status,
        )
        assert event.message == "Powód"
        if step.by == AUTHOR:
            assert (event.actor_label, event.actor_id) == (AUTHOR, None)
        else:
            assert (event.actor_label, event.actor_id) == (None, actor.id)


@pytest.mark.parametrize("step", STARTS, ids=_id)
def test_a_new_idea_starts_its_life_with_one_event(app, make, step):
    stored = make.idea()
    with app.app_context():
        actor = _actor(make, step.by)
        idea = Idea(
            process_id=stored.process_id,
            category_id=stored.category_id,
            title="Nowy pomysł na park",
            description="Opis nowego pomysłu, wystarczająco długi, by przejść walidację.",
        )
        db.session.add(idea)
        lifecycle.create(idea, step.action, actor, data={"title": idea.title})
        db.session.commit()

        assert idea.status == step.to_status
        [event] = _events(idea.id)
        assert (event.kind, event.from_status, event.to_status) == (
            step.event,
            None,
            step.to_status,
        )
        assert event.data == {"title": "Nowy pomysł na park"}


@pytest.mark.parametrize(("status", "action"), REFUSED)
def test_a_step_the_table_does_not_hold_is_refused_and_writes_nothing(app, make, status, action):
    stored = make.idea(status=status)
    by = next(t.by for t in STEPS if t.action == action)
    with app.app_context():
        idea = db.session.get(Idea, stored.id)
        taken = lifecycle.move(idea, action, _actor(make, by), version=idea.version)
        db.session.commit()

        assert not taken and taken.refused == lifecycle.NOT_ALLOWED
        idea = db.session.get(Idea, stored.id)
        assert (idea.status, idea.version) == (status, stored.version)
        assert _events(stored.id) == []


@pytest.mark.parametrize(
    ("status", "action", "actor"),
    [
        (S.AWAITING_REVIEW, "publish", "author"),
        (S.AWAITING_REVIEW, "publish", "editor"),
        (S.AWAITING_REVIEW, "withdraw", "moderator"),
        (S.UNCONFIRMED, "confirm", "moderator"),
    ],
)
def test_a_step_taken_by_someone_not_allowed_is_refused(app, make, status, action, actor):
    stored = make.idea(status=status)
    with app.app_context():
        who = actor if actor == AUTHOR else db.session.get(User, make.user(role=actor).id)
        idea = db.session.get(Idea, stored.id)
        taken = lifecycle.move(idea, action, who)
        db.session.commit()

        assert taken.refused == lifecycle.FORBIDDEN
        assert db.session.get(Idea, stored.id).status == status
        assert _events(stored.id) == []


def test_a_stale_version_is_refused_and_writes_nothing(app, make):
    stored = make.idea(status=S.AWAITING_REVIEW, version=3)
    with app.app_context():
        idea = db.session.get(Idea, stored.id)
        taken = lifecycle.move(idea, "publish", _actor(make, "moderate"), version=2)
        db.session.commit()

        assert taken.refused == lifecycle.STALE
        idea = db.session.get(Idea, stored.id)
        assert (idea.status, idea.version) == (S.AWAITING_REVIEW, 3)
        assert _events(stored.id) == []


def test_a_change_made_after_the_idea_was_loaded_makes_the_step_refused(app, make):
    """The conditional UPDATE is the guard, not the check on the loaded row."""
    stored = make.idea(status=S.AWAITING_REVIEW)
    with app.app_context():
        idea = db.session.get(Idea, stored.id)
        with db.engine.begin() as other:
            other.execute(
                update(Idea)
                .where(Idea.id == stored.id)
                .values(status=S.CHANGES_REQUESTED, version=Idea.version + 1)
            )
        taken = lifecycle.move(idea, "withdraw", AUTHOR)
        db.session.commit()

        assert taken.refused == lifecycle.STALE
        assert db.session.get(Idea, stored.id).status == S.CHANGES_REQUESTED
        assert _events(stored.id) == []


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("publish", "moderate"), ("publish", "moderate")),
        (("publish", "moderate"), ("reject", "moderate")),
        (("withdraw", AUTHOR), ("request_changes", "moderate")),
    ],
    ids=["publish-publish", "publish-reject", "withdraw-request_changes"],
)
def test_two_steps_at_once_on_real_connections_leave_one_winner_and_one_event(
    app, make, first, second
):
    stored = make.idea(status=S.AWAITING_REVIEW)
    moderators = [make.user(role="moderator").id for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str | None] = [None, None]
    errors: list[BaseException] = []

    def take(index: int, action: str, by: str) -> None:
        try:
            with app.app_context():
                actor = AUTHOR if by == AUTHOR else db.session.get(User, moderators[index])
                idea = db.session.get(Idea, stored.id)
                barrier.wait(timeout=10)
                taken = lifecycle.move(idea, action, actor, version=idea.version)
                db.session.commit()
                outcomes[index] = "won" if taken else taken.refused
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [
        threading.Thread(target=take, args=(index, *step))
        for index, step in enumerate((first, second))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert sorted(outcomes) == ["stale", "won"]
    winner = (first, second)[outcomes.index("won")][0]
    with app.app_context():
        idea = db.session.get(Idea, stored.id)
        assert idea.status == lifecycle.target(winner)
        assert idea.version == stored.version + 1
        count = db.session.scalar(
            select(func.count()).select_from(IdeaEvent).where(IdeaEvent.idea_id == stored.id)
        )
        assert count == 1


def test_the_table_has_one_row_per_action_and_state_and_known_actors():
    pairs = [(t.action, t.from_status) for t in TRANSITIONS]
    assert len(pairs) == len(set(pairs))
    for step in TRANSITIONS:
        assert step.by in (AUTHOR, lifecycle.SYSTEM) or step.by in lifecycle.PERMISSIONS


def test_every_state_action_and_event_has_a_label(app):
    with app.test_request_context():
        for status in S:
            assert lifecycle.status_label(status) != status
            assert lifecycle.staff_status_label(status) != status
            assert lifecycle.status_explanation(status)
        for action in lifecycle.DECISIONS:
            assert lifecycle.action_label(action) != action
        for step in TRANSITIONS:
            assert step.event in lifecycle.EVENT_LABELS


def test_history_rows_outside_the_table_cannot_pose_as_steps(app, make):
    stored = make.idea(status=S.PUBLISHED)
    with app.app_context():
        idea = db.session.get(Idea, stored.id)
        with pytest.raises(ValueError):
            lifecycle.record(idea, "published", S.AWAITING_REVIEW, S.PUBLISHED)
        with pytest.raises(ValueError):
            lifecycle.history(idea, "hide", S.AWAITING_REVIEW, AUTHOR, at=idea.submitted_at)
