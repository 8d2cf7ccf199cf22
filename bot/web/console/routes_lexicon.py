"""The safety lexicon for administrators: terms and exclusions per category with severity,
add / edit / deactivate, and a test box that runs the LIVE screen (the hotline's cache of the
stored lexicon, the one the bot uses) on any text and shows why it matched."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel

from bot.hotline.runtime import hotline_of
from bot.web.console import lexicon_edit as edit
from bot.web.console.auth import ADMIN, Principal, app_of, requires
from bot.web.console.pages import ConsoleRoute, catalog_of, locale_of, page
from dialogs.screening.lexicon import SEVERITIES
from storage.repos import lexicon as repo
from storage.uow import unit_of_work

Admin = Annotated[Principal, Depends(requires(ADMIN))]


class TestIn(BaseModel):
    text: str


class MatchOut(BaseModel):
    term: str
    category: str
    severity: str
    start: int
    end: int
    excerpt: str


class TestOut(BaseModel):
    escalate: bool
    outcome: str  # alert | review | pass
    score: float | None  # the learned model's probability (None: lexicon only)
    model_version: str | None
    category: str | None
    severity: str | None
    immediate_danger: bool
    about_self: bool | None
    why: list[str]
    matches: list[MatchOut]


async def run_screen(request: Request, text: str) -> TestOut:
    app = app_of(request)
    async with app.db.transaction() as session:
        screen = await hotline_of(app).screens.get(session, app.clock.now())
    decision = screen.screen(text)
    return TestOut(
        escalate=decision.escalate, outcome=decision.outcome, score=decision.score,
        model_version=decision.model_version, category=decision.category,
        severity=decision.severity,
        immediate_danger=decision.immediate_danger, about_self=decision.about_self,
        why=list(decision.why),
        matches=[
            MatchOut(**m.to_json(), excerpt=text[m.start : m.end]) for m in decision.matches
        ],
    )  # fmt: skip


def _names(request: Request) -> dict[str, Callable[..., str]]:
    """Category and severity names in the reader's language: a lexicon group or statutory
    category the catalog names (console.category.*, case.category.*) shows that name, one
    an administrator added shows its own label; severities show console.severity.*."""
    catalog, locale = catalog_of(request), locale_of(request)

    def named(key: str, fallback: str) -> str:
        return catalog.text(key, locale) if catalog.has(key, locale) else fallback

    def cat_name(c: Mapping[str, Any]) -> str:
        cid = str(c.get("id") or "")
        label = str(c.get("label") or cid)
        return named(f"console.category.{cid}", named(f"case.category.{cid}", label))

    def sev_name(severity: str | None) -> str:
        return named(f"console.severity.{severity}", str(severity or ""))

    return {"cat_name": cat_name, "sev_name": sev_name}


async def _page(
    request: Request, category: str, q: str, extra: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:  # fmt: skip
    app = app_of(request)
    async with app.db.transaction() as session:
        await hotline_of(app).screens.get(session, app.clock.now())  # seeds on first use
        raw = await repo.mapping(session) or {"categories": [], "cues": {}}
    cats = sorted(raw["categories"], key=lambda c: str(c.get("id")))
    # every term is a small form: list them for one category, or for a search, not for all
    shown = [c for c in cats if c.get("id") == category or (q.strip() and not category)]
    needle = q.strip().lower()
    blocks = []
    for c in shown:
        rows = [r for r in edit.term_rows(c) if not needle or needle in r.term.lower()]
        excl = [e for e in c.get("exclusions", ()) if not needle or needle in str(e).lower()]
        blocks.append({"cat": c, "terms": rows, "exclusions": excl,
                       "inactive_exclusions": c.get("inactive_exclusions", [])})  # fmt: skip
    summary = [
        {"cat": c, "terms": len(c.get("terms", ())), "inactive": len(c.get("inactive_terms", ())),
         "exclusions": len(c.get("exclusions", ()))}
        for c in cats
    ]  # fmt: skip
    context = {
        "blocks": blocks, "all": cats, "summary": summary, "category": category, "q": q,
        "severities": SEVERITIES, "cues": raw.get("cues", {}), "cue_lists": edit.CUE_LISTS,
        **_names(request),
    }  # fmt: skip
    context.update(extra or {})
    return page(request, "lexicon.html", context, status_code=status_code)


def router() -> APIRouter:
    r = APIRouter(route_class=ConsoleRoute)

    @r.get("/console/lexicon", response_class=HTMLResponse, include_in_schema=False)
    async def lexicon(request: Request, who: Admin, category: str = "", q: str = "") -> Response:
        return await _page(request, category, q)

    @r.post("/console/lexicon/test", response_class=HTMLResponse, include_in_schema=False)
    async def test_form(request: Request, who: Admin) -> Response:
        form = await request.form()
        text = str(form.get("text") or "")
        result = await run_screen(request, text)
        return await _page(request, "", "", {"test_text": text, "test": result})

    @r.post(
        "/console/api/lexicon/test", response_model=TestOut, tags=["console"],
        summary="Run the live screen on a text and say why it matched (admin; X-CSRF-Token)",
    )  # fmt: skip
    async def test_json(request: Request, who: Admin, body: TestIn) -> TestOut:
        return await run_screen(request, body.text)

    @r.post("/console/lexicon/edit", response_class=HTMLResponse, include_in_schema=False)
    async def edit_entry(request: Request, who: Admin) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        key, action = form.get("category", ""), form.get("action", "")
        app = app_of(request)
        try:
            async with unit_of_work(app.db, app.clock.now()) as w:
                raw = await repo.mapping(w.session) or {"categories": []}
                if action == "new_category":
                    key = form.get("key", "").strip().lower()
                    if any(c.get("id") == key for c in raw["categories"]):
                        raise edit.EditError("console.lexicon.err.id")
                    data = edit.new_category(key, form.get("label", ""), form.get("severity", ""))
                else:
                    found = next((c for c in raw["categories"] if c.get("id") == key), None)
                    if found is None:
                        raise edit.EditError("console.lexicon.err.action")
                    data = edit.apply(found, action, form)
                await edit.save(w, key, data, actor=who.actor)
        except edit.EditError as exc:
            problem = {"key": exc.key, "params": exc.params}
            return await _page(request, key, "", {"problem": problem}, status_code=422)
        return RedirectResponse(f"/console/lexicon?category={key}&saved=1", status_code=303)

    return r
