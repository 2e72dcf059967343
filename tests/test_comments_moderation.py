"""Moderating comments (published first and reviewed after, or held
first), readers' reports, bulk decisions with templates and audit, the
organiser's replies, who may do what, and the idea author's notices."""

from __future__ import annotations

import threading

import pytest
import requests
from sqlalchemy import func, select

from app import notices
from app.comments import services
from app.extensions import db
from app.models import (
    Comment,
    CommentAlert,
    CommentReport,
    CommentStatus,
    Idea,
    Notice,
    OutboxMessage,
    ReplyTemplate,
)
from tests.comments_support import comments, mailed, post, post_confirmed

S = CommentStatus


def pre_moderated_idea(make):  # noqa: ANN001, ANN201
    return make.idea(process_id=make.process(comment_moderation="pre").id)


def page_of(client, idea) -> str:  # noqa: ANN001
    return client.get(f"/ideas/{idea.id}").get_data(as_text=True)


def decide(client, comment, action: str, reason: str = "", **extra):  # noqa: ANN001, ANN201
    data = {"action": action, "reason": reason, "version": str(comment.version), **extra}
    return client.post(f"/staff/comments/{comment.id}/decision", data=data)


# --- post-moderation ---------------------------------------------------------


def test_post_moderation_publishes_at_once_and_queues_for_review(app, make, login):
    idea = make.idea()
    resident = app.test_client()
    comment = post_confirmed(resident, app, idea.id, "Komentarz opublikowany od razu.")
    assert comment.status == S.PUBLISHED
    assert "Komentarz opublikowany od razu." in page_of(resident, idea)
    staff = app.test_client()
    user = make.user(role="moderator")
    staff.post("/staff/login", data={"email": user.email, "password": make.PASSWORD})
    queue = staff.get("/staff/moderation/comments?tab=review").get_data(as_text=True)
    assert "Komentarz opublikowany od razu." in queue
    assert decide(staff, comment, "approve").status_code == 303
    [reviewed] = comments(app)
    assert reviewed.status == S.PUBLISHED and reviewed.reviewed_at is not None
    assert "Komentarz opublikowany od razu." not in staff.get(
        "/staff/moderation/comments?tab=review"
    ).get_data(as_text=True)
    assert make.audit_actions(object_type="comments") == ["comment.approve"]


def test_hiding_leaves_a_marker_keeps_replies_and_mails_the_reason(app, make):
    idea = make.idea()
    resident = app.test_client()
    first = post_confirmed(resident, app, idea.id, "Obraźliwy komentarz do ukrycia.")
    post(resident, idea.id, "Odpowiedź, która ma zachować sens.", parent_id=str(first.id))
    assert make.get(Idea, idea.id).comments_count == 2
    staff = app.test_client()
    user = make.user(role="moderator")
    staff.post("/staff/login", data={"email": user.email, "password": make.PASSWORD})
    no_reason = decide(staff, first, "hide")
    assert no_reason.status_code == 422
    assert "Podaj powód ukrycia" in no_reason.get_data(as_text=True)
    assert decide(staff, first, "hide", "Narusza zasady dyskusji.").status_code == 303
    page = page_of(resident, idea)
    assert "komentarz ukryty przez moderację" in page
    assert "Obraźliwy komentarz do ukrycia." not in page
    assert "Odpowiedź, która ma zachować sens." in page
    assert make.get(Idea, idea.id).comments_count == 1
    with app.app_context():
        hidden_mail = db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.template == "comment_hidden")
        )
        assert "Narusza zasady dyskusji." in hidden_mail.body_text
    # A stale form (the version it showed) is refused; restore with the fresh one.
    assert decide(staff, first, "restore").status_code == 409
    fresh = [c for c in comments(app) if c.id == first.id][0]
    assert decide(staff, fresh, "restore").status_code == 303
    assert make.get(Idea, idea.id).comments_count == 2
    assert make.audit_actions(object_type="comments") == ["comment.hide", "comment.restore"]


def test_a_template_gives_the_reason_when_none_is_typed(app, make, client, login):
    idea = make.idea()
    comment = post_confirmed(app.test_client(), app, idea.id, "Reklama sklepu.")
    login("moderator")
    with app.app_context():
        template = ReplyTemplate(title="Reklama", body="Komentarz jest reklamą.", action="hide")
        db.session.add(template)
        db.session.commit()
        template_id = template.id
    response = decide(client, comment, "hide", reply_template=str(template_id))
    assert response.status_code == 303
    assert comments(app)[0].hidden_reason == "Komentarz jest reklamą."


# --- pre-moderation ---------------------------------------------------------------


def test_pre_moderation_holds_comments_until_approved(app, make, client, login):
    idea = pre_moderated_idea(make)
    resident = app.test_client()
    comment = post_confirmed(resident, app, idea.id, "Komentarz czekający na moderatora.")
    assert comment.status == S.HELD
    assert "Komentarz czekający na moderatora." not in page_of(resident, idea)
    assert make.get(Idea, idea.id).comments_count == 0
    # A trusted browser's next comment is held too.
    post(resident, idea.id, "Drugi, też czeka.")
    assert comments(app)[-1].status == S.HELD
    login("moderator")
    queue = client.get("/staff/moderation/comments?tab=held").get_data(as_text=True)
    assert "Komentarz czekający na moderatora." in queue and "Drugi, też czeka." in queue
    assert decide(client, comment, "approve").status_code == 303
    assert "Komentarz czekający na moderatora." in page_of(resident, idea)
    assert make.get(Idea, idea.id).comments_count == 1


def test_an_edit_under_pre_moderation_goes_back_to_the_moderators(app, make, login, client):
    idea = pre_moderated_idea(make)
    resident = app.test_client()
    comment = post_confirmed(resident, app, idea.id, "Tekst przed poprawką.")
    login("moderator")
    decide(client, comment, "approve")
    from tests.comments_support import MANAGE

    manage = mailed(app, "ola@example.org", MANAGE)[-1]
    assert resident.post(manage, data={"body": "Tekst po poprawce."}).status_code == 303
    [edited] = comments(app)
    assert edited.status == S.HELD
    assert make.get(Idea, idea.id).comments_count == 0


def test_bulk_decisions_check_each_comment_on_its_own(app, make, client, login):
    idea = pre_moderated_idea(make)
    resident = app.test_client()
    a = post_confirmed(resident, app, idea.id, "Pierwszy wstrzymany.")
    post(resident, idea.id, "Drugi wstrzymany.")
    b = comments(app)[-1]
    login("moderator")
    response = client.post(
        "/staff/moderation/comments/bulk?tab=held",
        data={"action": "approve", "selected": [f"{a.id}:{a.version}", f"{b.id}:{b.version + 5}"]},
    )
    assert response.status_code == 303
    statuses = {c.id: c.status for c in comments(app)}
    assert statuses == {a.id: S.PUBLISHED, b.id: S.HELD}
    hide = client.post(
        "/staff/moderation/comments/bulk?tab=held",
        data={"action": "hide", "selected": [f"{b.id}:{b.version}"]},
    )
    assert hide.status_code == 422
    assert "Podaj powód ukrycia" in hide.get_data(as_text=True)


# --- readers' reports ----------------------------------------------------------------


def test_reports_reach_the_queue_and_are_resolved_by_a_decision(app, make, client, login):
    idea = make.idea()
    resident = app.test_client()
    comment = post_confirmed(resident, app, idea.id, "Komentarz zgłoszony przez czytelnika.")
    resident.post(
        f"/ideas/{idea.id}/comments/{comment.id}/report",
        data={"reason": "Zawiera dane osobowe sąsiada."},
    )
    login("moderator")
    queue = client.get("/staff/moderation/comments?tab=reported").get_data(as_text=True)
    assert "Komentarz zgłoszony przez czytelnika." in queue
    review = client.get(f"/staff/comments/{comment.id}").get_data(as_text=True)
    assert "Zawiera dane osobowe sąsiada." in review
    assert "ola@example.org" not in review
    decide(client, comment, "hide", "Dane osobowe.")
    assert make.count(CommentReport, resolved_at=None) == 0
    assert "Nic tu nie czeka." in client.get(
        "/staff/moderation/comments?tab=reported"
    ).get_data(as_text=True)


# --- the organiser's replies --------------------------------------------------------


def test_an_official_reply_carries_the_badge_and_the_units_name(app, make, client, login):
    process = make.process(organiser="Wydział Rozwoju Regionu")
    idea = make.idea(process_id=process.id)
    comment = post_confirmed(app.test_client(), app, idea.id, "Pytanie do organizatora.")
    editor = login("editor", name="Anna Nowak")
    form = client.get(f"/staff/comments/ideas/{idea.id}/reply?parent={comment.id}")
    assert form.status_code == 200
    assert 'value="Wydział Rozwoju Regionu"' in form.get_data(as_text=True)
    response = client.post(
        f"/staff/comments/ideas/{idea.id}/reply",
        data={"body": "Dziękujemy, sprawdzimy to.", "unit": "Wydział Rozwoju Regionu",
              "parent_id": str(comment.id)},
    )  # fmt: skip
    assert response.status_code == 303
    page = page_of(app.test_client(), idea)
    assert "Odpowiedź organizatora" in page
    assert "Wydział Rozwoju Regionu" in page
    assert "Anna Nowak" not in page
    client.post(
        f"/staff/comments/ideas/{idea.id}/reply",
        data={"body": "Podpisana odpowiedź.", "unit": "Wydział Rozwoju Regionu", "show_name": "y"},
    )
    assert "Wydział Rozwoju Regionu – Anna Nowak" in page_of(app.test_client(), idea)
    official = [c for c in comments(app) if c.official]
    assert all(c.staff_author_id == editor.id and c.email is None for c in official)
    assert make.get(Idea, idea.id).comments_count == 3


def test_an_official_reply_refuses_bad_input_keeping_the_text(app, make, client, login):
    idea = make.idea()
    login("moderator")
    response = client.post(
        f"/staff/comments/ideas/{idea.id}/reply",
        data={"body": "Odpowiedź na nieistniejący.", "parent_id": "999999"},
    )
    assert response.status_code == 422
    assert "Odpowiedź na nieistniejący." in response.get_data(as_text=True)


# --- who may do what ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "queue", "reply"),
    [("admin", 200, 200), ("moderator", 200, 200), ("editor", 403, 200), (None, 302, 302)],
)
def test_role_matrix(app, make, client, login, role, queue, reply):
    idea = make.idea()
    comment = post_confirmed(app.test_client(), app, idea.id, "Komentarz do sprawdzenia ról.")
    if role:
        login(role)
    assert client.get("/staff/moderation/comments").status_code == queue
    assert client.get(f"/staff/comments/{comment.id}").status_code == queue
    decision = decide(client, comment, "hide", "Powód.")
    assert decision.status_code == (303 if queue == 200 else queue)
    assert client.get(f"/staff/comments/ideas/{idea.id}/reply").status_code == reply
    bulk = client.post("/staff/moderation/comments/bulk", data={"action": "approve"})
    assert bulk.status_code == (422 if queue == 200 else queue)
    page = page_of(client, idea)
    assert ("Napisz odpowiedź organizatora" in page) == (reply == 200)


# --- the idea's author hears of new comments -------------------------------------


def _alert(app, idea, cadence: str) -> None:  # noqa: ANN001
    with app.app_context():
        db.session.add(CommentAlert(idea_id=idea.id, cadence=cadence))
        db.session.commit()


def test_the_author_chooses_alerts_on_the_tracking_page(app, make, client):
    idea = make.idea()
    response = client.post(f"/comments/alerts/{idea.track_token}", data={"cadence": "daily"})
    assert response.status_code == 303
    assert make.get(CommentAlert, idea.id).cadence == "daily"
    page = client.get(f"/ideas/track/{idea.track_token}").get_data(as_text=True)
    import re

    [daily] = re.findall(r'<input[^>]*value="daily"[^>]*>', page)
    [off] = re.findall(r'<input[^>]*value="off"[^>]*>', page)
    assert "checked" in daily and "checked" not in off


def test_no_notice_without_the_authors_agreement(app, make, client):
    idea = make.idea()
    post_confirmed(client, app, idea.id, "Komentarz bez powiadomienia.")
    assert make.count(Notice) == 0


def test_one_click_unsubscribe_works_without_cookie_or_csrf(app, make):
    idea = make.idea()
    _alert(app, idea, "immediate")
    post_confirmed(app.test_client(), app, idea.id, "Komentarz z powiadomieniem.")
    with app.app_context():
        notice = db.session.scalar(select(Notice))
        path = notice.unsubscribe_url.removeprefix("http://odkrywka.test")
        assert "Komentarz z powiadomieniem." not in notice.title + notice.text
        assert "Ola" not in notice.title + notice.text
    assert app.test_client().get(path).status_code == 200
    assert make.get(CommentAlert, idea.id).cadence == "immediate"
    assert app.test_client().post(path).status_code == 200
    assert make.get(CommentAlert, idea.id).cadence == "off"
    assert app.test_client().get("/comments/unsubscribe/1.forged").status_code == 404


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_unsubscribe_needs_no_csrf_token_even_when_forms_do(app, make):
    idea = make.idea()
    _alert(app, idea, "daily")
    with app.test_request_context():
        token = services.alert_token(make.get(Idea, idea.id))
    assert app.test_client().post(f"/comments/unsubscribe/{token}").status_code == 200
    assert make.get(CommentAlert, idea.id).cadence == "off"


def test_pre_moderated_comments_are_announced_once_approved(app, make, client, login):
    idea = pre_moderated_idea(make)
    _alert(app, idea, "immediate")
    comment = post_confirmed(app.test_client(), app, idea.id, "Czeka, potem powiadomienie.")
    assert make.count(Notice) == 0
    login("moderator")
    decide(client, comment, "approve")
    assert make.count(Notice, event=f"comment:{comment.id}") == 1


def _in_parallel(count: int, action) -> list:  # noqa: ANN001
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(n: int) -> None:
        barrier.wait()
        results[n] = action(n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.slow
def test_one_mail_per_comment_per_subscriber_under_concurrent_posting(live_server, app, make):
    idea = make.idea()
    _alert(app, idea, "immediate")
    # Six residents, each with a browser already trusted for their address.
    cookies = []
    for n in range(6):
        client = app.test_client()
        post_confirmed(client, app, idea.id, f"Pierwszy komentarz osoby {n}.",
                       email=f"osoba{n}@example.org")  # fmt: skip
        cookies.append(client.get_cookie("odkrywka_commenter").value)
    # …and one more, whose confirmation link is opened several times at once.
    post(app.test_client(), idea.id, "Potwierdzany wiele razy naraz.", email="zosia@example.org")
    link = mailed(app, "zosia@example.org")[-1]
    before = make.count(Notice)
    url = f"{live_server.url}/ideas/{idea.id}/comments"

    def act(n: int) -> int:
        if n >= 6:
            return requests.get(live_server.url + link, timeout=30).status_code
        response = requests.post(
            url,
            data={"body": f"Komentarz równoległy {n}.", "email": f"osoba{n}@example.org",
                  "consent": "y"},
            cookies={"odkrywka_commenter": cookies[n]},
            allow_redirects=False,
            timeout=30,
        )  # fmt: skip
        return response.status_code

    codes = _in_parallel(9, act)
    assert codes[:6] == [303] * 6, codes
    assert sorted(codes[6:]) in ([200, 200, 200], [200, 200, 404], [200, 404, 404]), codes
    published = [c for c in comments(app, status=S.PUBLISHED)]
    assert len(published) == 13
    assert make.count(Notice) - before == 7
    with app.app_context():
        events = db.session.scalars(select(Notice.event)).all()
        assert len(events) == len(set(events)) == 13
        assert set(events) == {f"comment:{c.id}" for c in published}
        sent = notices.send_due()
        db.session.commit()
        assert sent == 13
        mails = db.session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.recipient == idea.email, OutboxMessage.template == "notice"
            )
        )
        assert mails == 13
        assert notices.send_due() == 0
    assert make.get(Idea, idea.id).comments_count == 13
    assert make.count(Comment) == 13


def test_followers_who_asked_for_comments_hear_of_each_one_once(app, make):
    from app.follows import services as follows
    from app.models import Follower, FollowSubscription

    idea = make.idea()
    with app.test_request_context():
        target = db.session.get(Idea, idea.id)
        for email, with_comments in (("tak@example.org", True), ("nie@example.org", False)):
            subscription = follows.subscribe(email, idea=target, comments=with_comments)
            subscription.confirmed_at = subscription.follower.confirmed_at = subscription.created_at
        db.session.commit()
    comment = post_confirmed(app.test_client(), app, idea.id, "Komentarz dla obserwujących.")
    assert make.count(Notice, recipient="tak@example.org", event=f"follow:comment:{comment.id}") == 1
    assert make.count(Notice, recipient="nie@example.org") == 0
    assert make.count(Follower) == 2 and make.count(FollowSubscription) == 2


def test_nobody_hears_twice_or_of_their_own_comment(app, make):
    """A commenter who follows the idea is not told of their own comment; an
    author who follows their own idea hears once, by their own alert."""
    from app.follows import services as follows

    idea = make.idea()
    _alert(app, idea, "immediate")
    with app.test_request_context():
        target = db.session.get(Idea, idea.id)
        for email in ("ola@example.org", idea.email, "ktos@example.org"):
            subscription = follows.subscribe(email, idea=target, comments=True)
            subscription.confirmed_at = subscription.follower.confirmed_at = subscription.created_at
        db.session.commit()
    comment = post_confirmed(app.test_client(), app, idea.id, "Komentarz Oli.")
    assert make.count(Notice, recipient="ola@example.org") == 0
    assert make.count(Notice, recipient=idea.email.lower()) == 1
    assert make.count(Notice, recipient=idea.email.lower(), event=f"comment:{comment.id}") == 1
    assert make.count(Notice, recipient="ktos@example.org") == 1


def test_the_comment_form_can_start_following_the_discussion(app, make, client):
    from app.models import FollowSubscription

    idea = make.idea()
    post_confirmed(client, app, idea.id, "Chcę wiedzieć, co dalej.", follow="y")
    with app.app_context():
        [subscription] = db.session.scalars(select(FollowSubscription)).all()
        assert subscription.idea_id == idea.id and subscription.comments is True
    # The follow is confirmed by its own mailed link (app.follows).
    with app.app_context():
        templates = db.session.scalars(
            select(OutboxMessage.template).where(OutboxMessage.recipient == "ola@example.org")
        ).all()
    assert "follow_confirm" in templates


def test_an_administrator_sets_the_moderation_mode_per_consultation(app, make, client, login):
    from app.models import Process

    login("admin")
    response = client.post(
        "/staff/processes/new",
        data={"title": "Konsultacje z moderacją", "comment_moderation": "pre", "published": "y"},
    )
    assert response.status_code == 302
    with app.app_context():
        process = db.session.scalar(select(Process).where(Process.title == "Konsultacje z moderacją"))
        assert process.comment_moderation == "pre"
        process_id = process.id
    page = client.get(f"/staff/processes/{process_id}").get_data(as_text=True)
    assert '<option selected value="pre">' in page or 'value="pre" selected' in page


def test_two_moderators_deciding_at_once_apply_once(app, make):
    idea = make.idea()
    comment = post_confirmed(app.test_client(), app, idea.id, "Komentarz dwóch moderatorów.")
    with app.test_request_context():
        from app.models import User

        first, second = make.user(role="moderator"), make.user(role="moderator")
        row = db.session.get(Comment, comment.id)
        services.moderate(row, "hide", db.session.get(User, first.id), "Powód pierwszy.", 1)
        db.session.commit()
        from sqlalchemy.orm.attributes import set_committed_value

        # The second moderator's request read the comment before the first
        # one's commit: the friendly checks pass, the guarded UPDATE refuses.
        stale = db.session.get(Comment, comment.id)
        set_committed_value(stale, "status", "published")
        set_committed_value(stale, "version", 1)
        with pytest.raises(services.CommentConflict):
            services.moderate(stale, "hide", db.session.get(User, second.id), "Drugi.", 1)
        db.session.rollback()
    assert make.get(Idea, idea.id).comments_count == 0
    assert make.audit_actions(object_type="comments") == ["comment.hide"]
