"""Destructive staff actions ask first: without ``confirm=y`` the button leads
to a page that says what will happen (nothing is changed yet) and posts the
same fields again; in a browser with JavaScript a dialog asks instead."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.models import Idea, IdeaStatus, Phase, ReplyTemplate
from app.models.workshop import Registration, WorkshopGroup
from tests.browser_support import axe_violations, open_browser, sign_in
from tests.factories import Factory
from tests.workshops_support import confirm_direct, register_direct, registration_by_token

S = IdeaStatus
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _carried(page: str) -> list[tuple[str, str]]:
    form = page[page.index('class="confirm-step') :]
    return [(name, value) for name, value in HIDDEN.findall(form) if name != "csrf_token"]


def _ask_then_confirm(client, url: str, data: dict, question: str):  # noqa: ANN001, ANN202
    """POST without confirmation: the question page; then its own form's fields."""
    asked = client.post(url, data=data)
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert question in page
    fields = _carried(page)
    assert ("confirm", "y") in fields
    form: dict[str, list[str]] = {}
    for name, value in fields:
        form.setdefault(name, []).append(value)
    return form


def test_deleting_a_phase_a_group_or_a_template_asks_first(app, client, make, login):
    login("admin")
    process = make.process()
    phase = make.phase(process.id, title="Zbieranie pomysłów")
    workshop = make.workshop(process_id=process.id)
    group = make.workshop_group(workshop.id, name="Seniorzy")
    template = make._save(ReplyTemplate(title="Poza tematem", body="Tekst szablonu."))
    cases = [
        (f"/staff/processes/{process.id}/phases/{phase.id}/delete", "Usunąć etap „Zbieranie pomysłów”?", Phase, phase.id),
        (f"/staff/workshops/{workshop.id}/groups/{group.id}/delete", "Usunąć grupę „Seniorzy”?", WorkshopGroup, group.id),
        (f"/staff/moderation/templates/{template.id}/delete", "Usunąć szablon „Poza tematem”?", ReplyTemplate, template.id),
    ]  # fmt: skip
    for url, question, model, ident in cases:
        form = _ask_then_confirm(client, url, {}, question)
        assert make.get(model, ident) is not None, url  # asking changed nothing
        assert client.post(url, data=form).status_code in (302, 303)
        assert make.get(model, ident) is None, url


def test_reject_and_merge_ask_first_and_keep_every_typed_field(app, client, make, moderator):
    target = make.idea(status=S.PUBLISHED)
    for action, extra, status in [
        ("reject", {}, S.REJECTED),
        ("merge", {"merge_into": str(target.id)}, S.MERGED),
    ]:
        idea = make.idea(status=S.AWAITING_REVIEW, title=f"Pomysł do decyzji {action}")
        data = {"action": action, "reason": "Uzasadnienie – „z cudzysłowem” & <znakiem>.",
                "version": str(idea.version), **extra}  # fmt: skip
        url = f"/staff/ideas/{idea.id}/decision"
        question = "Odrzucić pomysł" if action == "reject" else "Połączyć pomysł"
        form = _ask_then_confirm(client, url, data, question)
        assert make.get(Idea, idea.id).status == S.AWAITING_REVIEW
        assert form["reason"] == ["Uzasadnienie – „z cudzysłowem” &amp; &lt;znakiem&gt;."]
        form["reason"] = [data["reason"]]  # as the browser decodes it
        assert client.post(url, data=form).status_code == 303
        changed = make.get(Idea, idea.id)
        assert changed.status == status
    # Publishing asks nothing.
    idea = make.idea(status=S.AWAITING_REVIEW)
    response = client.post(
        f"/staff/ideas/{idea.id}/decision", data={"action": "publish", "version": idea.version}
    )
    assert response.status_code == 303


def test_bulk_reject_asks_first_and_carries_every_selected_idea(app, client, make, moderator):
    ideas = [make.idea(status=S.AWAITING_REVIEW) for _ in range(2)]
    selected = [f"{idea.id}:{idea.version}" for idea in ideas]
    form = _ask_then_confirm(
        client,
        "/staff/moderation/bulk",
        {"action": "reject", "reason": "Poza zakresem.", "selected": selected},
        "Odrzucić 2 zaznaczone pomysły?",
    )
    assert form["selected"] == selected
    assert {make.get(Idea, idea.id).status for idea in ideas} == {S.AWAITING_REVIEW}
    assert client.post("/staff/moderation/bulk", data=form).status_code == 303
    assert {make.get(Idea, idea.id).status for idea in ideas} == {S.REJECTED}


def test_a_cancelled_registration_asks_first(app, client, make, login):
    login("moderator")
    workshop = make.workshop()
    [token] = register_direct(app, workshop.id, 1)
    confirm_direct(app, token)
    registration = registration_by_token(app, token)
    url = f"/staff/workshops/{workshop.id}/registrations/{registration.id}/cancel"
    form = _ask_then_confirm(client, url, {}, "Anulować zapis: Osoba 0?")
    assert make.get(Registration, registration.id).status == "confirmed"
    assert client.post(url, data=form).status_code == 303
    assert make.get(Registration, registration.id).status == "cancelled"


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("javascript", [True, False], ids=["dialog", "no-javascript"])
def test_staff_cancel_a_registration_in_the_browser(app, make, live_server, javascript):
    workshop = make.workshop(title="Warsztaty o wodzie")
    [token] = register_direct(app, workshop.id, 1, email_pattern="ewa{}@example.org")
    confirm_direct(app, token)
    registration = registration_by_token(app, token)
    user = make.user(role="moderator")
    with open_browser(live_server.url, javascript=javascript) as browser:
        page = browser.page
        sign_in(browser, live_server.url, user.email, Factory.PASSWORD)
        browser.goto(f"{live_server.url}/staff/workshops/{workshop.id}")
        button = page.locator(f"button[form=cancel-{registration.id}]")
        if javascript:
            # The confirmation page itself (form.submit() skips the dialog), with axe.
            page.locator(f"#cancel-{registration.id}").evaluate("form => form.submit()")
            expect(page.locator("h1")).to_have_text("Anulować zapis: Osoba 0?")
            assert axe_violations(page) == []
            page.click("text=Nie, wróć")
            # Back on the workshop page with its scripts run (the dialog is
            # theirs): a click before "load" would post without asking.
            page.wait_for_url(f"**/staff/workshops/{workshop.id}*")
            page.wait_for_load_state("load")
            questions: list[str] = []

            def answer(dialog, replies=iter([False, True])):  # noqa: ANN001, B008
                questions.append(dialog.message)
                dialog.accept() if next(replies) else dialog.dismiss()

            page.on("dialog", answer)
            button.click()  # "no": nothing is sent
            page.wait_for_timeout(500)
            assert make.get(Registration, registration.id).status == "confirmed"
            button.click()  # "yes"
            expect(page.locator("main")).to_contain_text("Anulowano zapis: Osoba 0.", timeout=15_000)
            assert questions and "organizator anulował" in questions[0]
        else:
            button.click()
            expect(page.locator("h1")).to_have_text("Anulować zapis: Osoba 0?")
            assert make.get(Registration, registration.id).status == "confirmed"
            page.click("text=Tak, anuluj zapis")
            expect(page.locator("main")).to_contain_text("Anulowano zapis: Osoba 0.", timeout=15_000)
    assert make.get(Registration, registration.id).status == "cancelled"
