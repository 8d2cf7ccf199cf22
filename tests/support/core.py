"""The shipped data the pure core runs with, for tests: read once by the shell's loaders
(bot/core_data.py) and passed in explicitly, as the application does."""

from __future__ import annotations

from bot.core_data import load_core_data, load_reply_words, load_workdays
from dialogs.engine import Engine
from dialogs.flow import Flow
from dialogs.flows import reminder_reply
from dialogs.registry import build_engine
from reminders.replies import ReplyWords
from reminders.workdays import Workdays


def shipped_engine() -> Engine:
    """The engine with every flow and the shipped data (bot/app.py builds the same)."""
    return build_engine(load_core_data())


def reminder_reply_flow() -> Flow:
    return reminder_reply.flow(load_core_data().answer_reminder)


def reply_words() -> ReplyWords:
    return load_reply_words()


def shipped_workdays() -> Workdays:
    """The shipped holiday arrangements, none imported (`bot.core_data.load_workdays`)."""
    return load_workdays()
