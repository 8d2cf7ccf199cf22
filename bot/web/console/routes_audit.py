"""The audit viewer, for administrators: filter the append-only log by actor, action, subject
type and id, and day range (UTC), newest first; export the same selection as CSV with
formula-looking cells neutralised. Each export is itself audited."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.console.auth import ADMIN, Principal, app_of, requires
from bot.web.console.child_file import neutral
from bot.web.console.pages import ConsoleRoute, catalog_of, locale_of, page
from storage.models import AuditEntry
from storage.repos import audit
from storage.uow import unit_of_work

Admin = Annotated[Principal, Depends(requires(ADMIN))]
PAGE_ROWS = 200
EXPORT_ROWS = 100_000
FIELDS = ("actor", "action", "subject_type", "subject_id", "child", "since", "until")


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


@dataclass(frozen=True)
class Criteria:
    equal: dict[str, str]
    since: datetime | None
    before: datetime | None
    child: str = ""  # a child's code or id: its entries and those of its visits


def _query(f: dict[str, str]) -> tuple[Criteria, list[str]]:
    """The selection and the names of filters that could not be read (bad dates)."""
    equal = {name: f.get(name, "").strip() for name in audit.FILTERABLE}
    bounds: dict[str, datetime | None] = {"since": None, "until": None}
    bad: list[str] = []
    for name in ("since", "until"):
        raw = f.get(name, "")
        day = _day(raw)
        if raw.strip() and day is None:
            bad.append(name)
        elif day is not None:
            start = datetime.combine(day, time(), UTC)
            bounds[name] = start if name == "since" else start + timedelta(days=1)
    return Criteria(equal, bounds["since"], bounds["until"], f.get("child", "").strip()), bad


async def _rows(session: AsyncSession, c: Criteria, limit: int) -> list[AuditEntry]:
    subjects = await audit.child_subjects(session, c.child) if c.child else None
    return await audit.entries(
        session, equal=c.equal, since=c.since, before=c.before, subjects=subjects, limit=limit
    )


async def _choices(session: AsyncSession) -> dict[str, list[str]]:
    return {name: await audit.distinct_values(session, name) for name in ("action", "subject_type")}


def _filters(
    actor: str = "",
    action: str = "",
    subject_type: str = "",
    subject_id: str = "",
    child: str = "",
    since: str = "",
    until: str = "",
) -> dict[str, str]:
    """The viewer's and the export's filters, from the query string (one dependency)."""
    values = (actor, action, subject_type, subject_id, child, since, until)
    return {k: v.strip() for k, v in zip(FIELDS, values, strict=True)}


Filters = Annotated[dict[str, str], Depends(_filters)]


def router() -> APIRouter:
    r = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

    @r.get("/console/audit", response_class=HTMLResponse)
    async def viewer(
        request: Request,
        who: Admin,
        f: Filters,
    ) -> Response:
        app = app_of(request)
        query, bad = _query(f)
        async with app.db.transaction() as session:
            rows = await _rows(session, query, PAGE_ROWS + 1)
            choices = await _choices(session)
        context: dict[str, Any] = {
            "rows": rows[:PAGE_ROWS],
            "more": len(rows) > PAGE_ROWS,
            "f": f,
            "bad": bad,
            "choices": choices,
            "export_query": str(request.url.query),
            "label": labeller(request, who),
            "detail_text": readable,
        }
        return page(request, "audit.html", context, status_code=400 if bad else 200)

    @r.get("/console/audit/export.csv")
    async def export(
        request: Request,
        who: Admin,
        f: Filters,
    ) -> Response:
        app = app_of(request)
        now = app.clock.now()
        query, bad = _query(f)
        if bad:
            return Response(
                f"unreadable date in {', '.join(bad)}: use YYYY-MM-DD\n",
                status_code=400,
                media_type="text/plain",
            )
        async with unit_of_work(app.db, now) as w:
            rows = await _rows(w.session, query, EXPORT_ROWS)
            used = {k: v for k, v in f.items() if v}
            w.audit(
                who.actor, "export", "audit_log",
                detail={"format": "csv", "rows": len(rows), "filters": used},
            )  # fmt: skip
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["id", "at", "actor", "action", "subject_type", "subject_id", "detail"])
        for e in rows:
            writer.writerow(
                [neutral(v) for v in (
                    e.id, e.at.astimezone(UTC).isoformat(), e.actor, e.action, e.subject_type,
                    e.subject_id or "", _detail(e.detail),
                )]
            )  # fmt: skip
        return Response(
            "\ufeff" + out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="audit-{now:%Y%m%d-%H%M}.csv"',
                "Cache-Control": "no-store",
            },
        )

    return r


def _detail(detail: dict[str, Any] | None) -> str:
    return json.dumps(detail or {}, ensure_ascii=False, sort_keys=True)


def readable(detail: dict[str, Any] | None) -> list[tuple[str, str]]:
    """An entry's detail as (key, value) pairs, text as text (never JSON escapes)."""
    return [
        (key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
        for key, value in sorted((detail or {}).items())
    ]


def label_key(kind: str, code: str) -> str:
    """The catalog key of an action's (kind "do") or subject type's (kind "kind") label."""
    return f"audit.{kind}.{code}"


def labeller(request: Request, who: Principal) -> Callable[[str, str], str]:
    """label(kind, code): the label in the user's language, the code itself when none."""
    catalog, locale = catalog_of(request), locale_of(request, who)

    def label(kind: str, code: str) -> str:
        key = label_key(kind, code)
        return catalog.text(key, locale) if catalog.has(key, locale) else code

    return label
