"""A case's timeline in words: who (a name, 系统, 报告人 — never `person:2` or `sms:…`) and
what (each detail with a Chinese label and its value translated: 类别 暴力伤害/虐待, 转介机构
公安, 来源 自动筛查 — never `category: violence_abuse; source: screen`). Detail keys with no
label (ids kept for machines) are left out."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from content.catalog import Catalog
from storage.models import CaseEvent
from storage.repos import people

# detail key -> catalog prefix of its values (None: shown as written, a name or a number)
VALUE_PREFIXES: dict[str, str | None] = {
    "category": "case.category",
    "stored_category": "case.category",
    "severity": "case.severity",
    "agency": "console.agency",
    "source": "timeline.source",
    "channel": "timeline.channel",
    "role": "case.reporter",
    "step": "timeline.step",
    "verdict": "screening.verdict",
    "reason": "timeline.reason",
    "by": "timeline.by",
    "level": None,
    "alerted": None,
    "cancelled": None,
    "outcome": None,
}
PERSON_KEYS = frozenset({"person_id", "from", "to", "guardian_id"})
TIME_KEYS = frozenset({"due"})
HIDDEN = frozenset({"text", "matched", "error_code"})
REPORTER_PREFIXES = ("sms:", "telegram:", "console:", "wecom:", "aliyun_sms:", "tencent_sms:")


async def people_named(session: AsyncSession, events: Iterable[CaseEvent]) -> dict[int, str]:
    ids: set[int] = set()
    for e in events:
        if e.actor.startswith("person:") and e.actor[7:].isdigit():
            ids.add(int(e.actor[7:]))
        for key in PERSON_KEYS | {"by"}:
            value = e.detail.get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                ids.add(value)
    if not ids:
        return {}
    return await people.names_of(session, ids)


def timeline_rows(
    events: Iterable[CaseEvent],
    names: Mapping[int, str],
    catalog: Catalog,
    locale: str,
    local: Callable[[datetime, str], str],
    *,
    show_reporter: bool,
) -> list[dict[str, Any]]:
    def t(key: str, fallback: str) -> str:
        return catalog.text(key, locale) if catalog.has(key, locale) else fallback

    def person(value: object) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            return names.get(value) or t("timeline.someone", "—")
        return str(value)

    def actor(raw: str) -> str:
        if raw in ("system", "cli"):
            return t(f"timeline.actor.{raw}", raw)
        if raw.startswith("person:") and raw[7:].isdigit():
            return names.get(int(raw[7:])) or t("timeline.someone", "—")
        if raw.startswith(REPORTER_PREFIXES):
            return t("timeline.actor.reporter", "—") if show_reporter else "—"
        if raw.startswith("user:"):
            return raw[5:]  # a console account's user name
        return raw  # a staff member's name

    def value(key: str, raw: object) -> str:
        if key in PERSON_KEYS:
            return person(raw)
        if key in TIME_KEYS and isinstance(raw, str):
            try:
                return local(datetime.fromisoformat(raw), "%m-%d %H:%M")
            except ValueError:
                return raw
        if key == "by" and isinstance(raw, int) and not isinstance(raw, bool):
            return person(raw)
        prefix = VALUE_PREFIXES.get(key)
        if prefix is not None and isinstance(raw, str):
            return t(f"{prefix}.{raw}", t("timeline.other", raw))
        if isinstance(raw, bool):
            return t("timeline.yes" if raw else "timeline.no", str(raw))
        if isinstance(raw, list):
            return str(len(raw))
        return str(raw)

    rows: list[dict[str, Any]] = []
    for e in events:
        parts = []
        for key, raw in e.detail.items():
            if key in HIDDEN or raw is None or raw == "":
                continue
            if not catalog.has(f"timeline.key.{key}", locale):
                continue  # an id kept for machines
            parts.append(f"{catalog.text(f'timeline.key.{key}', locale)}：{value(key, raw)}")
        rows.append(
            {
                "at": e.at,
                "kind": e.kind,
                "actor": actor(e.actor),
                "detail": "；".join(parts),
                "text": e.detail.get("text"),
            }
        )
    return rows
