"""A guardian's "1" to a catch-up reminder records only the doses her SMS named.

A cold trial: 张奶奶 got "…可补种：乙肝第1剂、…等共7剂…" and replied 1; all 7 doses were
recorded although "等" hid one of them (HPV). Now the reminder names every dose of the batch
(it fits a long SMS), and "1" records exactly those; a batch too large to name (none is
planned today) records the named ones and asks about the rest.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.core_data import load_schedule
from content.catalog import Catalog
from content.sms_templates import MAX_CHARS
from dialogs.render import render
from dialogs.types import Channel, Context, State
from reminders.digest import (
    MAX_CATCH_UP_DOSES,
    DueItem,
    catch_up_item,
    compose_guardian_digest,
    first_batch,
    item_label,
)
from reminders.effects import ConfirmDose, ConfirmReminder
from reminders.immunization import plan_doses
from reminders.replies import items_of, parse_guardian_reply
from tests.support.core import reminder_reply_flow, reply_words, shipped_workdays

WORDS = reply_words()
SCHEDULE = load_schedule()
FLOW = reminder_reply_flow()

CATALOG = Catalog.load()
WORKDAYS = shipped_workdays()
AS_OF = date(2026, 3, 2)


def text(reply: object, locale: str = "zh_Hans") -> str:
    return render(reply, CATALOG, locale, "numbered").text  # type: ignore[arg-type]


def batch_item(birth: date, sex: str) -> tuple[DueItem, date]:
    plan = plan_doses(birth, sex, {}, AS_OF, schedule=SCHEDULE)
    first = plan.first_batch()
    assert first is not None
    day = max(first.day, AS_OF)
    plan = plan_doses(birth, sex, {}, day, schedule=SCHEDULE)
    return catch_up_item(1, "小花", first_batch(plan, day), plan.edition, day), day


def label(item: DueItem, i: int) -> str:
    one = replace(item, doses=(item.doses[i],), dose_names=(item.dose_names[i],))
    return CATALOG.param_texts({"label": item_label(one)}, "zh_Hans")["label"]


def recorded(effects: tuple[object, ...]) -> list[str]:
    return [e.code for e in effects if isinstance(e, ConfirmDose)]


# --- every real batch, no record at all: the SMS names each dose, "1" records exactly those --
CASES = [
    (date(2012, 6, 1), "f"),  # 张奶奶's granddaughter, 13: HPV1 among 7 doses
    (date(2020, 3, 1), "m"),  # 6 years, 7 doses
    (date(2020, 3, 1), "f"),
    (date(2015, 1, 15), "f"),
    (date(2011, 12, 1), "f"),  # first HPV cohort
    (date(2010, 5, 1), "m"),
    (date(2008, 9, 1), "f"),  # 17
    (date(2023, 2, 1), "m"),
    (date(2025, 6, 1), "f"),  # infant
]


@pytest.mark.parametrize(("birth", "sex"), CASES)
def test_one_records_exactly_the_doses_the_sms_named(birth: date, sex: str) -> None:
    item, day = batch_item(birth, sex)
    assert item.doses
    sms = text(compose_guardian_digest([item], CATALOG, WORKDAYS))
    labels = [label(item, i) for i in range(len(item.doses))]
    assert "等共" not in sms, sms
    assert all(name in sms for name in labels), sms
    parsed = parse_guardian_reply("1", [item], today=day, words=WORDS)
    assert recorded(parsed.effects) == list(item.doses)
    assert text(parsed.reply) == "已记录：小花 " + "、".join(labels) + "。谢谢！"
    assert parsed.pending == ()


def test_the_trial_case_names_hpv() -> None:
    item, _ = batch_item(date(2012, 6, 1), "f")
    assert set(item.doses) == {"HPV1", "HepA-L", "HepB1", "IPV1", "JE-L1", "MMR1", "MPSV-AC1"}
    assert "HPV第1剂" in text(compose_guardian_digest([item], CATALOG, WORKDAYS))


@pytest.mark.parametrize(("birth", "sex"), CASES)
@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant", "en"])
def test_a_whole_batch_fits_a_long_sms(birth: date, sex: str, locale: str) -> None:
    item, _ = batch_item(birth, sex)
    assert len(text(compose_guardian_digest([item], CATALOG, WORKDAYS), locale)) <= MAX_CHARS


# --- a batch too large to name: "1" records the named doses and asks about the rest ---------
def big_batch() -> DueItem:
    n = MAX_CATCH_UP_DOSES + 2
    codes = tuple(f"X{i}" for i in range(n))
    names = ("HPV/1", "HepB/1", "IPV/1", "MMR/1", "JE-L/1", "HepA-L/", "MPSV-AC/1") * 3
    return DueItem(
        1, "小花", "vaccine", "catchup:x", "catchup", AS_OF, doses=codes, dose_names=names[:n]
    )


def test_a_shortened_batch_records_only_what_was_named_and_asks_about_the_rest() -> None:
    item = big_batch()
    sms = text(compose_guardian_digest([item], CATALOG, WORKDAYS))
    assert f"等共{len(item.doses)}剂" in sms
    parsed = parse_guardian_reply("1", [item], today=AS_OF, words=WORDS)
    assert recorded(parsed.effects) == list(item.doses[:MAX_CATCH_UP_DOSES])
    assert ConfirmReminder(1, "vaccine", "catchup:x") in parsed.effects
    (rest,) = parsed.pending
    assert rest.doses == item.doses[MAX_CATCH_UP_DOSES:]
    answer = text(parsed.reply)
    named = "、".join(label(item, i) for i in range(MAX_CATCH_UP_DOSES))
    others = "、".join(label(item, i) for i in range(MAX_CATCH_UP_DOSES, len(item.doses)))
    assert answer == (
        f"已记录：小花 {named}。还有小花 {others}没有记录，打过了请再回复1，不清楚回复2。"
    )
    again = parse_guardian_reply("1", [rest], today=AS_OF, words=WORDS)
    assert recorded(again.effects) == list(rest.doses) and again.pending == ()


def test_the_flow_waits_for_the_rest_then_ends() -> None:
    from dialogs.flow import Answer

    item = big_batch()
    state = State("reminder_reply", "await", {"items": [item.to_json()]})
    ctx = Context(datetime(2026, 3, 2, 2, tzinfo=UTC), AS_OF, "zh_Hans", None, Channel.CONSOLE)
    first = FLOW.handle(state, Answer("1", None), ctx)
    assert first.state.flow == "reminder_reply"
    assert [i.doses for i in items_of(first.state.data["items"])] == [
        item.doses[MAX_CATCH_UP_DOSES:]
    ]
    assert recorded(first.effects) == list(item.doses[:MAX_CATCH_UP_DOSES])
    second = FLOW.handle(first.state, Answer("1", None), ctx)
    assert second.state.flow is None
    assert recorded(second.effects) == list(item.doses[MAX_CATCH_UP_DOSES:])
