"""A visit photo in a real browser: a director's photo (MMS) is kept in the media file store
by the fetch job (from a local Twilio stand-in, which then forgets it), listed in the child's
file, and a supervisor opens it in a new tab, where Chromium shows the stored picture."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_app
from bot.clock import FakeClock
from bot.visits.media_job import MediaFetcher
from bot.web.server import create_web_app
from dialogs.types import Channel, Inbound, MediaRef
from storage.db import upgrade_sync
from tests.browser.conftest import Live, LiveServer, _prepare, chromium_path
from tests.browser.test_console import sign_in
from tests.standins import TwilioStandin
from tests.standins.server import HOST
from tests.standins.twilio_api import DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN
from tests.support.apps import make_app, make_settings
from tests.support.media_samples import png

pytestmark = pytest.mark.browser
EAST = "+8613800000002"  # 李主任, director of A01-A05, in the demo supervisor's township


PHOTO = png(24, 16)


async def _seed(url: str, twilio: dict[str, Any], photo_url: str) -> dict[str, str]:
    """Demo roster and accounts, then the director's visit report and its photo by SMS/MMS,
    kept in the store by one run of the fetch job."""
    passwords = await _prepare(url)
    app = make_app(url, FakeClock(datetime.now(UTC)), **twilio)
    try:
        at = app.clock.now()
        for pid, text, media in (
            ("v1", "走访 A01 良好 电话 昨天 在校 无", ()),
            ("p1", "照片 A01", (MediaRef(photo_url, "image/png"),)),
        ):
            await app.service.handle(Inbound(Channel.SMS, EAST, pid, at, text=text, media=media))
        assert (await MediaFetcher(app).run_once()).stored == 1
    finally:
        await app.stop()
    return passwords


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    chromium_path()
    with TwilioStandin() as standin:
        photo_url = standin.base_url + standin.recorder.add_media("MM1", "ME1", PHOTO, "image/png")
        twilio: dict[str, Any] = {
            "data_dir": tmp_path_factory.mktemp("data"),
            "twilio_account_sid": DEFAULT_ACCOUNT_SID,
            "twilio_auth_token": DEFAULT_AUTH_TOKEN,
            "twilio_api_base": standin.base_url,
            "twilio_from": "+15005550006",
            "public_url": "http://127.0.0.1:8080",
        }
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('photo') / 'careline.db'}"
        upgrade_sync(url)
        passwords = asyncio.run(_seed(url, twilio, photo_url))
        assert len(standin.recorder.media_fetches) == 1
        standin.recorder.media.clear()  # from now on only the store has the picture
        app = build_app(make_settings(url, simulator=True, **twilio))
        shots = Path(os.environ.get("CARELINE_SCREENSHOTS") or tmp_path_factory.mktemp("shots"))
        shots.mkdir(parents=True, exist_ok=True)
        with LiveServer(create_web_app(app)) as server:
            yield Live(f"http://{HOST}:{server.port}", passwords, shots)
        assert len(standin.recorder.media_fetches) == 1, "opened from the store"


def test_a_supervisor_opens_a_visit_photo(page: Any, live: Live) -> None:
    from playwright.sync_api import expect

    sign_in(page, live, "demo-supervisor", live.passwords["supervisor"])
    page.goto(f"{live.base_url}/console/children/A01")
    expect(page.locator("p.photos")).to_contain_text("照片 1 张")
    live.shot(page, "child-file-photo")
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="查看照片 1").click()
    photo = opened.value
    photo.wait_for_load_state()
    image = photo.locator("img")
    expect(image).to_have_count(1)  # Chromium shows an image document around the picture
    size = image.evaluate("i => [i.naturalWidth, i.naturalHeight]")
    assert size == [24, 16]
    photo.close()
