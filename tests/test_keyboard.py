"""Keyboard only: submit an idea (fixing an error from the error summary)
and register for a workshop using nothing but Tab, Shift+Tab, Space and
Enter, typing text only into the field that has focus."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Idea, IdeaStatus, Registration
from tests.browser_support import demo_targets, load_demo, open_browser, require_chromium

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ALLOWED_KEYS = {"Tab", "Shift+Tab", "Space", "Enter"}


class Keyboard:
    """Presses only the allowed keys; knows where focus is."""

    def __init__(self, page) -> None:  # noqa: ANN001
        self.page = page
        self.pressed: list[str] = []

    def press(self, key: str) -> None:
        assert key in ALLOWED_KEYS, key
        self.pressed.append(key)
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        """Type into the focused element (what a person types on the keys)."""
        self.page.keyboard.type(text)

    def focused(self) -> dict[str, Any]:
        return self.page.evaluate(
            """() => {
                const el = document.activeElement;
                return {
                    id: el ? el.id : "",
                    tag: el ? el.tagName.toLowerCase() : "",
                    type: el ? (el.getAttribute("type") || "") : "",
                    text: el ? (el.innerText || el.value || "").trim().slice(0, 80) : "",
                    href: el && el.getAttribute("href") || "",
                    checked: el ? !!el.checked : false,
                };
            }"""
        )

    def tab_to(self, wanted, *, backwards: bool = False, limit: int = 120) -> dict[str, Any]:  # noqa: ANN001
        """Press Tab (or Shift+Tab) until *wanted(focused)* holds."""
        seen = []
        for _ in range(limit):
            self.press("Shift+Tab" if backwards else "Tab")
            now = self.focused()
            seen.append(now["id"] or now["tag"])
            if wanted(now):
                return now
        raise AssertionError(f"never reached the element; focus went through {seen}")

    def tab_to_id(self, element_id: str, **kwargs: Any) -> dict[str, Any]:
        return self.tab_to(lambda f: f["id"] == element_id, **kwargs)


def is_submit(label: str):  # noqa: ANN201
    return lambda f: f["tag"] == "button" and f["type"] == "submit" and label in f["text"]


def option_label(page, select_id: str, value: str) -> str:  # noqa: ANN001
    """The visible text of an option (read, not chosen, by selector)."""
    return page.evaluate(
        "([id, value]) => [...document.getElementById(id).options]"
        ".find(o => o.value === value).text",
        [select_id, value],
    )


def test_submit_an_idea_with_the_keyboard_only(app, make, live_server):
    require_chromium()
    load_demo(app)
    base = live_server.url
    title = "Wypożyczalnia rowerów przy jeziorze w wyrobisku"
    with open_browser(base) as browser:
        page = browser.page
        keys = Keyboard(page)
        browser.goto(base + "/ideas/new")
        category = page.evaluate(
            "() => [...document.getElementById('category').options].find(o => o.value).value"
        )

        # The skip link comes first and leads to the content.
        first = keys.tab_to(lambda f: f["tag"] == "a")
        assert first["href"] == "#main"

        keys.tab_to_id("title")
        keys.type(title)
        keys.tab_to_id("description")
        keys.type("Za krótki opis.")  # fewer than 30 characters: refused
        keys.tab_to_id("category")
        keys.type(option_label(page, "category", category))  # type-ahead picks it
        assert page.evaluate("document.getElementById('category').value") == category
        keys.tab_to_id("author_name")
        keys.type("Jan Klawiaturowy")
        keys.tab_to_id("email")
        keys.type("jan.klawiaturowy@example.org")
        keys.tab_to_id("show_author_name")
        keys.press("Space")
        keys.tab_to_id("consent")
        keys.press("Space")
        assert keys.focused()["checked"]
        keys.tab_to(is_submit("Wyślij"))
        with page.expect_navigation():
            keys.press("Enter")

        # Refused: focus lands on the error summary, which links to the field.
        page.wait_for_selector("#error-summary")
        assert keys.focused()["id"] == "error-summary"
        link = keys.tab_to(lambda f: f["tag"] == "a" and f["href"] == "#description")
        assert "Opis" in link["text"]
        keys.press("Enter")
        assert keys.focused()["id"] == "description"
        keys.type(" Rowery, kajaki i mapa tras wokół całego jeziora, dostępne dla wszystkich.")
        # Everything else was kept; the consent box is still ticked.
        keys.tab_to_id("consent")
        assert keys.focused()["checked"]
        keys.tab_to(is_submit("Wyślij"))
        with page.expect_navigation():
            keys.press("Enter")
        assert "/ideas/new" not in page.url, page.content()[:2000]
        assert set(keys.pressed) <= ALLOWED_KEYS

    with app.app_context():
        idea = db.session.scalar(select(Idea).where(Idea.title == title))
        assert idea is not None
        assert idea.status == IdeaStatus.UNCONFIRMED
        # The caret lands at the start of the field the summary links to.
        assert idea.description.startswith("Rowery, kajaki i mapa tras")
        assert idea.description.endswith("Za krótki opis.")
        assert idea.category.slug == category
        assert idea.show_author_name is True
        assert idea.email == "jan.klawiaturowy@example.org"


def test_register_for_a_workshop_with_the_keyboard_only(app, make, live_server):
    require_chromium()
    load_demo(app)
    targets = demo_targets(app, make)
    base = live_server.url
    with open_browser(base) as browser:
        page = browser.page
        keys = Keyboard(page)
        browser.goto(f"{base}/workshops/{targets['open_workshop']}")
        keys.tab_to_id("name")
        keys.type("Halina Tabulatorska")
        keys.tab_to_id("email")
        keys.type("halina.tabulatorska@example.org")
        keys.tab_to_id("participant_group")
        keys.type(option_label(page, "participant_group", "senior"))
        keys.tab_to_id("needs")
        keys.type("Pętla indukcyjna")
        # Shift+Tab goes back through the same fields.
        keys.tab_to_id("email", backwards=True)
        keys.tab_to_id("consent")
        keys.press("Space")
        keys.tab_to(
            lambda f: (
                f["tag"] == "button"
                and f["type"] == "submit"
                and page.evaluate(
                    "document.activeElement.form?.classList.contains('registration-form')"
                )
            )
        )
        with page.expect_navigation():
            keys.press("Enter")
        assert set(keys.pressed) <= ALLOWED_KEYS

    with app.app_context():
        registration = db.session.scalar(
            select(Registration).where(Registration.email == "halina.tabulatorska@example.org")
        )
        assert registration is not None
        assert registration.name == "Halina Tabulatorska"
        assert registration.participant_group == "senior"
        assert registration.needs == "Pętla indukcyjna"
