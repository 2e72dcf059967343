"""All models, imported here so Alembic and the app see the whole schema."""

from app.models.article import (
    Article,
    ArticleRevision,
    ArticleSlugRedirect,
    ArticleStatus,
    ArticleView,
    Tag,
)
from app.models.audit import AuditEntry
from app.models.base import utcnow
from app.models.comment import (
    Comment,
    CommentAlert,
    CommenterBrowser,
    CommentModeration,
    CommentReport,
    CommentStatus,
)
from app.models.direction import (
    ApplicationStatus,
    Direction,
    DirectionEvent,
    DirectionIdea,
    DirectionMailOptOut,
    DirectionStatus,
    FundingApplication,
    Milestone,
)
from app.models.follow import FollowCadence, Follower, FollowSubscription
from app.models.idea import (
    Attachment,
    Idea,
    IdeaAnswer,
    IdeaEvent,
    IdeaSource,
    IdeaStatus,
    Report,
    ResultStatus,
    Support,
)
from app.models.moderation import DigestDelivery, ReplyTemplate
from app.models.newsletter import Newsletter, NewsletterRecipient, NewsletterStatus
from app.models.notice import Notice, NoticeCadence
from app.models.outbox import OutboxMessage, OutboxStatus, UndeliverableAddress
from app.models.process import Category, Phase, Process
from app.models.report import FrozenReport
from app.models.security import RecoveryCode
from app.models.site import ContentVersion
from app.models.user import Role, User
from app.models.video import (
    Video,
    VideoCaption,
    VideoChapter,
    VideoDailyPlays,
    VideoPlay,
    VideoSource,
    VideoStatus,
)
from app.models.workshop import (
    ParticipantGroup,
    Registration,
    RegistrationStatus,
    Workshop,
    WorkshopGroup,
    WorkshopKind,
)

__all__ = [
    "ApplicationStatus",
    "Direction",
    "DirectionEvent",
    "DirectionIdea",
    "DirectionMailOptOut",
    "DirectionStatus",
    "FundingApplication",
    "Milestone",
    "Article",
    "ArticleRevision",
    "ArticleSlugRedirect",
    "ArticleStatus",
    "ArticleView",
    "Attachment",
    "AuditEntry",
    "Category",
    "Comment",
    "CommentAlert",
    "CommentModeration",
    "CommentReport",
    "CommentStatus",
    "CommenterBrowser",
    "ContentVersion",
    "DigestDelivery",
    "FollowCadence",
    "FollowSubscription",
    "Follower",
    "FrozenReport",
    "Idea",
    "IdeaAnswer",
    "IdeaEvent",
    "IdeaSource",
    "IdeaStatus",
    "Notice",
    "NoticeCadence",
    "Newsletter",
    "NewsletterRecipient",
    "NewsletterStatus",
    "OutboxMessage",
    "OutboxStatus",
    "ParticipantGroup",
    "Phase",
    "Process",
    "RecoveryCode",
    "Registration",
    "RegistrationStatus",
    "ReplyTemplate",
    "Report",
    "ResultStatus",
    "Role",
    "Support",
    "Tag",
    "UndeliverableAddress",
    "User",
    "Video",
    "VideoCaption",
    "VideoChapter",
    "VideoDailyPlays",
    "VideoPlay",
    "VideoSource",
    "VideoStatus",
    "Workshop",
    "WorkshopGroup",
    "WorkshopKind",
    "utcnow",
]
