"""Demo: ideas sent through the form, with supports and official answers."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.ideas import lifecycle
from app.ideas.lifecycle import AUTHOR, SYSTEM
from app.models import (
    Idea,
    IdeaAnswer,
    IdeaSource,
    IdeaStatus,
    ResultStatus,
    Support,
)

# title, category, author, show name, municipality, days ago, supports, description
FORM_IDEAS = [
    (
        "Opera na odkrywce",
        "kultura-i-turystyka", "Marta Wiśniewska", True, "Bełchatów", 12, 14,
        "Wyrobisko kopalni ma naturalną akustykę amfiteatru. Proponuję coroczny "
        "festiwal operowy na dnie odkrywki: scena z kontenerów po zakładzie, "
        "widownia na skarpach, a dojazd specjalnymi autobusami z miast regionu. "
        "Takie wydarzenie przyciągnie gości z całego kraju i pokaże, że teren po "
        "kopalni może żyć nowym życiem.",
    ),
    (
        "Zintegrowany city camping",
        "kultura-i-turystyka", "Piotr Zieliński", True, "Zelów", 11, 9,
        "Pole kempingowe blisko centrum, połączone z wypożyczalnią rowerów, "
        "punktem informacji turystycznej i przystankiem autobusowym. Jeden bilet "
        "obejmowałby nocleg, rower i przejazdy po regionie. Kamperowcy i "
        "rowerzyści zostawialiby pieniądze u lokalnych przedsiębiorców.",
    ),
    (
        "Kampanie PR w zakresie integracji wielopokoleniowej",
        "integracja-i-seniorzy", "Halina Nowak", False, "Kleszczów", 10, 6,
        "Seria kampanii w lokalnych mediach i w internecie, pokazujących wspólne "
        "działania młodych i seniorów: warsztaty rzemiosła, nauka obsługi "
        "telefonu, wspólne gotowanie. Chodzi o to, by starsi mieszkańcy nie "
        "czuli się zbędni w zmieniającym się regionie, a młodzi znali jego historię.",
    ),
    (
        "Farma fotowoltaiczna na zwałowisku",
        "energia-i-klimat", "Tomasz Kaczmarek", True, "Szczerców", 9, 21,
        "Zrekultywowane zwałowisko zewnętrzne ma setki hektarów nasłonecznionych "
        "stoków. Spółdzielnia energetyczna mieszkańców mogłaby postawić tam "
        "farmę fotowoltaiczną, a zysk przeznaczać na obniżenie rachunków w gminie.",
    ),
    (
        "Centrum przekwalifikowania górników",
        "praca-i-gospodarka", "Andrzej Lewandowski", False, "Bełchatów", 8, 17,
        "Bezpłatne kursy dla pracowników kopalni i elektrowni: montaż instalacji "
        "OZE, automatyka, spawalnictwo, obsługa magazynów energii. Zajęcia "
        "wieczorami i w weekendy, z certyfikatem uznawanym przez pracodawców.",
    ),
    (
        "Jezioro w wyrobisku z plażą miejską",
        "srodowisko", "Katarzyna Mazur", True, "Kleszczów", 7, 12,
        "Po zalaniu wyrobiska powstanie jedno z największych jezior w regionie. "
        "Warto już teraz zaplanować plażę, ścieżki wokół brzegu i strefy ciszy "
        "dla ptaków, zanim o brzegu zdecydują wyłącznie prywatni inwestorzy.",
    ),
    (
        "Szkolne laboratorium energii",
        "edukacja-i-mlodziez", "Oliwia Dąbrowska", True, "Zelów", 6, 8,
        "Wyposażona pracownia w każdej szkole średniej: panele, turbina, "
        "magazyn energii i czujniki. Uczniowie mierzą zużycie energii w szkole "
        "i proponują oszczędności. Najlepsze projekty nagradzane stażem w parku "
        "technologicznym.",
    ),
    (
        "Kolej regionalna do parku technologicznego",
        "przestrzen-i-transport", "Jan Wójcik", False, "Szczerców", 5, 11,
        "Reaktywacja bocznicy kolejowej jako linii pasażerskiej: pociąg co "
        "godzinę w szczycie z miast regionu do parku technologicznego. Bez "
        "dobrego dojazdu nowe miejsca pracy będą dostępne tylko dla kierowców.",
    ),
    (
        "Trasa rowerowa wokół odkrywki",
        "przestrzen-i-transport", "Ewa Kamińska", True, "Bełchatów", 4, 5,
        "Asfaltowa pętla dla rowerów i rolek wokół wyrobiska, z punktami "
        "widokowymi i tablicami o historii kopalni. Część trasy może biec "
        "koroną zwałowiska.",
    ),
]  # fmt: skip

# index in FORM_IDEAS -> (result status, progress, answer)
ANSWERS = {
    0: (
        ResultStatus.ACCEPTED, 10,
        "Pomysł trafia do programu jako projekt kulturalny. W przyszłym roku "
        "zlecimy badanie akustyki i bezpieczeństwa skarp.",
    ),
    3: (
        ResultStatus.IN_PROGRESS, 35,
        "Trwa analiza przyłączenia do sieci. Spółdzielnia energetyczna została "
        "zarejestrowana, a gminy przygotowują umowę dzierżawy terenu.",
    ),
    4: (
        ResultStatus.UNDER_ANALYSIS, 0,
        "Sprawdzamy, które kursy można sfinansować z funduszy na sprawiedliwą "
        "transformację.",
    ),
    7: (
        ResultStatus.NOT_PURSUED, 0,
        "Bocznica nie spełnia norm dla ruchu pasażerskiego, a jej przebudowa "
        "przekracza budżet programu. W zamian proponujemy linię autobusową.",
    ),
}  # fmt: skip


def load(ctx: dict) -> None:
    process = ctx["process"]
    categories = ctx["categories"]
    now = ctx["now"]
    supporter = 0
    ideas = []
    for index, row in enumerate(FORM_IDEAS):
        title, category, author, show, municipality, days_ago, supports, description = row
        submitted = now - timedelta(days=days_ago, hours=3)
        published = now - timedelta(days=days_ago - 1)
        idea = Idea(
            process=process,
            category=categories[category],
            source=IdeaSource.FORM,
            title=title,
            description=description,
            author_name=author,
            email=f"autor{index + 1}@example.org",
            show_author_name=show,
            municipality=municipality,
            consent_version="demo",
            consented_at=submitted,
            status=IdeaStatus.PUBLISHED,
            submitted_at=submitted,
            confirmed_at=submitted + timedelta(minutes=5),
            published_at=published,
            supports_count=supports,
        )
        db.session.add(idea)
        lifecycle.history(
            idea,
            "submit",
            None,
            AUTHOR,
            at=submitted,
            data={"title": title, "description": description},
        )
        lifecycle.history(
            idea, "confirm", IdeaStatus.UNCONFIRMED, AUTHOR, at=submitted + timedelta(minutes=5)
        )
        lifecycle.history(idea, "publish", IdeaStatus.AWAITING_REVIEW, SYSTEM, at=published)  # fmt: skip
        for _ in range(supports):
            supporter += 1
            idea.supports_count = supports
            db.session.add(
                Support(
                    idea=idea,
                    email=f"mieszkaniec{supporter}@example.org",
                    created_at=published + timedelta(hours=supporter % 48),
                    confirmed_at=published + timedelta(hours=supporter % 48, minutes=10),
                )
            )
        if index in ANSWERS:
            status, progress, text = ANSWERS[index]
            idea.result_status = status
            idea.progress = progress
            idea.answers.append(
                IdeaAnswer(
                    result_status=status,
                    answer=text,
                    progress=progress,
                    created_at=published + timedelta(days=2),
                )
            )
        ideas.append(idea)
    # One idea still waiting for moderators, so the queue is not empty.
    waiting = Idea(
        process=process,
        category=categories["srodowisko"],
        source=IdeaSource.FORM,
        title="Sad społeczny na terenie rekultywowanym",
        description=(
            "Stare odmiany jabłoni i grusz posadzone przez mieszkańców na "
            "zrekultywowanym terenie, z ławkami i tablicami o odmianach."
        ),
        author_name="Zofia Krawczyk",
        email="autor-oczekuje@example.org",
        show_author_name=True,
        consent_version="demo",
        consented_at=now - timedelta(days=1),
        status=IdeaStatus.AWAITING_REVIEW,
        submitted_at=now - timedelta(days=1),
        confirmed_at=now - timedelta(days=1),
    )
    db.session.add(waiting)
    ctx["form_ideas"] = ideas
