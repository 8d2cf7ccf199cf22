"""Hotline staff act on cases by message (pure): parse a command, return its effect.

  认领 / claim  <ref>                 take ownership (one owner at a time)
  备注 / note   <ref> <text>          a note on the timeline
  回复 / reply  <ref> <text>          sent to the reporter on their channel; their answers
                                      come back into the case for a while
  转介 / refer  <ref> 公安|民政|学校|卫健|妇联 (police, civil_affairs, school, health,
                                      womens_federation)
  结案 / close  <ref> <outcome>       close with an outcome
  嫌疑 / suspect <ref> 父亲|母亲|祖辈|无 <reason>  record (or clear) the guardian suspected of
                                      the harm, with the reason (audited)
  案件 / cases                        the active cases; 查看 / show <ref> one case's timeline
  放弃 / unclaim <ref>                give the case back to the queue
  转派 / reassign <ref> <phone|name>  hand it to another staff member (both are told)
  重开 / reopen <ref> <reason>        reopen a closed case

The shell (bot/hotline) routes a staff member's command here (see `is_staff_command`) and
executes the effects; a ref is like C260302-0007. `RELAY` is the state a reporter is in while
a staff reply awaits their answer: each message is acknowledged (the shell forwards it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from content.catalog import Text
from content.normalize import fold
from content.replies import Reply
from dialogs.flow import Answer
from dialogs.types import IDLE, Context, Inbound, Outcome, Role, State

NAME = "hotline_staff"
RELAY_NAME = "hotline_relay"
STAFF_ROLES = frozenset({Role.HOTLINE, Role.SUPERVISOR, Role.ADMIN})
REF_RE = re.compile(r"^c\d{6}-\d{4,}$", re.IGNORECASE)

VERBS: dict[str, str] = {
    "认领": "claim", "claim": "claim", "/claim": "claim",
    "备注": "note", "note": "note", "/note": "note",
    "回复": "reply", "reply": "reply", "/reply": "reply",
    "转介": "refer", "refer": "refer", "/refer": "refer",
    "结案": "close", "close": "close", "/close": "close",
    "嫌疑": "suspect", "suspect": "suspect", "/suspect": "suspect",
    "案件": "cases", "cases": "cases", "/cases": "cases",
    "查看": "show", "show": "show", "/show": "show",
    "放弃": "unclaim", "退回": "unclaim", "unclaim": "unclaim", "/unclaim": "unclaim",
    "转派": "reassign", "改派": "reassign", "reassign": "reassign", "/reassign": "reassign",
    "重开": "reopen", "reopen": "reopen", "/reopen": "reopen",
}  # fmt: skip
AGENCIES: dict[str, str] = {
    "公安": "police", "派出所": "police", "police": "police",
    "民政": "civil_affairs", "civil_affairs": "civil_affairs", "civil": "civil_affairs",
    "学校": "school", "school": "school",
    "卫健": "health", "卫生": "health", "health": "health",
    "妇联": "womens_federation", "women": "womens_federation",
    "womens_federation": "womens_federation",
}  # fmt: skip
RELATIONS: dict[str, str | None] = {
    "父亲": "father", "爸爸": "father", "father": "father",
    "母亲": "mother", "妈妈": "mother", "mother": "mother",
    "祖辈": "grandparent", "爷爷": "grandparent", "奶奶": "grandparent",
    "外公": "grandparent", "外婆": "grandparent", "grandparent": "grandparent",
    "无": None, "none": None, "清除": None,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ClaimCase:
    ref: str


@dataclass(frozen=True, slots=True)
class NoteCase:
    ref: str
    text: str


@dataclass(frozen=True, slots=True)
class ReplyToReporter:
    ref: str
    text: str


@dataclass(frozen=True, slots=True)
class ReferCase:
    ref: str
    agency: str  # police | civil_affairs | school | health | womens_federation


@dataclass(frozen=True, slots=True)
class CloseCase:
    ref: str
    outcome: str


@dataclass(frozen=True, slots=True)
class SetSuspect:
    ref: str
    relation: str | None  # father | mother | grandparent; None clears
    reason: str = ""  # why (required; audited)


@dataclass(frozen=True, slots=True)
class ListCases:
    pass


@dataclass(frozen=True, slots=True)
class ShowCase:
    ref: str


@dataclass(frozen=True, slots=True)
class UnclaimCase:
    ref: str


@dataclass(frozen=True, slots=True)
class ReassignCase:
    ref: str
    to: str  # the staff member's phone or name


@dataclass(frozen=True, slots=True)
class ReopenCase:
    ref: str
    reason: str


StaffEffect = (
    ClaimCase
    | NoteCase
    | ReplyToReporter
    | ReferCase
    | CloseCase
    | SetSuspect
    | ListCases
    | ShowCase
    | UnclaimCase
    | ReassignCase
    | ReopenCase
)


def _verb(text: str) -> tuple[str | None, str]:
    head, _, rest = text.strip().partition(" ")
    verb = VERBS.get(fold(head))
    if verb is None:
        for word, name in VERBS.items():  # 认领C260302-0007: Chinese needs no space
            if not word.isascii() and text.strip().startswith(word):
                return name, text.strip()[len(word) :].strip()
    return verb, rest.strip()


def verb_text(verb: str) -> Text:
    """The verb as the reader types it in their language (认领 in zh_Hans, claim in en)."""
    return Text(f"hotline.verb.{verb}")


def is_staff_command(text: str) -> bool:
    """The text starts with a staff verb (its arguments may still be wrong)."""
    return _verb(text)[0] is not None


def parse(text: str) -> StaffEffect | Reply:
    """The effect for a staff command, or the usage reply explaining what is wrong."""
    verb, rest = _verb(text)
    if verb is None:
        return Reply("hotline.staff.usage")
    if verb == "cases":
        return ListCases()
    ref, _, arg = rest.partition(" ")
    ref, arg = ref.strip().upper(), arg.strip()
    if not REF_RE.match(ref):
        return Reply("hotline.staff.bad_ref", {"verb": verb_text(verb)})
    if verb == "claim":
        return ClaimCase(ref)
    if verb == "show":
        return ShowCase(ref)
    if verb == "unclaim":
        return UnclaimCase(ref)
    if verb == "refer":
        agency = AGENCIES.get(fold(arg))
        if agency is None:
            return Reply("hotline.staff.bad_agency")
        return ReferCase(ref, agency)
    if verb == "suspect":
        word, _, reason = arg.partition(" ")
        key = fold(word)
        if key not in RELATIONS:
            return Reply("hotline.staff.bad_relation")
        if not reason.strip():
            return Reply("hotline.staff.suspect_needs_reason", {"ref": ref})
        return SetSuspect(ref, RELATIONS[key], reason.strip())
    if not arg:
        return Reply("hotline.staff.needs_text", {"verb": verb_text(verb)})
    if verb == "note":
        return NoteCase(ref, arg)
    if verb == "reply":
        return ReplyToReporter(ref, arg)
    if verb == "reassign":
        return ReassignCase(ref, arg)
    if verb == "reopen":
        return ReopenCase(ref, arg)
    return CloseCase(ref, arg)


def _outcome(text: str) -> Outcome:
    parsed = parse(text)
    if isinstance(parsed, Reply):
        return Outcome(IDLE, (parsed,))
    return Outcome(IDLE, (), (parsed,))


class HotlineStaffFlow:
    """One message, one command: the flow never waits for a second message."""

    name = NAME
    roles: frozenset[Role] | None = STAFF_ROLES
    menu_label_key: str | None = None

    def start(self, inbound: Inbound, ctx: Context, args: str) -> Outcome:
        return _outcome(inbound.text)

    def handle(self, state: State, answer: Answer, ctx: Context) -> Outcome:
        return _outcome(answer.text)

    def on_timeout(self, state: State, ctx: Context) -> Outcome:
        return Outcome(IDLE)


class ReporterRelayFlow:
    """A reporter answering a staff reply: acknowledged; the shell forwards the text."""

    name = RELAY_NAME
    roles: frozenset[Role] | None = None
    menu_label_key: str | None = None

    def start(self, inbound: Inbound, ctx: Context, args: str) -> Outcome:
        return Outcome(IDLE)

    def handle(self, state: State, answer: Answer, ctx: Context) -> Outcome:
        return Outcome(IDLE, (Reply("hotline.relay.forwarded"),))

    def on_timeout(self, state: State, ctx: Context) -> Outcome:
        return Outcome(IDLE)


FLOW = HotlineStaffFlow()
RELAY = ReporterRelayFlow()
FLOWS = (FLOW, RELAY)
