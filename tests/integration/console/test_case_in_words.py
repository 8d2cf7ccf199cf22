"""Hotline pages and texts in Chinese throughout (issue 10, item 12): the case page's
timeline names people and translates every detail (no `violence_abuse`, `civil_affairs`,
`person:2`, `source: screen; …`), a category has one name in the queue, the case page and
messages, and staff `帮助` lists every verb with an example."""

from __future__ import annotations

import re

from content.catalog import Catalog
from dialogs.flows.hotline_staff import VERBS
from storage.db import Database
from tests.integration.console.staffed import staffed
from tests.integration.hotline.helpers import HOTLINE, cases, say, texts

CODES = re.compile(r"\b[a-z]+_[a-z_]+\b|person:\d|user:|source:|category:|agency:")


def _visible(html: str) -> str:
    body = re.sub(r"(?s)<(script|style|head)\b.*?</\1>", "", html)
    body = re.sub(r"<[^>]+>", " ", body)  # attribute values (ids, names, values) are no text
    return body


async def test_the_case_page_and_staff_texts_are_in_words(db: Database) -> None:
    async with staffed(db) as staff:
        app = staff.app
        await say(app, "A04的爸爸昨晚又把他打了一顿")
        [case] = await cases(app)
        await say(app, f"认领 {case.ref}", HOTLINE)
        await say(app, f"转介 {case.ref} 民政", HOTLINE)
        await say(app, f"查看 {case.ref}", HOTLINE)
        staff_texts = await texts(app, HOTLINE)
        async with staff.signed_in("chen") as (client, _):
            page = (await client.get(f"/console/cases/{case.ref}")).text
            queue = (await client.get("/console/cases")).text
        shown = _visible(page)
        assert not CODES.findall(shown), CODES.findall(shown)
        assert "民政" in shown and "陈热线" in shown and "系统" in shown
        for text in staff_texts:
            assert not CODES.findall(text), text
        name = Catalog.load().text(f"case.category.{case.category}", "zh_Hans")
        assert name in shown and name in _visible(queue)  # one name everywhere
        assert any(name in t for t in staff_texts)


def test_staff_help_lists_every_verb_with_an_example() -> None:
    verbs = Catalog.load().text("hotline.staff.verbs", "zh_Hans")
    chinese = {word: verb for word, verb in VERBS.items() if not word.isascii()}
    for verb in set(VERBS.values()):
        words = [w for w, v in chinese.items() if v == verb]
        assert any(re.search(rf"^{w}( C…)?", verbs, re.M) for w in words), verb
