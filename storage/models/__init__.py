"""SQLAlchemy 2 models: the one database every message, reminder and case lives in.

One module per area; every schema change is an Alembic migration in
storage/migrations/versions.
"""

from storage.models.audit import AuditEntry
from storage.models.base import Base
from storage.models.console import ConsoleSession, ConsoleUser, ContentState, ContentVersion
from storage.models.messages import Conversation, InboundMessage, OutboxMessage
from storage.models.people import Area, ChannelAddress, Child, GuardianLink, Person

__all__ = [
    "Area",
    "AuditEntry",
    "Base",
    "ChannelAddress",
    "Child",
    "ConsoleSession",
    "ConsoleUser",
    "ContentState",
    "ContentVersion",
    "Conversation",
    "GuardianLink",
    "InboundMessage",
    "OutboxMessage",
    "Person",
]
