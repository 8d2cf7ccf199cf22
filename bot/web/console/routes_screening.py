"""The learned screen in the console: which model is live and how it measures on writers it
never saw, retrain (administrators), roll back, and the hotline's verdicts on flagged cases
(real concern / false alarm / wrong category) and on missed messages. Every change is audited;
verdict texts are redacted before they are stored."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.ext.asyncio import AsyncSession

from bot.screening.redact import redact
from bot.screening.store import shipped_categories, shipped_model
from bot.web.console.auth import ADMIN, HOTLINE, Principal, app_of, requires
from bot.web.console.pages import TEMPLATES, ConsoleRoute, page
from storage.models import Case, Child, Person
from storage.repos import cases as case_repo
from storage.repos import screening as repo
from storage.uow import unit_of_work

log = logging.getLogger(__name__)
Admin = Annotated[Principal, Depends(requires(ADMIN))]
Staff = Annotated[Principal, Depends(requires(ADMIN, HOTLINE))]
MAX_TEXT = 2000


class Retraining:
    """The one retrain this process runs at a time: `careline screen retrain` as a child
    process, so that training never competes with webhooks for the event loop."""

    def __init__(self) -> None:
        self.process: asyncio.subprocess.Process | None = None
        self.output = ""
        self.returncode: int | None = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.returncode is None

    async def start(self) -> bool:
        if self.running:
            return False
        self.output, self.returncode = "", None
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "screen", "retrain",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        asyncio.get_running_loop().create_task(self._wait())
        return True

    async def _wait(self) -> None:
        assert self.process is not None
        out, _ = await self.process.communicate()
        self.output = out.decode("utf-8", "replace")[-4000:]
        self.returncode = self.process.returncode
        log.info("screen retrain finished with exit code %s", self.returncode)


RETRAINING = Retraining()


def _figure_rows(figures: dict[str, Any] | None) -> dict[str, Any]:
    figures = figures or {}
    return {
        "overall": {"reports": figures.get("reports"), "negatives": figures.get("negatives")},
        "by_category": figures.get("by_category") or {},
        "by_style": figures.get("by_style") or {},
        "negatives_by_kind": figures.get("negatives_by_kind") or {},
    }


async def _page(request: Request, extra: dict[str, Any] | None = None) -> Response:
    app = app_of(request)
    async with app.db.transaction() as session:
        models = await repo.models(session)
        labels = await repo.labels(session)
    live = next((m for m in models if m.active), None)
    shipped = shipped_model()
    figures = live.figures if live else (shipped.meta.get("figures") if shipped else None)
    context: dict[str, Any] = {
        "live_version": live.version if live else (shipped.version if shipped else None),
        "live_is_shipped": live is None,
        "shipped_version": shipped.version if shipped else None,
        "shipped_figures": shipped.meta.get("figures") if shipped else None,
        "figures": _figure_rows(figures),
        "models": models,
        "label_counts": {v: sum(1 for x in labels if x.verdict == v) for v in repo.VERDICTS},
        "categories": shipped_categories().ids(),
        "retraining": RETRAINING,
    }
    context.update(extra or {})
    return page(request, "screening.html", context)


async def _case_text(session: AsyncSession, case: Case) -> tuple[str, list[str]]:
    """The text the case was opened on, and the names to redact from it."""
    event = await case_repo.first_event(session, case.id, "created")
    child = await session.get(Child, case.child_id) if case.child_id is not None else None
    reporter = (
        await session.get(Person, case.reporter_person_id)
        if case.reporter_person_id is not None
        else None
    )
    names = [found.name for found in (child, reporter) if found is not None]
    text = str((event.detail or {}).get("text", "")) if event else ""
    return text, names


def router() -> APIRouter:
    # the case page's verdict form (screening_verdict.html) lists the statutory categories
    TEMPLATES.env.globals["screen_categories"] = shipped_categories().ids()
    r = APIRouter(route_class=ConsoleRoute)

    @r.get("/console/screening", response_class=HTMLResponse, include_in_schema=False)
    async def screening(request: Request, who: Staff) -> Response:
        return await _page(request)

    @r.post("/console/screening/retrain", response_class=HTMLResponse, include_in_schema=False)
    async def retrain(request: Request, who: Admin) -> Response:
        app = app_of(request)
        started = await RETRAINING.start()
        async with unit_of_work(app.db, app.clock.now()) as w:
            w.audit(who.actor, "screen_retrain", "screen_model", detail={"started": started})
        return RedirectResponse("/console/screening?retrain=1", status_code=303)

    @r.post("/console/screening/rollback", response_class=HTMLResponse, include_in_schema=False)
    async def rollback(request: Request, who: Admin) -> Response:
        app = app_of(request)
        form = await request.form()
        version = str(form.get("version") or "")[:64]
        async with unit_of_work(app.db, app.clock.now()) as w:
            ok = await repo.activate(w.session, None if version == "shipped" else version)
            if ok:
                w.audit(who.actor, "screen_activate", "screen_model", version)
        if not ok:
            return await _page(request, {"problem": "screening.err.no_model"})
        return RedirectResponse("/console/screening?activated=1", status_code=303)

    @r.post(
        "/console/screening/verdict/{ref}", response_class=HTMLResponse, include_in_schema=False
    )
    async def verdict(request: Request, ref: str, who: Staff) -> Response:
        app = app_of(request)
        form = await request.form()
        choice = str(form.get("verdict") or "")
        category = str(form.get("category") or "") or None
        if choice not in ("real", "false_alarm", "wrong_category") or (
            choice == "wrong_category" and category not in shipped_categories().ids()
        ):
            return RedirectResponse(f"/console/cases/{ref[:20]}?verdict=bad", status_code=303)
        async with unit_of_work(app.db, app.clock.now()) as w:
            case = await case_repo.case_by_ref(w.session, ref[:20])
            if case is None:
                return RedirectResponse("/console/cases", status_code=303)
            text, names = await _case_text(w.session, case)
            stored_category = category if choice == "wrong_category" else case.category
            now = w.now
            await repo.add_label(
                w.session, case_id=case.id, verdict=choice,
                category=None if choice == "false_alarm" else shipped_categories().fine(
                    stored_category) or stored_category,
                text=redact(text, names), actor=who.actor, now=now,
            )  # fmt: skip
            case_repo.add_event(
                w.session, case, "screen_verdict", at=now, actor=who.actor,
                detail={"verdict": choice, "category": stored_category},
            )  # fmt: skip
            if choice == "wrong_category" and category:
                case.category = category
            w.audit(who.actor, "screen_verdict", "case", case.id, {"verdict": choice})
        return RedirectResponse(f"/console/cases/{ref[:20]}?verdict=saved", status_code=303)

    @r.post("/console/screening/missed", response_class=HTMLResponse, include_in_schema=False)
    async def missed(request: Request, who: Staff) -> Response:
        app = app_of(request)
        form = await request.form()
        text = str(form.get("text") or "").strip()[:MAX_TEXT]
        category = str(form.get("category") or "")
        if not text or "\x00" in text or category not in shipped_categories().ids():
            return await _page(request, {"problem": "screening.err.missed"})
        async with unit_of_work(app.db, app.clock.now()) as w:
            label = await repo.add_label(
                w.session, case_id=None, verdict="missed", category=category,
                text=redact(text), actor=who.actor, now=app.clock.now(),
            )  # fmt: skip
            w.audit(who.actor, "screen_missed", "screen_label", label.id)
        return RedirectResponse("/console/screening?missed=1", status_code=303)

    return r
