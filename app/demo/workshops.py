"""Demo: the meetings of the consultation.

An opening expert meeting and a workshop session in the past (with minutes,
groups, attendance and the ideas they produced), an online Q&A, one
upcoming workshop with free places, one that is full (with a waiting list)
and the closing summary meeting.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from app.extensions import db
from app.ideas import lifecycle
from app.ideas.lifecycle import STAFF
from app.models import Idea, IdeaSource, IdeaStatus, Support
from app.models.workshop import (
    ParticipantGroup,
    Registration,
    RegistrationStatus,
    Workshop,
    WorkshopGroup,
    WorkshopKind,
)
from app.timeutil import local_to_utc, utc_to_local
from app.workshops.services import issue_token

VENUE = "Centrum Konferencyjne Parku Technologicznego"
ADDRESS = "ul. Energetyków 12, Bełchatów"

FIRST_NAMES = [
    "Anna", "Piotr", "Katarzyna", "Marek", "Agnieszka", "Tomasz", "Magdalena", "Krzysztof",
    "Barbara", "Paweł", "Joanna", "Michał", "Elżbieta", "Grzegorz", "Natalia", "Jakub",
    "Teresa", "Łukasz", "Zuzanna", "Stanisław", "Wiktoria", "Henryk", "Julia", "Adam",
]  # fmt: skip
LAST_NAMES = [
    "Nowak", "Kowalski", "Wójcik", "Kowalczyk", "Kamińska", "Lewandowski", "Zielińska",
    "Szymański", "Woźniak", "Dąbrowski", "Kozłowska", "Jankowski", "Mazur", "Kwiatkowski",
]  # fmt: skip
GROUP_CYCLE = [
    ParticipantGroup.RESIDENT, ParticipantGroup.LOCAL_GOVERNMENT, ParticipantGroup.YOUNG_PERSON,
    ParticipantGroup.ENTREPRENEUR, ParticipantGroup.SENIOR, ParticipantGroup.RESIDENT,
    ParticipantGroup.YOUNG_PERSON, ParticipantGroup.COMPANY_HEAD, ParticipantGroup.SENIOR,
    ParticipantGroup.OTHER,
]  # fmt: skip

OPENING_PROGRAMME = """\
- **17:00** Powitanie i zasady konsultacji
- **17:15** Region po węglu: diagnoza rynku pracy i energii – zespół ekspertów parku
- **18:00** Trzy scenariusze transformacji: co się stanie, jeśli nic nie zrobimy
- **18:45** Pytania z sali
- **19:30** Zakończenie
"""

OPENING_MINUTES = """\
### Najważniejsze wnioski

Eksperci przedstawili diagnozę: w ciągu dekady z kopalni i elektrowni odejdzie
kilka tysięcy osób, a wraz z nimi praca dla firm, które je obsługują. Region
ma jednak atuty: sieć przesyłową, tereny inwestycyjne, wykwalifikowanych
techników i dobrą lokalizację.

### Pytania z sali

1. **Czy młodzi będą mieli po co zostać?** – Kluczowe są kierunki kształcenia
   dopasowane do nowych branż i wsparcie dla zakładania firm.
2. **Co z terenami po kopalni?** – Rekultywacja potrwa lata; część terenów
   może zostać udostępniona już w najbliższych latach.
3. **Czy mieszkańcy mają realny wpływ?** – Każdy opublikowany pomysł dostanie
   oficjalną odpowiedź, a wyniki zostaną omówione na spotkaniu podsumowującym.

### Co dalej

Warsztaty w grupach mieszanych, formularz pomysłów online i spotkanie
podsumowujące. Prezentacje ekspertów są dostępne w aktualnościach.
"""

WORKSHOP_PROGRAMME = """\
Pracujemy w **grupach mieszanych**: przy jednym stole siadają samorządowcy,
szefowie firm, młodzież, seniorzy i przedsiębiorcy. Każda grupa ma
moderatora i kończy pracę listą konkretnych pomysłów.

1. Rozgrzewka: „mój region za 15 lat”
2. Praca w grupach nad wybranym wyzwaniem
3. Prezentacje grup i wspólna dyskusja
"""

WORKSHOP_MINUTES = """\
### Przebieg

W warsztatach wzięło udział 48 osób w czterech grupach mieszanych. Każda
grupa zaczęła od mapy problemów, a skończyła na pomysłach, które – jej
zdaniem – najbardziej zmienią życie w regionie.

### Ustalenia grup

- **Samorządowcy i szefowie firm** skupili się na transporcie i energii:
  wodór z lokalnej elektrolizy może napędzać autobusy między gminami.
- **Młodzież i seniorzy** szukali miejsc, w których pokolenia spotkają się przy
  pracy: dawna stołówka kopalni jako otwarta pracownia.
- **Przedsiębiorcy i mieszkańcy** zaproponowali wspólne inwestycje w energię
  na blokach i w domach.
- **Samorząd, młodzież i przedsiębiorcy** zajęli się pracą dla młodych:
  inkubator, w którym uczniowie i studenci rozwijają własne firmy.

Wszystkie pomysły trafiły do katalogu, gdzie można je poprzeć.
"""

GROUPS = [
    ("Samorządowcy i szefowie firm", "Wójtowie, radni oraz prezesi i dyrektorzy firm z regionu.", 13),
    ("Młodzież i seniorzy", "Uczniowie szkół średnich, studenci i członkowie klubów seniora.", 12),
    ("Przedsiębiorcy i mieszkańcy", "Właściciele małych firm, rzemieślnicy i mieszkańcy gmin.", 12),
    ("Samorząd, młodzież i przedsiębiorcy", "Grupa łączona: pokolenie wchodzące na rynek pracy z tymi, którzy go tworzą.", 11),
]  # fmt: skip

# title, category, group index, supports, description
WORKSHOP_IDEAS = [
    (
        "Wodorowa linia autobusowa między gminami",
        "przestrzen-i-transport", 0, 16,
        "Linia autobusów napędzanych wodorem łącząca gminy regionu z parkiem "
        "technologicznym i dworcem kolejowym. Wodór produkowany na miejscu w "
        "elektrolizerze zasilanym z farm fotowoltaicznych na terenach "
        "pokopalnianych. Stacja tankowania przy zajezdni mogłaby obsługiwać także "
        "ciężarówki firm z parku, a kierowcy i mechanicy z kopalni zdobyliby nowe "
        "kwalifikacje.",
    ),
    (
        "Makerspace w dawnej stołówce kopalni",
        "edukacja-i-mlodziez", 1, 13,
        "Stołówka kopalni ma dużą, jasną salę i zaplecze techniczne. Proponujemy "
        "urządzić w niej otwartą pracownię: drukarki 3D, warsztat stolarski i "
        "elektroniczny, maszyny do szycia. Emerytowani górnicy i mechanicy "
        "prowadziliby zajęcia dla młodzieży, a wieczorami pracownia byłaby otwarta "
        "dla wszystkich mieszkańców za symboliczną opłatą.",
    ),
    (
        "Inkubator start-upów dla młodzieży",
        "praca-i-gospodarka", 3, 11,
        "Program dla uczniów ostatnich klas i studentów z regionu: biuro w parku "
        "technologicznym, mentor z lokalnej firmy, mikrogranty na pierwsze "
        "prototypy i pomoc prawna przy zakładaniu działalności. Najlepsze zespoły "
        "dostają roczne preferencyjne warunki najmu, jeśli zostaną w regionie.",
    ),
    (
        "Spółdzielnia energetyczna dla bloków i domów",
        "energia-i-klimat", 2, 9,
        "Mieszkańcy wspólnie inwestują w panele na dachach bloków, szkół i hal "
        "oraz w magazyn energii. Spółdzielnia sprzedaje prąd członkom taniej niż "
        "na rynku, a nadwyżkę przeznacza na termomodernizację. Gmina udostępnia "
        "dachy budynków publicznych i pomaga w formalnościach.",
    ),
    (
        "Mistrz i uczeń: seniorzy z kopalni uczą fachu",
        "integracja-i-seniorzy", 1, 7,
        "Płatne godziny mentorskie dla emerytowanych pracowników kopalni i "
        "elektrowni, którzy przekazują praktyczną wiedzę uczniom szkół "
        "zawodowych: spawanie, automatyka, bezpieczeństwo pracy. Seniorzy "
        "zostają aktywni, a firmy z parku zyskują lepiej przygotowanych praktykantów.",
    ),
]  # fmt: skip

# Sent for moderation by the workshop's staff: shows the other path.
IDEA_FOR_REVIEW = (
    "Punkt napraw i wymiany rzeczy przy bibliotece",
    "srodowisko", 2,
    "Raz w tygodniu przy bibliotece gminnej działa punkt, w którym wolontariusze "
    "pomagają naprawić sprzęt, rower czy ubranie, a niepotrzebne rzeczy można "
    "zostawić dla innych. Mniej odpadów, więcej spotkań sąsiedzkich.",
)  # fmt: skip


def _at(now: datetime, days: int, hour: int, minute: int = 0) -> datetime:
    """A Warsaw wall-clock time *days* from today, as UTC."""
    day = (utc_to_local(now) + timedelta(days=days)).date()
    return local_to_utc(datetime.combine(day, time(hour, minute)))


class _People:
    def __init__(self) -> None:
        self.n = 0

    def next(self) -> tuple[str, str, str]:
        self.n += 1
        first = FIRST_NAMES[self.n % len(FIRST_NAMES)]
        last = LAST_NAMES[(self.n * 5) % len(LAST_NAMES)]
        if first.endswith("a") and last.endswith("ski"):
            last = last[:-1] + "a"
        elif not first.endswith("a") and last.endswith("ska"):
            last = last[:-1] + "i"
        group = GROUP_CYCLE[self.n % len(GROUP_CYCLE)]
        return f"{first} {last}", f"uczestnik{self.n}@example.org", group


def _register(
    workshop: Workshop,
    people: _People,
    status: str,
    created: datetime,
    attended: bool | None = None,
    needs: str = "",
) -> Registration:
    name, email, group = people.next()
    registration = Registration(
        workshop=workshop,
        name=name,
        email=email,
        participant_group=group,
        needs=needs,
        locale="pl",
        consent_version="demo",
        consented_at=created,
        status=status,
        created_at=created,
        updated_at=created,
        attended=attended,
    )
    issue_token(registration)
    if status in (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITING):
        registration.confirmed_at = created + timedelta(minutes=20)
    if status == RegistrationStatus.WAITING:
        registration.waiting_since = registration.confirmed_at
    if status in (
        RegistrationStatus.UNCONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITING,
    ):
        registration.active_email = email
    if status == RegistrationStatus.CONFIRMED:
        workshop.places_taken += 1
    db.session.add(registration)
    return registration


def load(ctx: dict) -> None:
    process = ctx["process"]
    categories = ctx["categories"]
    now = ctx["now"]
    people = _People()

    opening = Workshop(
        process=process,
        slug="spotkanie-otwierajace-z-ekspertami",
        title="Spotkanie otwierające: region po węglu – diagnoza i scenariusze",
        kind=WorkshopKind.EXPERT_MEETING,
        starts_at=_at(now, -20, 17),
        ends_at=_at(now, -20, 19, 30),
        venue=VENUE,
        address=ADDRESS,
        lead="Eksperci parku pokazują, jak zmieni się region po wygaszeniu kopalni, i odpowiadają na pytania mieszkańców.",
        programme=OPENING_PROGRAMME,
        capacity=120,
        places_taken=0,
        minutes=OPENING_MINUTES,
        minutes_published=True,
        minutes_published_at=_at(now, -18, 10),
        participants_count=86,
    )
    session = Workshop(
        process=process,
        slug="warsztaty-w-grupach-mieszanych",
        title="Warsztaty w grupach mieszanych: praca, energia i młodzi w regionie",
        kind=WorkshopKind.WORKSHOP,
        starts_at=_at(now, -8, 10),
        ends_at=_at(now, -8, 14),
        venue="Dom Kultury „Górnik”",
        address="ul. Kopalniana 3, Kleszczów",
        lead="Samorządowcy, szefowie firm, młodzież, seniorzy i przedsiębiorcy przy jednym stole.",
        programme=WORKSHOP_PROGRAMME,
        capacity=60,
        places_taken=0,
        minutes=WORKSHOP_MINUTES,
        minutes_published=True,
        minutes_published_at=_at(now, -6, 12),
        participants_count=48,
    )
    online = Workshop(
        process=process,
        slug="pytania-do-ekspertow-online",
        title="Pytania do ekspertów – spotkanie online",
        kind=WorkshopKind.ONLINE,
        starts_at=_at(now, 3, 18),
        ends_at=_at(now, 3, 19, 30),
        venue="",
        online_url="https://spotkania.example.org/odkrywka-pytania",
        lead="Godzina pytań o program transformacji – z domu, bez dojazdu.",
        programme="Zadaj pytanie przy zapisie w polu uwag – odpowiemy na najczęstsze.",
        capacity=100,
        places_taken=0,
    )
    open_workshop = Workshop(
        process=process,
        slug="warsztaty-turystyka-i-kultura",
        title="Warsztaty: turystyka i kultura na terenach pokopalnianych",
        kind=WorkshopKind.WORKSHOP,
        starts_at=_at(now, 6, 16),
        ends_at=_at(now, 6, 19),
        venue="Biblioteka Publiczna, sala widokowa",
        address="pl. Narutowicza 5, Bełchatów",
        lead="Jak przyciągnąć gości do regionu: jezioro, trasy, wydarzenia, dziedzictwo górnicze.",
        programme=WORKSHOP_PROGRAMME,
        capacity=30,
        places_taken=0,
        registration_closes_at=_at(now, 5, 12),
    )
    full_workshop = Workshop(
        process=process,
        slug="warsztaty-zielona-energia-w-gminie",
        title="Warsztaty: zielona energia w gminie – od pomysłu do projektu",
        kind=WorkshopKind.WORKSHOP,
        starts_at=_at(now, 10, 10),
        ends_at=_at(now, 10, 13),
        venue="Park Technologiczny, sala B",
        address=ADDRESS,
        lead="Praktyczne warsztaty dla gmin, spółdzielni i firm: jak przygotować projekt energetyczny.",
        programme=WORKSHOP_PROGRAMME,
        capacity=12,
        places_taken=0,
    )
    closing = Workshop(
        process=process,
        slug="spotkanie-podsumowujace",
        title="Spotkanie podsumowujące konsultacje",
        kind=WorkshopKind.SUMMARY_MEETING,
        starts_at=_at(now, 25, 17),
        ends_at=_at(now, 25, 19),
        venue=VENUE,
        address=ADDRESS,
        lead="Pokażemy, ile pomysłów zebraliśmy, które trafią do programu i co będzie dalej.",
        programme=(
            "- Wyniki konsultacji w liczbach\n"
            "- Pomysły, które trafiają do programu transformacji\n"
            "- Harmonogram odpowiedzi i wdrażania\n"
            "- Rozmowa z mieszkańcami"
        ),
        capacity=None,
        places_taken=0,
    )
    workshops = [opening, session, online, open_workshop, full_workshop, closing]
    db.session.add_all(workshops)

    groups = []
    for position, (name, description, count) in enumerate(GROUPS):
        group = WorkshopGroup(
            name=name, description=description, position=position, participants_count=count
        )
        session.groups.append(group)
        groups.append(group)
    for position, name in enumerate(["Turystyka i wydarzenia", "Dziedzictwo górnicze"]):
        open_workshop.groups.append(WorkshopGroup(name=name, position=position))
    db.session.flush()

    # Past meetings: who registered and who came.
    # The numbers agree everywhere: the opening meeting's 93 registrations
    # with 86 present (its recorded count, its article), the workshop
    # session's 52 with 48 present (the sum of its groups, its minutes).
    for index in range(93):
        _register(opening, people, RegistrationStatus.CONFIRMED, _at(now, -30 + index % 8, 9),
                  attended=index % 15 != 0)  # fmt: skip
    for index in range(52):
        _register(session, people, RegistrationStatus.CONFIRMED, _at(now, -16 + index % 6, 11),
                  attended=index % 13 != 0)  # fmt: skip
    # Upcoming: a few people on the online meeting and the open workshop.
    for index in range(5):
        _register(
            online, people, RegistrationStatus.CONFIRMED, now - timedelta(days=2, hours=index)
        )
    for index in range(9):
        _register(open_workshop, people, RegistrationStatus.CONFIRMED,
                  now - timedelta(days=3, hours=index),
                  needs="Dostęp dla wózka" if index == 2 else "")  # fmt: skip
    _register(open_workshop, people, RegistrationStatus.UNCONFIRMED, now - timedelta(hours=5))
    # The full workshop: every place taken, two people waiting, one not confirmed yet.
    for index in range(full_workshop.capacity):
        _register(full_workshop, people, RegistrationStatus.CONFIRMED,
                  now - timedelta(days=6, hours=index))  # fmt: skip
    for index in range(2):
        _register(full_workshop, people, RegistrationStatus.WAITING,
                  now - timedelta(days=1, hours=5 - index))  # fmt: skip
    _register(full_workshop, people, RegistrationStatus.UNCONFIRMED, now - timedelta(hours=2))
    for index in range(7):
        _register(
            closing, people, RegistrationStatus.CONFIRMED, now - timedelta(days=1, hours=index)
        )

    # Ideas that came out of the workshop session.
    published_at = session.ends_at + timedelta(days=1)
    supporter = 0
    ideas = []
    for title, category, group_index, supports, description in WORKSHOP_IDEAS:
        idea = Idea(
            process=process,
            category=categories[category],
            source=IdeaSource.WORKSHOP,
            workshop=session,
            workshop_group=groups[group_index],
            title=title,
            description=description,
            status=IdeaStatus.PUBLISHED,
            submitted_at=session.ends_at,
            confirmed_at=session.ends_at,
            published_at=published_at,
            supports_count=supports,
            locale="pl",
        )
        lifecycle.history(
            idea,
            "record",
            None,
            STAFF,
            at=session.ends_at,
            data={
                "title": title,
                "description": description,
                "workshop": session.slug,
                "group": groups[group_index].name,
            },
        )
        lifecycle.history(idea, "publish", IdeaStatus.AWAITING_REVIEW, STAFF,
                          at=published_at)  # fmt: skip
        for _ in range(supports):
            supporter += 1
            db.session.add(
                Support(
                    idea=idea,
                    email=f"popiera-warsztat{supporter}@example.org",
                    created_at=published_at + timedelta(hours=supporter),
                    confirmed_at=published_at + timedelta(hours=supporter, minutes=7),
                )
            )
        db.session.add(idea)
        ideas.append(idea)
    title, category, group_index, description = IDEA_FOR_REVIEW
    waiting_idea = Idea(
        process=process,
        category=categories[category],
        source=IdeaSource.WORKSHOP,
        workshop=session,
        workshop_group=groups[group_index],
        title=title,
        description=description,
        status=IdeaStatus.AWAITING_REVIEW,
        submitted_at=session.ends_at,
        confirmed_at=session.ends_at,
        locale="pl",
    )
    lifecycle.history(waiting_idea, "record", None, STAFF, at=session.ends_at,
                      data={"title": title, "description": description})  # fmt: skip
    db.session.add(waiting_idea)
    db.session.flush()

    ctx["workshops"] = {w.slug: w for w in workshops}
    ctx["workshop_ideas"] = ideas
