"""One child, one file: everything the console knows about a child, gathered once for the
page and for the XLSX export. Cases are included only when the reader's role may see them;
the immunization plan comes from `reminders.immunization.due_doses` as it is."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from typing import Any

from bot.reminders.sources import current_schedule
from bot.web.console.auth import ADMIN, HOTLINE, SUPERVISOR
from bot.web.console.child_labels import ChildLabels
from bot.web.console.routes_people import channel_status
from reminders.immunization import DoseStatus, due_doses
from storage.models import (
    Area,
    Case,
    Child,
    ChildNote,
    DoseGiven,
    Person,
    ReminderAck,
    ReminderDelivery,
    Visit,
)
from storage.repos import people as people_repo
from storage.repos import visit_media
from storage.uow import Work

CASE_ROLES = (ADMIN, HOTLINE, SUPERVISOR)  # who may see cases in the console (routes_cases)
EXPORT_ROLES = (ADMIN, SUPERVISOR)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SHEETS = ("child", "guardians", "visits", "work", "reminders", "vaccines", "cases")
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def neutral(value: Any) -> Any:
    """A cell value a spreadsheet will not run: text starting like a formula gets a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass
class ChildFile:
    child: Child
    area: Area | None
    director: Person | None
    guardians: list[dict[str, Any]] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    deliveries: list[ReminderDelivery] = field(default_factory=list)
    acks: list[ReminderAck] = field(default_factory=list)
    doses: list[DoseGiven] = field(default_factory=list)
    plan: list[DoseStatus] = field(default_factory=list)
    cases: list[Case] | None = None  # None: the reader's role may not see cases
    notes: list[ChildNote] = field(default_factory=list)  # work log, support, problems
    consent_guardian: Person | None = None
    photos: dict[int, list[int]] = field(default_factory=dict)  # visit id -> its photos' ids
    voices: dict[int, list[int]] = field(default_factory=dict)  # visit id -> voice notes' ids
    names: dict[str, str] = field(default_factory=dict)  # actor ("user:zhou") -> a name

    def notes_of(self, kind: str) -> list[ChildNote]:
        return [n for n in self.notes if n.kind == kind]

    def who(self, actor: str | None) -> str:
        """An actor (``person:2``, ``user:zhou``) as people know them: the person's name, or
        the account's person's name, or its username; an actor nobody resolves stays as it is."""
        if not actor:
            return ""
        return self.names.get(actor, actor.removeprefix("user:"))


async def actor_names(w: Work, actors: set[str]) -> dict[str, str]:
    """Names for ``person:<id>`` and ``user:<username>`` actors (others are left out)."""
    return await people_repo.actor_names(w.session, actors)


def sheet_title(text: str, used: set[str]) -> str:
    """An Excel sheet title: at most 31 characters, none of []:*?/\\, unique in the book."""
    base = SHEET_FORBIDDEN.sub(" ", text).strip().strip("'")[:31] or "sheet"
    title, n = base, 2
    while title.lower() in used:
        suffix = f" {n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


async def gather(w: Work, child: Child, role: str, today: date) -> ChildFile:
    session, records = w.session, w.child_records
    area = await session.get(Area, child.area_id)
    director = await session.get(Person, child.director_id) if child.director_id else None
    out = ChildFile(child=child, area=area, director=director)
    for link, person in await records.guardians(child.id):
        channels = await w.directory.addresses_of([person.id])
        out.guardians.append(
            {
                "person": person,
                "relation": link.relation,
                "priority": link.priority,
                "channels": [
                    {"channel": a.channel, "status": channel_status(a, person.do_not_contact)}
                    for a in channels
                ],
            }
        )
    out.visits = await records.visits(child.id)
    for photo in await visit_media.photos_of_child(session, child.id):
        if photo.visit_id is not None:
            kept = out.voices if photo.kind == "voice" else out.photos
            kept.setdefault(photo.visit_id, []).append(photo.id)
    out.deliveries = await records.deliveries(child.id)
    out.acks = await records.acks(child.id)
    out.doses = await records.doses(child.id)
    schedule = await current_schedule(session)
    given = {d.code: d.given_on for d in out.doses}
    out.plan = due_doses(child.birth_date, child.sex, given, today, schedule)
    out.notes = await records.notes(child.id)
    if child.consent_guardian_id is not None:
        out.consent_guardian = await session.get(Person, child.consent_guardian_id)
    if role in CASE_ROLES:
        out.cases = await records.cases(child.id)
    actors = {n.author for n in out.notes}
    if child.consent_recorded_by:
        actors.add(child.consent_recorded_by)
    out.names = await actor_names(w, actors)
    return out


def consent_line(f: ChildFile, t: Any) -> str:
    """ "已登记同意 2026-03-01 · 当面同意 · 监护人：张奶奶 · 记录人：周" (or 未登记同意…)."""
    c = f.child
    if c.consent_at is None:
        return str(t("consent.missing"))
    parts = [f"{t('consent.on_record')} {c.consent_at.date().isoformat()}"]
    if c.consent_method:
        parts.append(t("consent.method." + c.consent_method))
    if f.consent_guardian is not None:
        parts.append(t("childfile.consent_for", name=f.consent_guardian.name))
    if c.consent_recorded_by:
        parts.append(t("childfile.recorded_by", name=f.who(c.consent_recorded_by)))
    return " · ".join(parts)


def workbook(f: ChildFile, t: Any, label: Any, words: ChildLabels) -> bytes:
    """The child's file as XLSX: one sheet per part, in the reader's words as on the page
    (`label(prefix, code)` and `words`: codes the catalog names become their text), every
    text cell neutralised."""
    from openpyxl import Workbook  # openpyxl is imported when a workbook is made (start-up, memory)

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    c = f.child
    used: set[str] = set()

    def titled(name: str) -> str:
        return sheet_title(t("childfile.sheet." + name), used)

    def rows(ws: Any, header: list[str], data: list[list[Any]]) -> None:
        ws.append([neutral(h) for h in header])
        for row in data:
            ws.append([neutral(v) for v in row])

    sheet.title = titled("child")
    rows(
        sheet,
        [t("children.field"), t("children.value")],
        [
            [t("children.code"), c.code],
            [t("children.name"), c.name],
            [t("children.sex"), label("children.sex", c.sex) if c.sex else ""],
            [t("children.birth"), c.birth_date],
            [t("children.area"), f.area.name if f.area else ""],
            [t("children.director"), f.director.name if f.director else ""],
            [
                t("children.categories"),
                "、".join(label("children.cat", str(x)) for x in c.categories or []),
            ],
            [
                t("children.guardianship"),
                label("children.level", c.guardianship_level) if c.guardianship_level else "",
            ],
            [t("children.key"), words.answer("key_child", c.is_key_child)],
            [t("children.next_due"), c.next_visit_due or ""],
            [t("consent.title"), consent_line(f, t)],
        ],
    )
    rows(
        book.create_sheet(titled("guardians")),
        [t("children.name"), t("children.relation"), t("children.channels")],
        [
            [
                g["person"].name,
                words.relation(g["relation"]),
                ", ".join(
                    f"{ch['channel']}: {t('console.channel.' + ch['status'])}"
                    for ch in g["channels"]
                ),
            ]
            for g in f.guardians
        ],
    )
    rows(
        book.create_sheet(titled("visits")),
        [
            t("children.visit_date"),
            t("children.visit_kind"),
            t("children.assessment"),
            t("children.answers"),
            t("children.notes"),
            t("children.flags"),
            t("review.status"),
            t("review.comment"),
        ],
        [
            [
                v.visit_date,
                label("children.kind", v.kind),
                label("children.level", v.assessment),
                "; ".join(
                    f"{words.question(k)}: {words.answer(k, val)}"
                    for k, val in (v.checklist or {}).items()
                ),
                v.notes,
                "、".join(words.flag(str(x)) for x in v.flags or []),
                t("review.status." + v.review_status) if v.review_status else "",
                v.review_comment or "",
            ]
            for v in f.visits
        ],
    )
    rows(
        book.create_sheet(titled("work")),
        [
            t("work.kind"),
            t("work.date"),
            t("work.text"),
            t("work.author"),
            t("work.resolution"),
            t("work.resolved_on"),
        ],
        [
            [
                t("work.kind." + n.kind),
                n.created_at.date(),
                n.text,
                f.who(n.author),
                n.resolution or "",
                n.resolved_at.date() if n.resolved_at else "",
            ]
            for n in f.notes
        ],
    )
    rows(
        book.create_sheet(titled("reminders")),
        [
            t("children.reminder_kind"),
            t("children.reminder_item"),
            t("children.reminder_stage"),
            t("children.due"),
            t("children.status"),
        ],
        [
            [
                words.reminder_kind(d.kind),
                words.reminder_item(d.kind, d.item),
                words.stage(d.stage),
                d.due_date,
                words.delivery_status(d.status),
            ]
            for d in f.deliveries
        ]
        + [
            [
                words.reminder_kind(a.kind),
                words.reminder_item(a.kind, a.item),
                t("children.confirmed"),
                a.acked_at.date(),
                words.ack_source(a.source),
            ]
            for a in f.acks
        ],
    )
    rows(
        book.create_sheet(titled("vaccines")),
        [
            t("children.dose"),
            t("children.given_on"),
            t("childfile.due_on"),
            t("children.earliest"),
            t("children.status"),
        ],
        [
            [
                words.dose(d.code),
                d.given_on or t("children.date_unknown"),
                "",
                "",
                t("children.dose.given"),
            ]
            for d in f.doses
        ]
        + [
            [
                words.dose(p.code),
                "",
                p.due_date,
                p.earliest_allowed,
                t("children.dose." + p.status)
                + (" · " + t("children.catch_up") if p.catch_up else ""),
            ]
            for p in f.plan
        ],
    )
    if f.cases is not None:
        rows(
            book.create_sheet(titled("cases")),
            [t("children.case_ref"), t("children.category"), t("children.status")],
            [
                [k.ref, label("case.category", k.category), label("console.case_status", k.status)]
                for k in f.cases
            ],
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
