"""A child director's WeCom picture and voice note, end to end over real HTTP: encrypted,
signed callbacks to the served app, the picture attached to the visit just reported, the
fetch job asking the WeCom stand-in's `media/get` (with the channel's access token, a 500
tried again, an expired token refetched once) and keeping the files in the store; the
director is told the voice note was kept and asked to write what it says."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from itertools import count

import httpx
import pytest
from sqlalchemy import select

from bot.app import Application
from bot.clock import FakeClock
from bot.mainland.links import link_wecom
from bot.media_store import MediaStore
from bot.visits.media_job import MediaFetcher
from storage.db import Database
from storage.models import Person, VisitMedia
from tests.e2e.mainland.world import NOW
from tests.e2e.visits.served import ServedApp
from tests.standins.wecom_api import WeComStandin
from tests.support.media_samples import AMR, JPEG

pytestmark = pytest.mark.e2e
DIRECTOR, LI = "+8613800000002", "lizhuren"
_msg_ids = count(5000)


@dataclass
class Stack:
    served: ServedApp
    app: Application
    clock: FakeClock
    wecom: WeComStandin
    http: httpx.AsyncClient

    async def push(self, inner: str) -> httpx.Response:
        query, body = self.wecom.signed(inner, int(self.clock.now().timestamp()))
        return await self.http.post("/webhooks/wecom", params=query, content=body)

    async def says(self, text: str) -> httpx.Response:
        created = int(self.clock.now().timestamp())
        return await self.push(self.wecom.text_xml(LI, text, next(_msg_ids), created))

    async def sends(self, kind: str, media_id: str) -> httpx.Response:
        created = int(self.clock.now().timestamp())
        return await self.push(self.wecom.media_xml(LI, kind, media_id, next(_msg_ids), created))

    def texts(self) -> list[str]:
        return [m["text"]["content"] for m in self.wecom.state.to(LI) if m["msgtype"] == "text"]

    async def rows(self) -> list[VisitMedia]:
        async def read() -> list[VisitMedia]:
            async with self.app.db.transaction() as s:
                q = select(VisitMedia).order_by(VisitMedia.id)
                return list((await s.execute(q)).scalars())

        return await self.served.run(read())


@pytest.fixture
async def stack(db: Database) -> AsyncIterator[Stack]:
    clock = FakeClock(NOW)
    with WeComStandin({LI}, now=lambda: clock.now().timestamp()) as wecom:
        served = ServedApp()
        app = await served.start(db.url, clock, **wecom.settings())
        await served.run(served.load_demo())

        async def link() -> None:
            async with app.db.transaction() as s:
                person = (
                    await s.execute(select(Person).where(Person.phone == DIRECTOR))
                ).scalar_one()
                await link_wecom(s, LI, person, NOW)

        await served.run(link())
        try:
            async with httpx.AsyncClient(base_url=served.base_url) as http:
                yield Stack(served, app, clock, wecom, http)
        finally:
            await served.stop()


async def test_a_wecom_picture_and_voice_note_reach_the_store(stack: Stack) -> None:
    s = stack
    s.wecom.state.media["MEDIA-PIC-1"] = (JPEG, "image/jpeg")
    s.wecom.state.media["MEDIA-VOICE-1"] = (AMR, "audio/amr")
    assert (await s.says("走访 A04 差 电话 昨天 失学 无 备注 父亲联系不上")).status_code == 200
    s.clock.advance(minutes=2)
    assert (await s.sends("image", "MEDIA-PIC-1")).status_code == 200
    s.clock.advance(minutes=1)
    assert (await s.sends("voice", "MEDIA-VOICE-1")).status_code == 200
    await s.served.dispatch()
    replies = s.texts()
    assert any(t.startswith("照片已附到 A04 的走访") for t in replies), replies
    assert any(t.startswith("语音已保存到 A04 的走访") and "请用文字说明" in t for t in replies)
    assert s.wecom.state.media_fetches == []  # nothing fetched at receipt

    s.wecom.state.media_failures.append(500)
    first = await s.served.run(MediaFetcher(s.app).run_once())
    assert (first.stored, first.failed) == (1, 1)  # the 500 for the picture, the voice kept
    s.clock.advance(minutes=1)
    s.wecom.state.expire_tokens()  # WeCom answers 42001 (as JSON): one new token, then the file
    second = await s.served.run(MediaFetcher(s.app).run_once())
    assert second.stored == 1
    picture, voice = await s.rows()
    assert (picture.channel, picture.kind, picture.ref) == ("wecom", "image", "MEDIA-PIC-1")
    assert (voice.kind, voice.stored_type, picture.stored_type) == (
        "voice",
        "audio/amr",
        "image/jpeg",
    )
    assert picture.fetch_attempts == 2 and picture.visit_id == voice.visit_id is not None
    store = MediaStore(s.app.settings.media_dir)
    assert store.read(picture.id) == JPEG and store.read(voice.id) == AMR
    assert sorted(s.wecom.state.media_fetches) == ["MEDIA-PIC-1", "MEDIA-VOICE-1"]
    assert s.wecom.state.gettoken_calls == 2  # the channel's shared token, refetched once
