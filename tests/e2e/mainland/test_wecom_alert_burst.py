"""A burst of hotline alerts to one WeCom member: merged into cards, none dropped, none held
back behind the per-member limit (30 a minute), every case still claimable from its card."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.hotline.alerts import alert_staff
from bot.hotline.runtime import hotline_of
from storage.db import Database
from storage.models import Case, OutboxMessage, Person
from storage.repos import cases as cases_repo
from tests.e2e.mainland.test_wecom_staff import CHEN, Staff, staff_world

pytestmark = pytest.mark.e2e
BURST, EVERY = 40, 1.5  # 40 alerts, one every 1.5 s: all within a minute


async def new_case_alerted(w: Staff, i: int) -> str:
    hl = hotline_of(w.app)
    now = w.clock.now()
    async with w.app.db.transaction() as s:
        case = await cases_repo.create_case(
            s,
            now=now,
            tz=hl.tz,
            category="violence_abuse",
            severity="high",
            source="screen",
            reporter_role="unknown",
            reporter_channel="sms",
            reporter_address=f"+86139{i:08d}",
            ack_due_at=now + timedelta(minutes=30),
            in_danger=i % 2 == 0,
        )
        await alert_staff(hl, s, case, reason="created", now=now)
        return case.ref


async def burst(w: Staff) -> list[str]:
    """Alerts arrive on the clock while the alert loop sends (its pacing moves the clock)."""
    start, refs = w.clock.now(), []
    while len(refs) < BURST:
        due = start + timedelta(seconds=EVERY * len(refs))
        if w.clock.now() >= due:
            refs.append(await new_case_alerted(w, len(refs)))
            continue
        stats = await w.app.dispatcher.run_once(alerts_only=True)
        if stats.handled == 0:
            w.clock.set(due)
    assert w.clock.now() - start < timedelta(minutes=1, seconds=5)
    await w.run()
    return refs


def buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    return list(card["template_card"]["button_list"])


async def test_a_burst_of_40_alerts_is_merged_none_dropped_none_held_back(db: Database) -> None:
    async with staff_world(db.url) as w:
        refs = await burst(w)
        state = w.wecom.state
        assert state.dropped == []
        cards = w.cards(CHEN)
        keys = [b["key"] for c in cards for b in buttons(c)]
        assert sorted(keys) == sorted(f"claim:{r}" for r in refs)  # each case once, claimable
        assert len(cards) < BURST and any(len(buttons(c)) > 1 for c in cards)
        merged = next(c for c in cards if len(buttons(c)) > 1)["template_card"]
        assert (
            merged["main_title"]["title"] == f"{len(buttons({'template_card': merged}))} 个新案件"
        )
        assert "此刻有危险" in merged["sub_title_text"] and "+86139" not in str(cards)
        # the member's messages stay within 30 in any minute (and WeCom's hourly 1,000)
        times = [t for m, t in zip(state.messages, state.accepted_at, strict=True)
                 if CHEN in m["touser"].split("|")]  # fmt: skip
        assert all(sum(1 for u in times if t <= u < t + 60) <= 30 for t in times)
        # no alert waits behind the pace: each went out within one pacing interval (3.6 s)
        async with w.app.db.transaction() as s:
            rows = list(
                (
                    await s.execute(
                        select(OutboxMessage).where(
                            OutboxMessage.channel == "wecom", OutboxMessage.address == CHEN
                        )
                    )
                ).scalars()
            )
        assert len(rows) == BURST and {r.status for r in rows} == {"sent"}
        delays = [(r.sent_at - r.created_at).total_seconds() for r in rows if r.sent_at]
        assert max(delays) <= 4.0, sorted(delays)[-5:]


async def test_each_case_on_a_merged_card_is_claimed_and_the_card_updated(db: Database) -> None:
    async with staff_world(db.url) as w:
        await burst(w)
        card = next(c for c in w.cards(CHEN) if len(buttons(c)) > 2)["template_card"]
        pressing = [b["key"] for b in card["button_list"]]
        for n, key in enumerate(pressing, start=1):
            created = int(w.clock.now().timestamp())
            event = w.wecom.card_event_xml(CHEN, key, card["task_id"], f"rc-m{n}", created)
            for _ in range(2):  # a repeated push is one claim and one update
                assert (await w.push(event)).status_code == 200
            await w.run()
            async with w.app.db.transaction() as s:
                case = (
                    await s.execute(select(Case).where(Case.ref == key.removeprefix("claim:")))
                ).scalar_one()
                owner = await s.get(Person, case.owner_id)
            assert owner is not None and owner.name == "陈热线"
            update = w.wecom.state.card_updates[-1]
            assert update["response_code"] == f"rc-m{n}" and update["userids"] == [CHEN]
            if n < len(pressing):
                new = update["template_card"]
                assert [b["key"] for b in new["button_list"]] == pressing[n:]
                assert new["sub_title_text"].count("已由 陈热线 认领") == n
                assert new["task_id"] == card["task_id"]
            else:
                assert update["button"] == {"replace_name": "已全部认领"}
        assert len(w.wecom.state.card_updates) == len(pressing)
