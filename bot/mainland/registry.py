"""The SMS template registry as the channels use it: approved specs per key, sync, demo data."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from content.catalog import Catalog
from content.locales import DEFAULT_LOCALE
from content.sms_templates import (
    ALIYUN,
    APPROVED,
    NOTIFICATION,
    TENCENT,
    TemplateSpec,
    Variable,
    catalog_to_provider_text,
)
from storage.db import Database
from storage.models import SmsTemplate
from storage.repos import audit
from storage.repos import mainland as repo
from storage.repos.people import person_by_phone

log = logging.getLogger(__name__)


def spec_of(row: SmsTemplate, version_id: int | None = None) -> TemplateSpec:
    return TemplateSpec(
        key=row.key,
        provider=row.provider,
        template_code=row.template_code,
        sign_name=row.sign_name,
        text=row.text,
        variables=tuple(
            Variable(str(v["param"]), str(v["slot"]), int(v.get("max_len", 20)))
            for v in row.variables or []
        ),
        template_class=row.template_class,
        status=row.status,
        version_id=version_id,
    )


def variables_json(variables: Iterable[Variable]) -> list[dict[str, Any]]:
    return [{"param": v.param, "slot": v.slot, "max_len": v.max_len} for v in variables]


class Registry:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def approved(self, key: str) -> Mapping[str, TemplateSpec]:
        """The approved template per provider for a key (what a send may use)."""
        async with self.db.transaction() as session:
            rows = [r for r in await repo.templates_for_key(session, key) if r.status == APPROVED]
            ids = await repo.current_version_ids(session, rows)
        return {r.provider: spec_of(r, ids.get(r.id)) for r in rows}


class StatusSource(Protocol):
    name: str

    async def template_status(self, code: str) -> tuple[str, str | None, str | None]: ...


async def sync_statuses(
    db: Database, providers: Iterable[StatusSource], now: datetime, actor: str = "system"
) -> dict[str, int]:
    """Ask each provider for the review status of every registered template (a job and a
    console button). A template whose provider text differs from ours is not approved for us."""
    counts = {"checked": 0, "changed": 0, "failed": 0}
    by_name = {p.name: p for p in providers}
    async with db.transaction() as session:
        rows = [(r.id, r.provider, r.template_code) for r in await repo.all_templates(session)]
    for row_id, provider, code in rows:
        source = by_name.get(provider)
        if source is None:
            continue
        try:
            status, text, note = await source.template_status(code)
        except Exception as exc:
            log.warning("template sync %s %s: %s", provider, code, exc)
            counts["failed"] += 1
            continue
        async with db.transaction() as session:
            row = await session.get(SmsTemplate, row_id)
            if row is None:
                continue
            counts["checked"] += 1
            if text is not None and text.strip() != row.text.strip() and status == APPROVED:
                status, note = "rejected", f"provider text differs: {text}"
            if (row.status, row.review_note) != (status, note):
                before = repo.tracked(row)
                audit.record(
                    session,
                    at=now,
                    actor=actor,
                    action="sms_template_status",
                    subject_type="sms_template",
                    subject_id=row.id,
                    detail={"from": row.status, "to": status},
                )
                row.status, row.review_note = status, note
                await repo.record_change(session, row, before, at=now, actor=actor)
                counts["changed"] += 1
            row.synced_at = now
    return counts


def demo_code(provider: str, index: int) -> str:
    return f"SMS_DEMO{index:04d}" if provider == ALIYUN else str(900000 + index)


async def seed_demo_registry(
    db: Database,
    catalog: Catalog,
    now: datetime,
    *,
    sign_names: Mapping[str, str] | None = None,
    keys: Iterable[str] | None = None,
) -> int:
    """A fictional registry: every catalog key as an approved notification template for each
    provider, so `serve --demo` works end to end against the stand-ins. Idempotent."""
    async with db.transaction() as session:
        return await seed_demo_templates(session, catalog, now, sign_names=sign_names, keys=keys)


DEMO_SIGN = "护苗示例"
DEMO_WECOM = {"+8613800000001": "zhoududao", "+8613800000002": "lizhuren",
              "+8613800000003": "wangzhuren", "+8613800000004": "chenrexian"}  # fmt: skip


async def seed_demo_templates(
    session: AsyncSession,
    catalog: Catalog,
    now: datetime,
    *,
    sign_names: Mapping[str, str] | None = None,
    keys: Iterable[str] | None = None,
) -> int:
    added = 0
    signs = sign_names or {}
    existing = {(r.key, r.provider) for r in await repo.all_templates(session)}
    new: list[SmsTemplate] = []
    for index, key in enumerate(sorted(keys or catalog.all_keys()), start=1):
        base = catalog.template(key, DEFAULT_LOCALE)
        if not base:
            continue
        for provider in (ALIYUN, TENCENT):
            if (key, provider) in existing:
                continue
            text, variables = catalog_to_provider_text(provider, base)
            max_len = 100  # fictional: a real account's limits are shown in its console
            row = SmsTemplate(
                key=key,
                provider=provider,
                template_code=demo_code(provider, index),
                sign_name=signs.get(provider, DEMO_SIGN),
                text=text,
                variables=[
                    {"param": v.param, "slot": v.slot, "max_len": max_len} for v in variables
                ],
                template_class=NOTIFICATION,
                status=APPROVED,
                scene_note="demo (fictional)",
                updated_at=now,
                updated_by="demo",
                version=1,
            )
            session.add(row)
            new.append(row)
            added += 1
    await repo.first_versions(session, new, at=now, actor="demo")
    return added


async def seed_demo_mainland(session: AsyncSession, now: datetime) -> None:
    """`serve --demo`: the fictional registry, and the demo staff's WeCom user ids."""
    from bot.mainland.links import link_wecom

    await seed_demo_templates(session, Catalog.load(), now)
    for phone, userid in DEMO_WECOM.items():
        person = await person_by_phone(session, phone)
        if person is not None:
            await link_wecom(session, userid, person, now, actor="demo")
