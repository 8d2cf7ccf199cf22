"""SQLAlchemy 2 models: the one database every message, reminder and case lives in.

One module per area; every schema change is an Alembic migration in
storage/migrations/versions.
"""

from storage.models.audit import AuditEntry
from storage.models.base import Base
from storage.models.cases import Case, CaseEvent, LexiconEntry, StaffShift
from storage.models.child_file import ChildNote
from storage.models.console import (
    ConsoleSession,
    ConsoleUser,
    ContentState,
    ContentVersion,
    LoginThrottle,
)
from storage.models.mainland import ProviderToken, SmsReceipt, SmsTemplate, SmsTemplateVersion
from storage.models.messages import (
    Conversation,
    InboundMessage,
    OutboxMessage,
    TelegramFailedUpdate,
)
from storage.models.people import Area, ChannelAddress, Child, GuardianLink, Person
from storage.models.reminders import (
    CalendarOverride,
    DoseGiven,
    HolidayArrangement,
    ImmunizationEdition,
    PlannerMark,
    ReminderAck,
    ReminderDelivery,
)
from storage.models.screening import ScreenLabel, ScreenModelRow
from storage.models.visits import Visit, VisitDraft, VisitMedia

__all__ = [
    "Area",
    "AuditEntry",
    "Base",
    "CalendarOverride",
    "Case",
    "CaseEvent",
    "ChannelAddress",
    "Child",
    "ChildNote",
    "ConsoleSession",
    "ConsoleUser",
    "ContentState",
    "ContentVersion",
    "Conversation",
    "DoseGiven",
    "GuardianLink",
    "HolidayArrangement",
    "ImmunizationEdition",
    "InboundMessage",
    "LexiconEntry",
    "LoginThrottle",
    "OutboxMessage",
    "Person",
    "PlannerMark",
    "ProviderToken",
    "ReminderAck",
    "ReminderDelivery",
    "ScreenLabel",
    "ScreenModelRow",
    "SmsReceipt",
    "SmsTemplate",
    "SmsTemplateVersion",
    "StaffShift",
    "TelegramFailedUpdate",
    "Visit",
    "VisitDraft",
    "VisitMedia",
]
