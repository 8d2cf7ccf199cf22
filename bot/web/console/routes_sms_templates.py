"""The SMS template registry in the console (administrators): what may go out over the
mainland template gateways, per key and provider, with the handset preview, the billed parts,
the lints, a status sync with the providers, an export of the texts to submit, and the list
of messages held because a key had no approved template."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from bot.channels.mainland_sms import MainlandSmsChannel
from bot.mainland.registry import spec_of, sync_statuses, variables_json
from bot.web.console.auth import ADMIN, Principal, app_of, requires
from bot.web.console.pages import ConsoleRoute, page
from content.locales import DEFAULT_LOCALE
from content.sms_templates import (
    IN_REVIEW,
    NOTIFICATION,
    PROVIDERS,
    TemplateSpec,
    Variable,
    catalog_to_provider_text,
    export_lines,
    lint,
    preview,
)
from dialogs.types import Channel
from storage.models import OutboxMessage
from storage.repos import mainland as repo
from storage.repos import outbox

Admin = Annotated[Principal, Depends(requires(ADMIN))]
BASE = "/console/sms-templates"


def parse_variables(raw: str) -> tuple[Variable, ...]:
    """One variable a line: `param slot max_len` (e.g. `child child 20` or `child 1 6`)."""
    out = []
    for line in raw.splitlines():
        parts = line.split()
        if not parts:
            continue
        param = parts[0]
        slot = parts[1] if len(parts) > 1 else param
        try:
            max_len = int(parts[2]) if len(parts) > 2 else 20
        except ValueError:
            max_len = 0  # the lint names it
        out.append(Variable(param, slot, max_len))
    return tuple(out)


def entry(spec: TemplateSpec, catalog_text: str | None) -> dict[str, Any]:
    p = preview(spec)
    return {"spec": spec, "preview": p, "lints": lint(spec, catalog_text=catalog_text)}


def router() -> APIRouter:
    r = APIRouter(route_class=ConsoleRoute)

    async def held(request: Request) -> list[OutboxMessage]:
        app = app_of(request)
        async with app.db.transaction() as session:
            return await outbox.held_for_template(session, limit=50)

    @r.get(BASE, response_class=HTMLResponse, include_in_schema=False)
    async def listing(request: Request, who: Admin) -> Response:
        app = app_of(request)
        catalog = app.content.current() if app.content else app.catalog
        async with app.db.transaction() as session:
            rows = await repo.all_templates(session)
        entries = [entry(spec_of(row), catalog.template(row.key, DEFAULT_LOCALE)) for row in rows]
        context = {
            "entries": entries,
            "held": await held(request),
            "synced": request.query_params.get("synced"),
            "providers": PROVIDERS,
        }
        return page(request, "sms_templates.html", context)

    @r.get(BASE + "/edit", response_class=HTMLResponse, include_in_schema=False)
    async def edit_form(
        request: Request, who: Admin, key: str = "", provider: str = ""
    ) -> Response:
        app = app_of(request)
        catalog = app.content.current() if app.content else app.catalog
        base = catalog.template(key, DEFAULT_LOCALE) if key else None
        history: list[Any] = []
        sent: dict[int, int] = {}
        async with app.db.transaction() as session:
            row = await repo.template(session, key, provider) if key else None
            if row is not None:
                history = await repo.versions(session, row.id)
                sent = await repo.sent_per_version(session, [v.id for v in history])
        if row is not None:
            spec = spec_of(row)
        else:
            text, variables = catalog_to_provider_text(provider or PROVIDERS[0], base or "")
            sign = (
                app.settings.aliyun_sms_sign_name
                if provider != "tencent"
                else app.settings.tencent_sms_sign_name
            )
            spec = TemplateSpec(
                key=key,
                provider=provider or PROVIDERS[0],
                template_code="",
                sign_name=sign or "",
                text=text,
                variables=variables,
            )
        context = {
            "e": entry(spec, base),
            "catalog_text": base,
            "row": row,
            "history": history,
            "sent": sent,
            "restored": request.query_params.get("restored"),
        }
        return page(request, "sms_template_edit.html", context)

    @r.post(BASE + "/restore", include_in_schema=False)
    async def restore(request: Request, who: Admin) -> Response:
        """Put an old version back (as a new version, in review until the next sync)."""
        app = app_of(request)
        form = {k: str(v) for k, v in (await request.form()).items()}
        try:
            template_id, version = int(form.get("template_id", "")), int(form.get("version", ""))
        except ValueError:
            return Response("template_id and version are numbers", status_code=400)
        async with app.db.transaction() as session:
            row = await repo.restore_version(
                session, template_id, version, at=app.clock.now(), actor=who.actor
            )
            if row is None:
                return Response("no such version", status_code=404)
            key, provider = row.key, row.provider
        query = urlencode({"key": key, "provider": provider, "restored": version})
        return RedirectResponse(f"{BASE}/edit?{query}", status_code=303)

    @r.post(BASE + "/edit", response_class=HTMLResponse, include_in_schema=False)
    async def save(request: Request, who: Admin) -> Response:
        app = app_of(request)
        form = {k: str(v) for k, v in (await request.form()).items()}
        key, provider = form.get("key", "").strip(), form.get("provider", "")
        catalog = app.content.current() if app.content else app.catalog
        base = catalog.template(key, DEFAULT_LOCALE) if key else None
        spec = TemplateSpec(
            key=key,
            provider=provider,
            template_code=form.get("template_code", "").strip(),
            sign_name=form.get("sign_name", "").strip(),
            text=form.get("text", "").strip(),
            variables=parse_variables(form.get("variables", "")),
            template_class=NOTIFICATION,
        )
        problems = []
        if base is None:
            problems.append("mainland.reg.err.key")
        if provider not in PROVIDERS:
            problems.append("mainland.reg.err.provider")
        if not spec.template_code:
            problems.append("mainland.reg.err.code")
        errors = [f for f in lint(spec, catalog_text=base) if f.severity == "error"]
        if problems or errors or form.get("action") == "preview":
            context = {"e": entry(spec, base), "catalog_text": base, "problems": problems}
            status = 200 if form.get("action") == "preview" and not problems else 422
            return page(request, "sms_template_edit.html", context, status_code=status)
        async with app.db.transaction() as session:
            old = await repo.template(session, key, provider)
            changed = old is None or (
                old.text,
                old.sign_name,
                old.template_code,
                old.variables,
            ) != (spec.text, spec.sign_name, spec.template_code, variables_json(spec.variables))
            await repo.upsert_template(
                session,
                key=key,
                provider=provider,
                now=app.clock.now(),
                actor=who.actor,
                template_code=spec.template_code,
                sign_name=spec.sign_name,
                text=spec.text,
                variables=variables_json(spec.variables),
                template_class=NOTIFICATION,
                scene_note=form.get("scene_note") or None,
                # An approved template cannot be edited at the provider: a changed one is a
                # new submission, in review until the next sync says otherwise.
                **({"status": IN_REVIEW, "review_note": None} if changed else {}),
            )
        return RedirectResponse(f"{BASE}?saved=1", status_code=303)

    @r.post(BASE + "/sync", include_in_schema=False)
    async def sync(request: Request, who: Admin) -> Response:
        app = app_of(request)
        sms = app.channels.get(Channel.SMS)
        providers = list(sms.providers) if isinstance(sms, MainlandSmsChannel) else []
        counts = await sync_statuses(app.db, providers, app.clock.now(), actor=who.actor)  # type: ignore[arg-type]
        return RedirectResponse(
            f"{BASE}?synced={counts['checked']}-{counts['changed']}-{counts['failed']}",
            status_code=303,
        )

    @r.get(BASE + "/export.csv", include_in_schema=False)
    async def export(request: Request, who: Admin, provider: str = "") -> Response:
        app = app_of(request)
        async with app.db.transaction() as session:
            rows = await repo.all_templates(session)
        specs = [spec_of(r) for r in rows if not provider or r.provider == provider]
        lines = export_lines(specs)
        out = io.StringIO()
        fields = list(lines[0]) if lines else ["provider", "key", "text"]
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        writer.writerows(lines)
        return Response(
            "\ufeff" + out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="sms-templates.csv"'},
        )

    return r
