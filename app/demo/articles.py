"""Demo: news about the consultation, with cover tiles drawn here and one video.

The covers are abstract compositions in the site's green and amber, drawn
with Pillow at load time and stored through the same pipeline as uploads.
"""

from __future__ import annotations

import io
import math
import random
from datetime import timedelta

from PIL import Image, ImageDraw, ImageFilter
from sqlalchemy import select

from app.articles.covers import store_cover_bytes
from app.articles.services import snapshot
from app.extensions import db
from app.models import (
    Article,
    ArticleRevision,
    ArticleStatus,
    Idea,
    IdeaStatus,
    Tag,
    User,
    Workshop,
)
from app.text import slugify

GREEN = (11, 93, 59)
DEEP_GREEN = (6, 56, 36)
AMBER = (242, 193, 78)
CREAM = (244, 247, 245)

# A public video, standing in for the organiser's own recording of the meeting.
DEMO_VIDEO_URL = "https://www.youtube.com/watch?v=jNQXAC9IVRw"


def _gradient(width: int, height: int, top: tuple, bottom: tuple) -> Image.Image:
    image = Image.new("RGB", (width, height), top)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / max(height - 1, 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (width, y)], fill=colour)
    return image


def draw_cover(style: int, seed: int, width: int = 1600, height: int = 900) -> bytes:
    """An abstract cover: strata of an open-pit mine, a sun, wind, light."""
    rng = random.Random(seed)  # nosec B311 - demo pictures, not security
    image = _gradient(width, height, DEEP_GREEN if style % 2 else GREEN, (20, 120, 80))
    draw = ImageDraw.Draw(image, "RGBA")
    if style == 0:
        # Terraces of the pit turning into a lake.
        for i in range(9):
            y = height * (0.35 + i * 0.07)
            inset = i * width * 0.045
            colour = AMBER + (210 - i * 18,) if i % 2 == 0 else CREAM + (60,)
            draw.rounded_rectangle(
                [inset, y, width - inset, y + height * 0.05], radius=40, fill=colour
            )
        draw.ellipse([width * 0.7, height * 0.08, width * 0.86, height * 0.36], fill=AMBER + (255,))
    elif style == 1:
        # A table seen from above: people around it are circles.
        draw.ellipse([width * 0.25, height * 0.2, width * 0.75, height * 0.8], fill=CREAM + (50,))
        for i in range(12):
            angle = 2 * math.pi * i / 12
            cx = width / 2 + math.cos(angle) * width * 0.3
            cy = height / 2 + math.sin(angle) * height * 0.38
            r = height * 0.05
            fill = AMBER + (255,) if i % 3 == 0 else CREAM + (200,)
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=fill)
        for _ in range(14):
            x, y = rng.uniform(0.33, 0.62) * width, rng.uniform(0.3, 0.66) * height
            draw.rectangle([x, y, x + width * 0.05, y + height * 0.06], fill=AMBER + (160,))
    elif style == 2:
        # Speech bubbles: ideas coming in.
        for i in range(7):
            x = rng.uniform(0.05, 0.7) * width
            y = rng.uniform(0.08, 0.65) * height
            w, h = rng.uniform(0.15, 0.3) * width, rng.uniform(0.12, 0.22) * height
            colour = AMBER + (230,) if i % 2 == 0 else CREAM + (170,)
            draw.rounded_rectangle([x, y, x + w, y + h], radius=36, fill=colour)
            draw.polygon(
                [(x + w * 0.2, y + h), (x + w * 0.35, y + h), (x + w * 0.18, y + h * 1.35)],
                fill=colour,
            )
    else:
        # Wind turbines on a reclaimed spoil heap.
        draw.polygon(
            [
                (0, height),
                (width * 0.15, height * 0.62),
                (width * 0.55, height * 0.55),
                (width, height * 0.7),
                (width, height),
            ],
            fill=(8, 70, 45, 255),
        )
        for i, x in enumerate((0.3, 0.5, 0.72)):
            base_y = height * (0.58 - i * 0.02)
            cx, cy = width * x, base_y - height * 0.33
            draw.line([(cx, base_y), (cx, cy)], fill=CREAM + (255,), width=10)
            for k in range(3):
                angle = math.radians(rng.uniform(0, 120) + k * 120)
                draw.line(
                    [
                        (cx, cy),
                        (
                            cx + math.cos(angle) * height * 0.16,
                            cy + math.sin(angle) * height * 0.16,
                        ),
                    ],
                    fill=CREAM + (255,),
                    width=12,
                )
        draw.ellipse([width * 0.08, height * 0.1, width * 0.2, height * 0.31], fill=AMBER + (255,))
    image = image.filter(ImageFilter.SMOOTH)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


# days_ago < 0: scheduled for the future (staff see it, readers do not yet).
ARTICLES = [
    {
        "title": "Spotkanie otwierające za nami: eksperci pokazali diagnozę regionu",
        "lead": (
            "86 osób wypełniło salę parku technologicznego. Eksperci przedstawili, "
            "z czym region wchodzi w transformację, a mieszkańcy od razu zaczęli pytać o konkrety."
        ),
        "body": """\
Konsultacje programu transformacji oficjalnie ruszyły. Na spotkaniu otwierającym
w parku technologicznym pojawili się mieszkańcy, samorządowcy, przedsiębiorcy,
związkowcy i – co cieszy szczególnie – spora grupa uczniów szkół średnich.

## Co pokazała diagnoza

Zespół ekspertów omówił trzy obszary, od których zależy przyszłość regionu:

- **Praca.** Kopalnia i elektrownia wciąż dają zatrudnienie tysiącom osób, a wokół
  nich działają setki firm usługowych. Ich los trzeba planować już teraz.
- **Energia.** Region ma doświadczenie, sieci i tereny, na których mogą powstać
  nowe źródła energii – od farm słonecznych po magazyny.
- **Przestrzeń.** Wyrobisko i zwałowiska to setki hektarów, które po rekultywacji
  mogą służyć mieszkańcom: jako jezioro, tereny rekreacyjne albo miejsce dla firm.

## Pytania z sali

Najwięcej pytań dotyczyło przekwalifikowania pracowników i dojazdu do nowych miejsc
pracy. Padło też pytanie, które warto powtórzyć: *czy pomysły mieszkańców naprawdę
trafią do programu?* Odpowiedź brzmi: każdy opublikowany pomysł dostanie oficjalną,
publiczną odpowiedź – także wtedy, gdy nie zostanie przyjęty.

Nagranie całego spotkania jest dostępne powyżej. Prezentację ekspertów opublikujemy
w materiałach konsultacji.
""",
        "tags": ["spotkania", "diagnoza"],
        "days_ago": 19,
        "views": 27690,
        "video": True,
        "style": 0,
        "cover_alt": "Abstrakcyjna grafika: zielone i bursztynowe tarasy odkrywki schodzące ku wodzie, nad nimi słońce.",
    },
    {
        "title": "Co przyniosły pierwsze warsztaty w grupach mieszanych",
        "lead": (
            "Samorządowcy, szefowie firm, młodzież i seniorzy przy jednym stole. "
            "Z trzech godzin pracy wyszło kilkanaście pomysłów – część już czeka w katalogu."
        ),
        "body": """\
Warsztaty w grupach mieszanych to najważniejsza część konsultacji. Zamiast słuchać
prezentacji, uczestnicy pracowali w małych zespołach, w których każdy reprezentował
inną perspektywę: wójt siedział obok licealistki, a właściciel firmy transportowej
obok emerytowanego górnika.

## Jak pracowaliśmy

1. Każda grupa wybrała jeden obszar: pracę, energię, kulturę albo przestrzeń.
2. Przez godzinę zbieraliśmy problemy – bez oceniania.
3. W drugiej części z problemów powstawały propozycje, a na koniec każda grupa
   wybrała trzy, które chce przedstawić wszystkim.

## Co z tego wyszło

Największe poruszenie wywołały pomysły związane z **wyrobiskiem**: od festiwalu
na dnie odkrywki po plażę miejską nad przyszłym jeziorem. Młodzież upominała się
o powody, by zostać w regionie, a seniorzy – o to, by nikt nie został z boku zmian.

Pomysły z warsztatów trafiają do katalogu z oznaczeniem „z warsztatów”. Możesz je
przeczytać i poprzeć tak samo jak te wysłane przez formularz.

> Przyszłam sprawdzić, czy ktoś nas w ogóle słucha. Wychodzę z listą zadań
> – powiedziała jedna z uczestniczek.

Kolejne warsztaty odbędą się w najbliższych tygodniach; zapisy trwają.
""",
        "tags": ["warsztaty", "pomysły"],
        "days_ago": 8,
        "views": 4312,
        "video": False,
        "style": 1,
        "cover_alt": "Abstrakcyjna grafika: widziany z góry stół otoczony kołami symbolizującymi uczestników warsztatów.",
        "link_ideas": True,
    },
    {
        "title": "Jak zgłosić pomysł – krok po kroku",
        "lead": (
            "Zgłoszenie zajmuje kilka minut i nie wymaga zakładania konta. "
            "Podpowiadamy, co napisać, żeby pomysł był zrozumiały i łatwy do oceny."
        ),
        "body": """\
Każdy może zgłosić pomysł na przyszłość regionu – mieszkaniec, przedsiębiorca,
uczeń, organizacja. Nie trzeba zakładać konta.

## Krok po kroku

1. Otwórz formularz **Zgłoś pomysł**.
2. Nadaj pomysłowi krótki tytuł, który mówi, o co chodzi – np. „Kolej do parku
   technologicznego”, a nie „Mój pomysł”.
3. Opisz, **jaki problem rozwiązuje**, **co konkretnie proponujesz** i **kto
   skorzysta**. Wystarczy kilka zdań.
4. Wybierz kategorię i podaj adres e-mail. Wyślemy na niego link potwierdzający
   oraz prywatny link, pod którym sprawdzisz status zgłoszenia.
5. Potwierdź zgłoszenie, klikając link w wiadomości.

## Co dzieje się dalej

Moderator sprawdza, czy zgłoszenie nie zawiera danych osobowych innych osób ani
treści niezgodnych z zasadami. Potem pomysł pojawia się w katalogu, gdzie inni
mogą go poprzeć. Twoje imię pokażemy tylko wtedy, gdy się na to zgodzisz.

Po zakończeniu zbierania pomysłów każdy z nich dostanie oficjalną odpowiedź.

Masz pytania? Napisz do nas: [konsultacje@example.org](mailto:konsultacje@example.org).
""",
        "tags": ["poradnik", "pomysły"],
        "days_ago": 13,
        "views": 1187,
        "video": False,
        "style": 2,
        "cover_alt": "Abstrakcyjna grafika: bursztynowe i jasne dymki rozmowy na zielonym tle.",
    },
    {
        "title": "Energia ze zwałowiska? Mieszkańcy pytają o farmy słoneczne",
        "lead": (
            "Pomysł farmy fotowoltaicznej na zrekultywowanym zwałowisku zebrał najwięcej "
            "poparć w kategorii „Energia i klimat”. Wyjaśniamy, od czego zależy jego los."
        ),
        "body": """\
Wśród zgłoszonych pomysłów szybko wyróżnił się jeden: spółdzielnia energetyczna
mieszkańców, która stawia farmę słoneczną na zwałowisku, a zysk przeznacza na
niższe rachunki w gminie.

## Co trzeba sprawdzić

- czy grunt po rekultywacji jest na tyle stabilny, by udźwignąć konstrukcje,
- kto jest właścicielem terenu i na jakich zasadach można go dzierżawić,
- czy sieć w okolicy przyjmie dodatkową moc.

Odpowiedzi na te pytania przygotują eksperci parku technologicznego. Wyniki
analizy opublikujemy przy pomyśle – każdy, kto go poparł i zostawił zgodę na
powiadomienia, dostanie wiadomość.
""",
        "tags": ["energia", "pomysły"],
        "days_ago": 3,
        "views": 863,
        "video": False,
        "style": 3,
        "cover_alt": "Abstrakcyjna grafika: jasne turbiny wiatrowe i słońce nad zielonym wzgórzem.",
    },
    {
        "title": "Zaproszenie na spotkanie podsumowujące",
        "lead": (
            "Pokażemy, ile pomysłów zebraliśmy, jak je pogrupowaliśmy i co stanie się "
            "z nimi dalej. Zapraszamy wszystkich, także tych, którzy niczego nie zgłosili."
        ),
        "body": """\
Na spotkaniu podsumowującym przedstawimy wyniki konsultacji: liczbę zgłoszeń,
najczęściej poruszane tematy i pierwsze decyzje o tym, które pomysły trafią do
programu transformacji.

Szczegóły – miejsce, godzinę i zapisy – znajdziesz w zakładce **Spotkania**.
""",
        "tags": ["spotkania"],
        "days_ago": -2,  # scheduled: staff can see it, readers cannot yet
        "views": 0,
        "video": False,
        "style": 2,
        "cover_alt": "Abstrakcyjna grafika: kolorowe dymki rozmowy na zielonym tle.",
    },
]


def load(ctx: dict) -> None:
    now = ctx.get("now")
    process = ctx.get("process")
    if now is None or process is None:
        return
    editor = db.session.scalar(select(User).where(User.role.in_(("editor", "admin"))).limit(1))
    workshops = db.session.scalars(
        select(Workshop).where(Workshop.process_id == process.id).order_by(Workshop.starts_at)
    ).all()
    past_workshops = [w for w in workshops if w.starts_at < now]
    ideas = db.session.scalars(
        select(Idea)
        .where(Idea.process_id == process.id, Idea.status == IdeaStatus.PUBLISHED)
        .order_by(Idea.supports_count.desc())
        .limit(3)
    ).all()
    tags: dict[str, Tag] = {}
    created: list[Article] = []
    for index, spec in enumerate(ARTICLES):
        cover = store_cover_bytes(draw_cover(spec["style"], seed=index + 7))
        published_at = now - timedelta(days=spec["days_ago"], hours=index * 3)
        article = Article(
            slug=slugify(spec["title"], 100),
            title=spec["title"],
            lead=spec["lead"],
            body=spec["body"],
            cover_key=cover.key,
            cover_widths=cover.widths,
            cover_alt=spec["cover_alt"],
            video_url=DEMO_VIDEO_URL if spec["video"] else None,
            status=ArticleStatus.PUBLISHED,
            published_at=published_at,
            views=spec["views"],
            process_id=process.id,
            author_id=editor.id if editor else None,
            created_at=min(published_at, now) - timedelta(hours=5),
        )
        for name in spec["tags"]:
            slug = slugify(name)
            if slug not in tags:
                tags[slug] = Tag(slug=slug, name=name)
                db.session.add(tags[slug])
            article.tags.append(tags[slug])
        if spec["video"] and past_workshops:
            article.workshops.append(past_workshops[0])
        if spec.get("link_ideas"):
            article.workshops.extend(w for w in past_workshops[1:2] if w not in article.workshops)
            article.ideas.extend(ideas)
        db.session.add(article)
        db.session.flush()
        created.append(article)
        db.session.add(
            ArticleRevision(
                article_id=article.id,
                number=1,
                title=article.title,
                data=snapshot(article),
                reason="create",
                author_id=article.author_id,
                created_at=article.created_at,
            )
        )
    # A draft, for editors to try the publisher on.
    draft = Article(
        slug="robocza-notatka-z-dyzuru-konsultacyjnego",
        title="Robocza notatka z dyżuru konsultacyjnego",
        lead="Szkic: pytania, które mieszkańcy zadawali podczas dyżuru w bibliotece.",
        body="Do uzupełnienia po dyżurze. Zebrać pytania i odpowiedzi, dodać zdjęcie z dyżuru.\n",
        status=ArticleStatus.DRAFT,
        process_id=process.id,
        author_id=editor.id if editor else None,
    )
    db.session.add(draft)
    db.session.flush()
    db.session.add(
        ArticleRevision(
            article_id=draft.id, number=1, title=draft.title, data=snapshot(draft), reason="create"
        )
    )
    ctx["articles"] = [*created, draft]
