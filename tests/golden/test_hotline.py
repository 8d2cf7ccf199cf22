"""Golden transcripts of the hotline flows (tests/golden/hotline/*.json).

The urgent flow is pure: replayed through the engine (as tests/unit/visits does). What needs
the shell (the safety screen on idle text, cases, staff commands, the reporter relay, small
talk that must not open a case) is replayed through a real Application on SQLite with the
demo data and a fake clock, as tests/integration/hotline does; each step records every
message sent and the cases. `pytest --update-goldens` rewrites the files.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import Application
from content.catalog import Catalog
from dialogs.types import ChildRef, Role
from storage.db import upgrade_sync
from tests.golden.harness import check, demo_person, orphans, run_pure, run_shell
from tests.support.apps import demo_app
from tests.support.databases import sqlite_url

DIRECTOR = demo_person("director_east", Role.DIRECTOR, 2)
DIRECTOR_CHILDREN = (
    ChildRef(1, "A01", "张小明"),
    ChildRef(2, "A02", "张小红"),
    ChildRef(3, "A03", "刘安安"),
    ChildRef(4, "A04", "刘乐乐"),
)
HANT = demo_person("guardian_liu", Role.GUARDIAN, 7)
REF = "C260302-0001"

# name -> (sender, steps) through the pure engine
PURE: dict[str, tuple[Any, list[dict[str, Any]]]] = {
    "urgent_director": (
        DIRECTOR,
        [
            {"text": "紧急"},
            {"text": "孩子被人打了，脸上有伤"},
            {"text": "4"},
            {"text": "村口小卖部"},
            {"text": "是"},
            {"text": "3"},
            {"text": "1"},
        ],
    ),
    "urgent_director_names_child": (
        DIRECTOR,
        [
            {"text": "紧急 A04被他爸爸关在家里两天了"},
            {"text": "跳过"},
            {"text": "不确定"},
            {"text": "否"},
        ],
    ),
    "urgent_cancel_and_timeout": (
        DIRECTOR,
        [
            {"text": "紧急"},
            {"text": "取消"},
            {"text": "紧急 有个孩子一个人在河边哭"},
            {"text": "取消"},
            {"text": "求助"},
            {"text": "邻居家孩子几天没吃饭"},
            {"timeout": True},
        ],
    ),
    "urgent_telegram_en": (
        DIRECTOR,
        [
            {"payload": "cmd:urgent", "channel": "telegram", "locale": "en"},
            {"text": "a boy is locked in a shed", "channel": "telegram", "locale": "en"},
            {"payload": "skip", "channel": "telegram", "locale": "en"},
            {"text": "behind the school", "channel": "telegram", "locale": "en"},
            {"payload": "no", "channel": "telegram", "locale": "en"},
            {"payload": "yes", "channel": "telegram", "locale": "en"},
        ],
    ),
    "urgent_zh_hant_guardian": (
        HANT,
        [
            {"text": "緊急"},
            {"text": "樂樂在學校被同學打了"},
            {"text": "跳過"},
            {"text": "學校門口"},
            {"text": "否"},
            {"text": "是"},
        ],
    ),
    "urgent_unknown_sender": (
        None,
        [
            {"text": "sos"},
            {"text": "有个小孩被锁在车里"},
            {"text": "1"},
            {"text": "停车场"},
            {"text": "有危险"},
            {"text": "否"},
        ],
    ),
}

CLAIM, CLOSE = f"认领 {REF}", f"结案 {REF} 已联系派出所，孩子安置在亲属家"

# name -> steps through the shell ({"from": demo person key or "unknown", "text"})
SHELL: dict[str, list[dict[str, str]]] = {
    "shell_urgent_to_closed": [
        {"from": "director_east", "text": "紧急"},
        {"from": "director_east", "text": "乐乐被他爸爸打了，脸上有伤"},
        {"from": "director_east", "text": "4"},
        {"from": "director_east", "text": "村口"},
        {"from": "director_east", "text": "否"},
        {"from": "director_east", "text": "是"},
        {"from": "hotline", "text": CLAIM},
        {"from": "hotline", "text": f"回复 {REF} 孩子现在安全吗？"},
        {"from": "director_east", "text": "安全了，在邻居家"},
        {"from": "hotline", "text": f"备注 {REF} 已电话联系村委会"},
        {"from": "hotline", "text": f"结案 {REF}"},
        {"from": "hotline", "text": CLOSE},
        {"from": "hotline", "text": f"转介 {REF} 公安"},
        {"from": "hotline", "text": CLOSE},
        {"from": "hotline", "text": f"回复 {REF} 还好吗"},
        {"from": "hotline", "text": "案件"},
    ],
    "shell_guardian_danger": [
        {"from": "guardian_zhang", "text": "小红被她爸爸打了，身上都是伤"},
        {"from": "guardian_zhang", "text": "谢谢"},
        {"from": "guardian_zhang", "text": "她爸爸喝了酒还在家里"},
        {"from": "hotline", "text": CLAIM},
    ],
    "shell_guardian_danger_zh_hant": [
        {"from": "guardian_liu", "text": "樂樂被他叔叔打了，身上都是傷"},
        {"from": "guardian_liu", "text": "已報警"},
    ],
    "shell_review": [
        {"from": "unknown", "text": "我邻居家半夜总有小孩哭"},
        {"from": "unknown", "text": "你好"},
        {"from": "hotline", "text": CLAIM},
        {"from": "hotline", "text": f"回复 {REF} 请问是哪个村？"},
        {"from": "unknown", "text": "东村，靠近小学"},
        {"from": "unknown", "text": "取消"},
    ],
    "shell_small_talk": [
        {"from": "guardian_zhang", "text": "你好"},
        {"from": "guardian_zhang", "text": "吃饭了吗"},
        {"from": "director_east", "text": "辛苦了"},
        {"from": "unknown", "text": "在吗"},
        {"from": "guardian_liu", "text": "謝謝"},
        {"from": "guardian_he", "text": "hello"},
        {"from": "guardian_he", "text": "thank you"},
    ],
    "shell_staff_verbs": [
        {"from": "director_east", "text": "A04被打了一顿"},
        {"from": "hotline", "text": "帮助"},
        {"from": "hotline", "text": "认领"},
        {"from": "hotline", "text": "认领 C260302-9999"},
        {"from": "hotline", "text": f"转介 {REF} 法院"},
        {"from": "hotline", "text": f"认领{REF}"},
        {"from": "hotline", "text": f"转介 {REF} 公安"},
        {"from": "hotline", "text": f"查看 {REF}"},
        {"from": "hotline", "text": f"放弃 {REF}"},
        {"from": "hotline", "text": f"重开 {REF} 家长又打了"},
    ],
    "shell_staff_en": [
        {"from": "hotline", "text": "English"},
        {"from": "guardian_he", "text": "my neighbour beats his son every night"},
        {"from": "hotline", "text": "claim"},
        {"from": "hotline", "text": f"claim {REF.lower()}"},
        {"from": "hotline", "text": f"reply {REF} Is the boy safe now?"},
        {"from": "guardian_he", "text": "yes, he is with his grandmother"},
        {"from": "hotline", "text": f"close {REF}"},
        {"from": "hotline", "text": f"close {REF} police visited, the boy stays with relatives"},
        {"from": "hotline", "text": f"refer {REF} police"},
        {"from": "hotline", "text": f"close {REF} police visited, the boy stays with relatives"},
    ],
}


@pytest.mark.parametrize("name", sorted(PURE))
def test_urgent_flow_matches_golden(
    name: str, catalog: Catalog, request: pytest.FixtureRequest
) -> None:
    person, steps = PURE[name]
    children = DIRECTOR_CHILDREN if person is DIRECTOR else ()
    check("hotline", name, run_pure(steps, catalog, person, children), request)


@pytest.fixture
def sqlite(tmp_path: Path) -> str:
    """A migrated SQLite file: the transcripts are about words, not the database."""
    url = sqlite_url(tmp_path)
    upgrade_sync(url)
    return url


@pytest.fixture
async def app(sqlite: str) -> AsyncIterator[Application]:
    async with demo_app(sqlite) as application:
        yield application


@pytest.mark.parametrize("name", sorted(SHELL))
async def test_hotline_shell_matches_golden(
    name: str, app: Application, request: pytest.FixtureRequest
) -> None:
    check("hotline", name, await run_shell(app, SHELL[name]), request)


def test_every_hotline_golden_file_has_a_scenario() -> None:
    assert not orphans("hotline", [*PURE, *SHELL])
