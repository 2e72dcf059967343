"""What the consultation report says: every figure and list, read once.

Only public facts: published ideas and their titles, published meetings,
head counts and counts by participant group. No name or address of anyone
appears in the report, so a frozen version keeps no personal data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from app.directions import lifecycle as direction_lifecycle
from app.directions import services as directions
from app.extensions import db
from app.ideas.lifecycle import public_status_label, source_label
from app.models import (
    Category,
    Idea,
    IdeaAnswer,
    IdeaSource,
    IdeaStatus,
    ParticipantGroup,
    Phase,
    Process,
    Registration,
    RegistrationStatus,
    ResultStatus,
    Video,
    Workshop,
    WorkshopGroup,
    utcnow,
)
from app.results.stats import Stats, collect
from app.videos import services as videos
from app.workshops.display import kind_label
from app.workshops.forms import participant_group_labels

# The most supported ideas listed, and the ideas listed under each answer status.
TOP_IDEAS = 10
IDEAS_PER_STATUS = 30
# Statuses that carry an official answer (the others wait for one).
ANSWERED_STATUSES = (
    ResultStatus.UNDER_ANALYSIS,
    ResultStatus.ACCEPTED,
    ResultStatus.IN_PROGRESS,
    ResultStatus.IMPLEMENTED,
    ResultStatus.NOT_PURSUED,
)


@dataclass
class Row:
    """One bar of a chart and one line of its table."""

    label: str
    value: int
    href: str | None = None
    short: str | None = None  # on the chart, when the label is long and alike

    @property
    def chart_label(self) -> str:
        return self.short or self.label


@dataclass
class Meeting:
    slug: str
    title: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    held: bool
    ideas: int
    participants: int | None  # the head count, once held
    by_group: list[Row] = field(default_factory=list)  # registered and present, by group


@dataclass
class IdeaLine:
    id: int
    title: str
    slug: str
    category: str
    source: str
    supports: int
    status: str
    progress: int


@dataclass
class StatusGroup:
    status: str
    label: str
    total: int
    ideas: list[IdeaLine]


@dataclass
class DirectionIdeaLine:
    id: int
    title: str
    slug: str
    note: str
    source: str  # "Formularz", or the meeting and its working group


@dataclass
class ApplicationLine:
    programme: str
    call: str
    applicant: str
    requested: Decimal
    granted: Decimal | None
    status: str
    submitted_on: object
    decided_on: object
    note: str


@dataclass
class DirectionPart:
    slug: str
    title: str
    status: str
    status_reason: str | None
    responsible_unit: str
    ideas: list[DirectionIdeaLine]
    applications: list[ApplicationLine]
    totals: directions.Totals


@dataclass
class MoneyRow:
    label: str
    value: Decimal

    @property
    def chart_label(self) -> str:
        return self.label


@dataclass
class Recording:
    slug: str
    title: str
    meeting: str | None
    meeting_starts_at: datetime | None
    published_at: datetime | None
    duration_s: int
    captions: list[str]
    plays: int


@dataclass
class Report:
    process: Process
    generated_at: datetime
    stats: Stats
    phases: list[Phase]
    meetings: list[Meeting]
    attendance_by_group: list[Row]
    ideas_by_source: list[Row]
    ideas_by_category: list[Row]
    ideas_by_status: list[Row]
    top_ideas: list[IdeaLine]
    answered: list[StatusGroup]
    answered_total: int
    directions: list[DirectionPart] = field(default_factory=list)
    direction_totals: directions.Totals | None = None
    ideas_by_direction: list[Row] = field(default_factory=list)
    requested_by_programme: list[MoneyRow] = field(default_factory=list)
    granted_by_programme: list[MoneyRow] = field(default_factory=list)
    recordings: list[Recording] = field(default_factory=list)

    @property
    def ideas_in_directions(self) -> int:
        """Published ideas taken up by at least one direction (each once)."""
        return len({idea.id for part in self.directions for idea in part.ideas})


def build(process: Process, now: datetime | None = None) -> Report:
    """Everything the report shows about *process*, as of *now*."""
    now = now or utcnow()
    stats = collect(process.id, now)
    meetings = _meetings(process, stats, now)
    public_directions = directions.load_public(process.id)
    direction_parts = _directions(public_directions)
    programmes = directions.money_by_programme(process.id)
    return Report(
        process=process,
        generated_at=now,
        stats=stats,
        phases=list(
            db.session.scalars(
                select(Phase)
                .where(Phase.process_id == process.id)
                .order_by(Phase.position, Phase.starts_on, Phase.id)
            )
        ),
        meetings=meetings,
        attendance_by_group=_attendance_totals(meetings),
        ideas_by_source=_ideas_by_source(process),
        ideas_by_category=[Row(name, n) for _slug, name, n in stats.by_category],
        ideas_by_status=[Row(public_status_label(s), n) for s, n in stats.by_status],
        top_ideas=_top_ideas(process),
        answered=_answered(process),
        answered_total=_answered_total(process),
        directions=direction_parts,
        direction_totals=directions.totals([a for d in public_directions for a in d.applications]),
        ideas_by_direction=[Row(d.title, len(d.ideas)) for d in direction_parts],
        requested_by_programme=[MoneyRow(name, req) for name, req, _ in programmes],
        granted_by_programme=[MoneyRow(name, gra) for name, _, gra in programmes if gra],
        recordings=_recordings(process, now),
    )


def _published(process: Process) -> list:
    return [Idea.process_id == process.id, Idea.status == IdeaStatus.PUBLISHED]


def _meetings(process: Process, stats: Stats, now: datetime) -> list[Meeting]:
    """Published meetings in date order, with ideas, head count and, once
    held, the registered people present by participant group (the head
    count may be larger: it includes those who came without registering)."""
    counts = {w.slug: w for w in stats.workshops}
    workshops = db.session.scalars(
        select(Workshop)
        .where(Workshop.process_id == process.id, Workshop.published.is_(True))
        .order_by(Workshop.starts_at, Workshop.id)
    ).all()
    present: dict[int, dict[str, int]] = {}
    for workshop_id, group, n in db.session.execute(
        select(
            Registration.workshop_id, Registration.participant_group, func.count(Registration.id)
        )
        .join(Workshop, Workshop.id == Registration.workshop_id)
        .where(
            Workshop.process_id == process.id,
            Workshop.ends_at <= now,
            Registration.status == RegistrationStatus.CONFIRMED,
            or_(Registration.attended.is_(None), Registration.attended.is_(True)),
        )
        .group_by(Registration.workshop_id, Registration.participant_group)
    ):
        present.setdefault(workshop_id, {})[group] = int(n)
    labels = participant_group_labels()
    result = []
    for workshop in workshops:
        count = counts.get(workshop.slug)
        groups = present.get(workshop.id, {})
        result.append(
            Meeting(
                slug=workshop.slug,
                title=workshop.title,
                kind=kind_label(workshop.kind),
                starts_at=workshop.starts_at,
                ends_at=workshop.ends_at,
                held=workshop.ends_at <= now,
                ideas=count.ideas if count else 0,
                participants=count.participants if count else None,
                by_group=[
                    Row(str(labels[group]), groups[group])
                    for group in ParticipantGroup
                    if groups.get(group)
                ],
            )
        )
    return result


def _attendance_totals(meetings: list[Meeting]) -> list[Row]:
    totals: dict[str, int] = {}
    for meeting in meetings:
        for row in meeting.by_group:
            totals[row.label] = totals.get(row.label, 0) + row.value
    order = [str(label) for label in participant_group_labels().values()]
    return [Row(label, totals[label]) for label in order if totals.get(label)]


def _ideas_by_source(process: Process) -> list[Row]:
    """The form, then each meeting's working groups (and its ideas without
    a group), then the organiser's own ideas."""
    published = _published(process)
    by_source = dict(
        db.session.execute(
            select(Idea.source, func.count(Idea.id)).where(*published).group_by(Idea.source)
        ).all()
    )
    rows = [Row(source_label(IdeaSource.FORM), int(by_source.get(IdeaSource.FORM, 0)))]
    for title, group, n in db.session.execute(
        select(Workshop.title, WorkshopGroup.name, func.count(Idea.id))
        .join(Workshop, Workshop.id == Idea.workshop_id)
        .outerjoin(WorkshopGroup, WorkshopGroup.id == Idea.workshop_group_id)
        .where(*published)
        .group_by(
            Workshop.id, Workshop.title, Workshop.starts_at, WorkshopGroup.id,
            WorkshopGroup.name, WorkshopGroup.position,
        )
        .order_by(Workshop.starts_at, Workshop.id, WorkshopGroup.position, WorkshopGroup.id)
    ):  # fmt: skip
        label = (
            _("%(meeting)s – grupa „%(group)s”", meeting=title, group=group)
            if group
            else _("%(meeting)s – bez grupy roboczej", meeting=title)
        )
        rows.append(Row(label, int(n), short=f"„{group}”" if group else title))
    # Ideas marked as from a meeting without naming one.
    linked = sum(row.value for row in rows[1:])
    unnamed = int(by_source.get(IdeaSource.WORKSHOP, 0)) - linked
    if unnamed > 0:
        rows.append(Row(_("Spotkania (bez wskazania spotkania)"), unnamed))
    rows.append(Row(source_label(IdeaSource.STAFF), int(by_source.get(IdeaSource.STAFF, 0))))
    return rows


def _idea_lines(query) -> list[IdeaLine]:  # noqa: ANN001
    return [
        IdeaLine(
            id=idea.id,
            title=idea.title,
            slug=idea.slug,
            category=category,
            source=source_label(idea.source),
            supports=idea.supports_count,
            status=public_status_label(idea.result_status),
            progress=idea.progress,
        )
        for idea, category in db.session.execute(query)
    ]


def _top_ideas(process: Process) -> list[IdeaLine]:
    return _idea_lines(
        select(Idea, Category.name)
        .join(Category, Category.id == Idea.category_id)
        .where(*_published(process), Idea.supports_count > 0)
        .order_by(Idea.supports_count.desc(), Idea.published_at, Idea.id)
        .limit(TOP_IDEAS)
    )


def _answered(process: Process) -> list[StatusGroup]:
    published = _published(process)
    counts = dict(
        db.session.execute(
            select(Idea.result_status, func.count(Idea.id))
            .where(*published)
            .group_by(Idea.result_status)
        ).all()
    )
    groups = []
    for status in ANSWERED_STATUSES:
        total = int(counts.get(status, 0))
        if not total:
            continue
        ideas = _idea_lines(
            select(Idea, Category.name)
            .join(Category, Category.id == Idea.category_id)
            .where(*published, Idea.result_status == status)
            .order_by(Idea.progress.desc(), Idea.supports_count.desc(), Idea.title, Idea.id)
            .limit(IDEAS_PER_STATUS)
        )
        groups.append(StatusGroup(str(status), public_status_label(status), total, ideas))
    return groups


def _answered_total(process: Process) -> int:
    """Published ideas with at least one official answer."""
    return int(
        db.session.scalar(
            select(func.count(func.distinct(IdeaAnswer.idea_id)))
            .join(Idea, Idea.id == IdeaAnswer.idea_id)
            .where(*_published(process))
        )
        or 0
    )


def _idea_source(idea: Idea) -> str:
    if idea.workshop is not None:
        if idea.workshop_group is not None:
            return _("%(meeting)s – grupa „%(group)s”", meeting=idea.workshop.title,
                     group=idea.workshop_group.name)  # fmt: skip
        return idea.workshop.title
    return source_label(idea.source)


def _directions(public: list) -> list[DirectionPart]:
    """The consultation's public directions in the organiser's order, each
    with the published ideas it takes up (and where they came from) and
    its funding applications with their totals."""
    parts = []
    for direction in public:
        parts.append(
            DirectionPart(
                slug=direction.slug,
                title=direction.title,
                status=direction_lifecycle.status_label(direction.status),
                status_reason=direction.status_reason
                if direction.status in direction_lifecycle.STOPPED
                else None,
                responsible_unit=direction.responsible_unit,
                ideas=[
                    DirectionIdeaLine(
                        id=link.idea.id,
                        title=link.idea.title,
                        slug=link.idea.slug,
                        note=link.note,
                        source=_idea_source(link.idea),
                    )
                    for link in directions.public_links(direction)
                ],
                applications=[
                    ApplicationLine(
                        programme=application.programme,
                        call=application.call_number,
                        applicant=application.applicant,
                        requested=application.amount_requested,
                        granted=application.amount_granted,
                        status=direction_lifecycle.application_label(application.status),
                        submitted_on=application.submitted_on,
                        decided_on=application.decided_on,
                        note=application.public_note,
                    )
                    for application in direction.applications
                ],
                totals=directions.totals(direction.applications),
            )
        )
    return parts


def _recordings(process: Process, now: datetime) -> list[Recording]:
    """Published videos of the consultation readers can watch now: the
    recordings of its meetings first, in meeting order, then the others."""
    rows = db.session.scalars(
        select(Video)
        .outerjoin(Workshop, Workshop.id == Video.workshop_id)
        .where(videos.visible(now), Video.process_id == process.id)
        .order_by(Workshop.starts_at.is_(None), Workshop.starts_at, Video.published_at, Video.id)
    ).all()
    return [
        Recording(
            slug=video.slug,
            title=video.title,
            meeting=video.workshop.title if video.workshop else None,
            meeting_starts_at=video.workshop.starts_at if video.workshop else None,
            published_at=video.published_at,
            duration_s=video.duration_s,
            captions=video.caption_langs,
            plays=video.plays,
        )
        for video in rows
    ]
