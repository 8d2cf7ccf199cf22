"""Roster files (CSV or XLSX): read, then check row by row before anything is written.

One table, one row per record, the first column says what the row is (see docs/console.md):
kind = area | director | child | guardian. Natural keys make re-uploads idempotent:
areas by code, people by phone, children by (village code, child code).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.phones import is_valid, to_e164
from bot.web.console import roster_columns as extra
from bot.web.console.cells import safe_row
from content.errors import InputError
from content.locales import SUPPORTED_LOCALES

COLUMNS = (
    "kind", "code", "name", "level", "parent", "phone", "locale", "area",
    "display_name", "sex", "birth_date", "director_phone", "child", "relation",
    *extra.COLUMNS,
    "wecom_userid",  # a director's WeCom user id (bot/mainland): optional
)  # fmt: skip
KINDS = ("area", "director", "child", "guardian")
LEVELS = ("county", "township", "village")
RELATIONS = ("mother", "father", "grandparent", "sibling", "relative", "entrusted", "other")
EXAMPLE = (
    ("area", "C01", "示例县", "county", "", "", "", "", "", "", "", "", "", "",
     "530102", "", "", "", "", ""),
    ("area", "T01", "示例镇", "township", "C01", "", "", "", "", "", "", "", "", "",
     "", "", "", "", "", ""),
    ("area", "V01", "北村", "village", "T01", "", "", "", "", "", "", "", "", "",
     "", "", "", "", "", ""),
    ("director", "", "孙主任", "", "", "13800000102", "zh_Hans", "V01", "", "", "", "", "", "",
     "", "", "", "", "", "sunzhuren"),
    ("child", "A01", "周小明", "", "", "", "", "V01", "小明", "m", "2018-05-04",
     "13800000102", "", "", "", "留守、困境", "是", "2025-09-01", "否", ""),
    ("guardian", "", "周奶奶", "", "", "13800000111", "zh_Hans", "V01", "", "", "", "", "A01",
     "grandparent", "", "", "", "", "", ""),
)  # fmt: skip
_WECOM_ID = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_CN = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")

Problem = tuple[str, dict[str, Any]]  # catalog key, params


class RosterFileError(InputError, ValueError):
    pass


@dataclass
class RosterRow:
    number: int  # the row number a spreadsheet shows (header = 1)
    kind: str
    values: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    action: str = "create"  # create | update | error
    parsed: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def label(self) -> str:
        v = self.values
        if self.kind in ("director", "guardian"):
            return v.get("name", "")
        return (
            f"{v.get('area', '')}/{v.get('code', '')}"
            if self.kind == "child"
            else v.get("code", "")
        )


@dataclass
class Known:
    """What the database holds already, to tell unknown areas and duplicates apart."""

    areas: dict[str, str] = field(default_factory=dict)  # code -> level
    people: dict[str, tuple[str, str]] = field(default_factory=dict)  # phone -> (role, name)
    children: set[tuple[str, str]] = field(default_factory=set)  # (village code, child code)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(filename: str, data: bytes) -> list[dict[str, str]]:
    """Rows as dicts keyed by the known column names (unknown columns are ignored)."""
    if filename.lower().endswith(".xlsx"):
        # openpyxl is imported when a workbook is read (start-up, memory)
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise RosterFileError("not a readable .xlsx workbook") from exc
        raw = [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("gb18030", errors="replace")
        raw = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    if not raw:
        raise RosterFileError("the file is empty")
    header = [h.strip().lower() for h in raw[0]]
    if "kind" not in header:
        raise RosterFileError("the first row must be the header, with a 'kind' column")
    return [
        {name: (row[i] if i < len(row) else "") for i, name in enumerate(header) if name in COLUMNS}
        for row in raw[1:]
    ]


def parse_date(raw: str) -> tuple[date | None, Problem | None]:
    raw = raw.strip()
    if not raw:
        return None, ("console.roster.err.date_missing", {})
    m = _ISO.match(raw) or _CN.match(raw)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3])), None
        m = _DMY.match(raw)
        if m:
            a, b, y = int(m[1]), int(m[2]), int(m[3])
            if a <= 12 and b <= 12 and a != b:
                return None, ("console.roster.err.date_ambiguous", {"value": raw})
            day, month = (a, b) if a > 12 or a == b else (b, a)
            return date(y, month, day), None
    except ValueError:
        pass
    return None, ("console.roster.err.date_bad", {"value": raw})


def template_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(safe_row(row) for row in EXAMPLE)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    from openpyxl import Workbook  # openpyxl is imported when a workbook is made (start-up, memory)

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "roster"
    sheet.append(list(COLUMNS))
    for row in EXAMPLE:
        sheet.append(safe_row(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _phone(row: RosterRow, column: str) -> str | None:
    raw = row.values.get(column, "")
    phone = to_e164(raw) if raw else None
    if phone is None or not is_valid(phone):
        row.problems.append(("console.roster.err.phone", {"value": raw}))
        return None
    return phone


def check_rows(rows: list[dict[str, str]], known: Known, today: date) -> list[RosterRow]:
    """The dry run: every row with its problems and what the import would do."""
    areas = dict(known.areas)
    people = dict(known.people)
    children = set(known.children)
    seen_people: set[str] = set()
    seen_children: set[tuple[str, str]] = set()
    seen_areas: set[str] = set()
    report: list[RosterRow] = []
    for index, values in enumerate(rows, start=2):
        kind = values.get("kind", "").strip().lower()
        if not any(values.values()):
            continue
        row = RosterRow(index, kind, values)
        report.append(row)
        v = values
        if kind == "area":
            code, level, parent = v.get("code", ""), v.get("level", "").lower(), v.get("parent", "")
            if not code or not v.get("name"):
                row.problems.append(("console.roster.err.required", {"columns": "code, name"}))
            if level not in LEVELS:
                row.problems.append(("console.roster.err.level", {"value": v.get("level", "")}))
            if parent and parent not in areas:
                row.problems.append(("console.roster.err.area", {"value": parent}))
            if code in seen_areas:
                row.problems.append(("console.roster.err.duplicate", {"value": code}))
            seen_areas.add(code)
            region, problem = extra.region_code(v.get("region_code", ""))
            if problem:
                row.problems.append(problem)
            row.parsed = {"region_code": region}
            row.action = "update" if code in known.areas else "create"
            if row.ok:
                areas[code] = level
        elif kind in ("director", "guardian"):
            phone = _phone(row, "phone")
            area = v.get("area", "")
            if not v.get("name"):
                row.problems.append(("console.roster.err.required", {"columns": "name"}))
            if area not in areas:
                row.problems.append(("console.roster.err.area", {"value": area}))
            locale = v.get("locale") or "zh_Hans"
            if locale not in SUPPORTED_LOCALES:
                row.problems.append(("console.roster.err.locale", {"value": locale}))
            if phone is not None:
                if phone in seen_people:
                    row.problems.append(("console.roster.err.duplicate", {"value": v["phone"]}))
                elif phone in known.people and known.people[phone][0] != kind:
                    row.problems.append(("console.roster.err.other_role", {"value": v["phone"]}))
                seen_people.add(phone)
                row.action = "update" if phone in known.people else "create"
            child_key = (area, v.get("child", ""))
            if kind == "guardian":
                if child_key not in children:
                    row.problems.append(
                        ("console.roster.err.child", {"value": "/".join(child_key)})
                    )
                if v.get("relation", "other") not in RELATIONS:
                    row.problems.append(("console.roster.err.relation", {"value": v["relation"]}))
            wecom = v.get("wecom_userid", "").strip()
            if wecom and (kind != "director" or not _WECOM_ID.match(wecom)):
                row.problems.append(("console.roster.err.wecom", {"value": wecom}))
            row.parsed = {"phone": phone, "locale": locale, "child": child_key}
            if row.ok and phone is not None:
                people[phone] = (kind, v.get("name", ""))
        elif kind == "child":
            code, area = v.get("code", ""), v.get("area", "")
            if not code or not v.get("name"):
                row.problems.append(("console.roster.err.required", {"columns": "code, name"}))
            if areas.get(area) != "village":
                row.problems.append(("console.roster.err.village", {"value": area}))
            born, problem = parse_date(v.get("birth_date", ""))
            if problem:
                row.problems.append(problem)
            elif born is not None and born > today:
                row.problems.append(("console.roster.err.date_future", {"value": v["birth_date"]}))
            if v.get("sex", "").lower() not in ("", "f", "m"):
                row.problems.append(("console.roster.err.sex", {"value": v["sex"]}))
            director = to_e164(v.get("director_phone", "")) if v.get("director_phone") else None
            if v.get("director_phone") and people.get(director or "", ("",))[0] != "director":
                row.problems.append(("console.roster.err.director", {"value": v["director_phone"]}))
            if (area, code) in seen_children:
                row.problems.append(("console.roster.err.duplicate", {"value": f"{area}/{code}"}))
            seen_children.add((area, code))
            row.action = "update" if (area, code) in known.children else "create"
            extras, problems = extra.child_extras(v, today, parse_date)
            row.problems += problems
            row.parsed = {"birth_date": born, "director": director, **extras}
            if row.ok:
                children.add((area, code))
        else:
            row.problems.append(("console.roster.err.kind", {"value": kind}))
        if row.problems:
            row.action = "error"
    return report
