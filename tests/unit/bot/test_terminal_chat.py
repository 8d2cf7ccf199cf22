"""`careline chat` (a new user's cold trial): what the chat shows first, what it shows later,
and its log file, which is removed at the end unless a warning or an error was logged."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.terminal_chat import news, quiet_logs, waiting
from bot.web.simulator import SimulatorLine


def lines(spec: str) -> list[SimulatorLine]:
    """ "o1:sent i2 o3:queued" → the conversation in that order (i = in, o = out:status)."""
    found = []
    for word in spec.split():
        direction = "in" if word[0] == "i" else "out"
        status = word.split(":")[1] if ":" in word else "received"
        found.append(
            SimulatorLine(
                id=f"{direction}-{word[1:].split(':')[0]}",
                direction=direction,
                text=word,
                buttons=[],
                at="2026-12-03T10:00:00+00:00",
                status=status,
            )
        )
    return found


def ids(shown: list[SimulatorLine]) -> list[str]:
    return [line.id for line in shown]


@pytest.mark.parametrize(
    ("conversation", "answers", "shown_first", "not_seen"),
    [
        ("", set(), [], set()),
        # nobody ever wrote: every message sent to them is waiting (the demo's reminders)
        ("o1:sent o2:sent", set(), ["out-1", "out-2"], set()),
        # they wrote after o1: they had it in front of them; o3 and o4 reached them later
        ("o1:sent i2 o3:sent o4:sent", set(), ["out-3", "out-4"], set()),
        ("o1:sent o2:sent i3", set(), [], set()),
        # o3 answers i2: whoever sent i2 saw it (the chat, the simulator page)
        ("o1:sent i2 o3:sent o4:sent", {"out-3"}, ["out-4"], set()),
        # not sent yet (a reminder held for the morning, a row being sent): shown when sent
        ("o1:queued o2:sent", set(), ["out-2"], {"out-1"}),
        ("o1:sending i2 o3:queued", set(), [], {"out-1", "out-3"}),
        # never reached them: not shown, and never looked at again
        ("o1:suppressed o2:cancelled o3:failed o4:sent", set(), ["out-4"], set()),
    ],
)  # fmt: skip
def test_at_the_start_what_reached_them_since_they_last_wrote(
    conversation: str, answers: set[str], shown_first: list[str], not_seen: set[str]
) -> None:
    conv = lines(conversation)
    shown, seen = waiting(conv, answers)
    assert ids(shown) == shown_first
    assert {line.id for line in conv} - seen == not_seen


@pytest.mark.parametrize(
    ("conversation", "seen_before", "shown", "still_unseen"),
    [
        ("o1:sent o2:sent", {"out-1"}, ["out-2"], set()),
        ("i1 o2:sent", set(), ["out-2"], set()),  # their own message is never printed
        ("o1:queued o2:sent", set(), ["out-2"], {"out-1"}),  # o1: on a later poll
        ("o1:suppressed", set(), [], set()),
    ],
)  # fmt: skip
def test_later_each_sent_message_once(
    conversation: str, seen_before: set[str], shown: list[str], still_unseen: set[str]
) -> None:
    conv = lines(conversation)
    seen = set(seen_before)
    assert ids(news(conv, seen)) == shown
    assert {line.id for line in conv} - seen == still_unseen
    assert news(conv, seen) == []  # a second poll shows nothing again


@pytest.mark.parametrize(
    ("level", "crashed", "kept"),
    [
        (None, False, False),
        (logging.INFO, False, False),
        (logging.WARNING, False, True),
        (logging.ERROR, False, True),
        (logging.INFO, True, True),  # the chat ended with an error: the lines before it
    ],
)  # fmt: skip
def test_the_log_file_is_removed_unless_a_warning_or_error_was_logged(
    tmp_path: Path, level: int | None, crashed: bool, kept: bool
) -> None:
    root = logging.getLogger()
    handlers_before = list(root.handlers)
    chat_log = quiet_logs(str(tmp_path))
    assert chat_log.path.parent == tmp_path and chat_log.path.name.startswith("careline-chat-")
    logging.getLogger("apscheduler.scheduler").info("Adding job tentatively")
    if level is not None:
        logging.getLogger("bot.chat_test").log(level, "a line at %s", level)
    written = chat_log.path.read_text(encoding="utf-8")
    assert "Adding job tentatively" not in written  # the chat runs no scheduler
    assert chat_log.finish(keep=crashed) == (chat_log.path if kept else None)
    assert list(tmp_path.iterdir()) == ([chat_log.path] if kept else [])
    assert root.handlers == handlers_before  # the terminal's (here pytest's) handlers back
