"""Print transcripts of a guardian, a director and a hotline worker over the mainland channels,
against the local stand-ins (real SDKs, real HTTP to the stand-ins, pushes into the app):

    .venv/bin/python -m tests.e2e.mainland.transcripts
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.reminders import plan
from storage.db import upgrade_sync
from storage.models import Case, DoseGiven, Person
from tests.e2e.mainland.test_wecom_staff import CHEN, LI, staff_world
from tests.e2e.mainland.world import ALI_TOKEN, NOW, mainland_world
from tests.integration.reminders.roster import Roster
from tests.standins.mainland_sms import Sent, aliyun_up


def handset(sent: Sent, templates: dict[str, tuple[str, str, str]]) -> str:
    sign, text, _ = templates[sent.template]
    if isinstance(sent.params, dict):
        body = re.sub(r"\$\{(\w+)\}", lambda m: str(sent.params.get(m.group(1), "")), text)
    else:
        body = re.sub(r"\{(\d+)\}", lambda m: str(sent.params[int(m.group(1)) - 1]), text)
    return f"【{sign}】{body}"


def say(who: str, arrow: str, text: str) -> None:
    lines = text.splitlines() or [""]
    print(f"  {who} {arrow} {lines[0]}")
    for line in lines[1:]:
        print(f"  {' ' * len(who)}   {line}")


async def versions(w: Any) -> dict[str, str]:
    """provider template code -> "v<version>" as recorded on the sent rows."""
    from storage.models import OutboxMessage, SmsTemplateVersion

    async with w.app.db.transaction() as s:
        rows = await s.execute(
            select(SmsTemplateVersion.template_code, SmsTemplateVersion.version).join(
                OutboxMessage, OutboxMessage.template_version_id == SmsTemplateVersion.id
            )
        )
        return {code: f"v{v}" for code, v in rows.all()}


async def guardian(url: str) -> None:
    print("\n## Guardian 张奶奶 (basic phone, domestic SMS via Alibaba Cloud)\n")
    async with mainland_world(url) as w:
        async with w.app.db.transaction() as s:
            r = await Roster(s, NOW).setup()
            gran = await r.person(name="张奶奶")
            await r.child(date(2026, 1, 2), [gran], display_name="乐乐")
        await plan(w.app)
        await w.run()
        for sent in w.sent(gran.phone):
            say(
                "Careline",
                "→",
                f"[{sent.provider} {sent.template} {(await versions(w)).get(sent.template, '')}] "
                + handset(sent, w.ali.state.templates),
            )
        say("张奶奶", "←", "1   (SmsUp push to /webhooks/aliyun-sms/{token}/up)")
        resp = await w.post(
            f"/webhooks/aliyun-sms/{ALI_TOKEN}/up", [aliyun_up(gran.phone or "", "1", 1, NOW)]
        )
        print(f"           provider got {resp.json()}")
        await w.run()
        sent = w.sent(gran.phone)[-1]
        say(
            "Careline",
            "→",
            f"[{sent.provider} {sent.template} {(await versions(w)).get(sent.template, '')}] "
            + handset(sent, w.ali.state.templates),
        )
        async with w.app.db.transaction() as s:
            doses = sorted((await s.execute(select(DoseGiven.code))).scalars())
        print(f"           recorded doses: {doses}")
        say("张奶奶", "←", "退订")
        await w.post(
            f"/webhooks/aliyun-sms/{ALI_TOKEN}/up", [aliyun_up(gran.phone or "", "退订", 2, NOW)]
        )
        await w.run()
        sent = w.sent(gran.phone)[-1]
        say(
            "Careline",
            "→",
            f"[{sent.provider} {sent.template} {(await versions(w)).get(sent.template, '')}] "
            + handset(sent, w.ali.state.templates),
        )


def wecom_text(m: dict[str, Any]) -> str:
    if m["msgtype"] == "text":
        return str(m["text"]["content"])
    card = m["template_card"]
    buttons = " ".join(f"[{b['text']}]" for b in card["button_list"])
    return f"<card> {card['main_title']['title']}\n{card['sub_title_text']}\n{buttons}"


async def staff(url: str) -> None:
    async with staff_world(url) as w:
        print("\n## Child director 李主任 (WeCom self-built app)\n")
        seen: dict[str, int] = {LI: 0, CHEN: 0}

        async def show(user: str, name: str) -> None:
            msgs = w.wecom.state.to(user)
            for m in msgs[seen[user] :]:
                say("Careline", f"→ {name}", wecom_text(m))
            seen[user] = len(msgs)

        for text in ("走访 A04 差 电话 昨天 失学 备注 父亲联系不上", "待访", "2"):
            say("李主任", "←", text)
            await w.says(LI, text)
            await w.run()
            await show(LI, "李主任")
        print("\n## Hotline worker 陈热线 (WeCom: the alert card and its 认领 button)\n")
        await show(CHEN, "陈热线")
        card = w.cards(CHEN)[-1]["template_card"]
        key = card["button_list"][0]["key"]
        say("陈热线", "←", f"presses [认领] (template_card_event, EventKey {key})")
        event = w.wecom.card_event_xml(CHEN, key, card["task_id"], "rc-demo", int(NOW.timestamp()))
        await w.push(event)
        await w.run()
        for update in w.wecom.state.card_updates:
            say("Careline", "⟳ card", f"update_template_card → {update['button']['replace_name']}")
        await show(CHEN, "陈热线")
        ref = key.removeprefix("claim:")
        async with w.app.db.transaction() as s:
            case = (await s.execute(select(Case).where(Case.ref == ref))).scalar_one()
            owner = await s.get(Person, case.owner_id)
        print(f"           case {ref}: status {case.status}, owner {owner.name if owner else None}")

        print(
            "\n## Hotline worker 陈热线: a burst of alerts is one card (WeCom: 30/min per member)\n"
        )
        from tests.e2e.mainland.test_wecom_alert_burst import new_case_alerted

        await w.run()
        await show(CHEN, "陈热线")
        refs = []
        for i in range(4):
            refs.append(await new_case_alerted(w, i))
            print(
                f"           {w.clock.now():%H:%M:%S.%f}"[:-3]
                + f" case {refs[-1]} opened, alert queued"
            )
            w.clock.advance(seconds=0.5)
        await w.run()
        await show(CHEN, "陈热线")
        card = w.cards(CHEN)[-1]["template_card"]
        key = card["button_list"][1]["key"]
        say("陈热线", "←", f"presses [{card['button_list'][1]['text']}] (EventKey {key})")
        event = w.wecom.card_event_xml(
            CHEN, key, card["task_id"], "rc-burst", int(w.clock.now().timestamp())
        )
        await w.push(event)
        await w.run()
        new = w.wecom.state.card_updates[-1]["template_card"]
        say(
            "Careline",
            "⟳ card",
            "update_template_card → "
            + wecom_text({"msgtype": "template_card", "template_card": new}),
        )
        await show(CHEN, "陈热线")
        async with w.app.db.transaction() as s:
            for r in refs:
                case = (await s.execute(select(Case).where(Case.ref == r))).scalar_one()
                print(f"           case {r}: status {case.status}")
        print(
            f"           WeCom messages to 陈热线 accepted {len(w.wecom.state.to(CHEN))},"
            f" dropped {len(w.wecom.state.dropped)}"
        )


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, run in (("g", guardian), ("s", staff)):
            url = f"sqlite+aiosqlite:///{Path(tmp) / (name + '.db')}"
            await asyncio.to_thread(upgrade_sync, url)
            await run(url)


if __name__ == "__main__":
    asyncio.run(main())
