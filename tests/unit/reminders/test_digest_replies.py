"""Composing reminders with least detail, and parsing guardians' replies."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.core_data import load_schedule
from content.catalog import Catalog
from content.replies import Reply
from content.segments import count_segments
from dialogs.render import render
from reminders.digest import (
    DueItem,
    child_label,
    compose_director_notice,
    compose_guardian_digest,
    dedup_key,
    digest_dedup_keys,
    vaccine_item,
)
from reminders.effects import (
    ConfirmDose,
    ConfirmInsurance,
    ConfirmReminder,
    RouteRemindersToDirector,
)
from reminders.immunization import due_doses
from reminders.replies import items_of, parse_guardian_reply
from tests.support.core import reply_words, shipped_workdays

CATALOG = Catalog.load()
WORKDAYS = shipped_workdays()
WORDS = reply_words()
SCHEDULE = load_schedule()
TODAY = date(2025, 7, 10)


def text(reply: object, locale: str = "zh_Hans") -> str:
    assert reply is not None
    return render(reply, CATALOG, locale, "numbered").text  # type: ignore[arg-type]


def dtap2(child_id: int = 1, name: str = "小明", stage: str = "due") -> DueItem:
    return DueItem(child_id, name, "vaccine", "DTaP2", stage, date(2025, 7, 10), "DTaP", 2, 4)


def insurance(child_id: int = 2, name: str = "小红", stage: str = "before") -> DueItem:
    return DueItem(child_id, name, "insurance", "2026", stage, date(2025, 12, 31))


def test_single_reminder_is_one_short_sms() -> None:
    sms = text(compose_guardian_digest([dtap2()], CATALOG, WORKDAYS))
    assert sms == (
        "【Careline】提醒：小明 应接种 百白破第2剂（4月龄）。接种后回复1，不清楚回复2。退订回TD"
    )
    assert count_segments(sms).segments == 1


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "zh_Hant",
            "【Careline】提醒：小明 應接種 百白破第2劑（4月齡）。"
            "接種後回覆1，不清楚回覆2。退訂回TD",
        ),
        (
            "en",
            "[Careline] 小明: DTaP dose 2 (4 months) is due. Reply 1 when done, "
            "2 if unsure. Reply TD to stop",
        ),
    ],
)
def test_single_reminder_in_other_locales(locale: str, expected: str) -> None:
    assert text(compose_guardian_digest([dtap2()], CATALOG, WORKDAYS), locale) == expected


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (dtap2(stage="before"), "2025年7月10日应接种 百白破第2剂（4月龄）"),
        (dtap2(stage="overdue"), "百白破第2剂（4月龄）已逾期，请尽快补种"),
        (
            DueItem(1, "小明", "vaccine", "BCG", "overdue", date(2025, 1, 1), "BCG", None, 0),
            "卡介苗（出生时）已逾期，请尽快补种",
        ),
        (
            DueItem(1, "小明", "vaccine", "JE-L2", "due", date(2025, 1, 1), "JE-L", 2, 24),
            "应接种 乙脑第2剂（2岁）",
        ),
        (  # ages over 24 months in years: never "162月龄"
            DueItem(1, "小芳", "vaccine", "HPV2", "due", date(2026, 7, 1), "HPV", 2, 162),
            "应接种 HPV第2剂（13岁6个月）",
        ),
        (insurance(), "2026年居民医保请在2025年12月31日前参保"),
        (
            DueItem(2, "小红", "insurance", "2026", "due", date(2025, 10, 1)),
            "2026年居民医保今天截止参保（当天放假，最后工作日9月30日）",
        ),
        (  # beyond the package's years: National Day is computed, still a holiday
            DueItem(2, "小红", "insurance", "2028", "due", date(2027, 10, 1)),
            "2028年居民医保今天截止参保（当天放假，最后工作日9月30日）",
        ),
        (
            DueItem(2, "小红", "residence_permit", "2", "before", date(2026, 3, 14)),
            "居住证请在2026年3月14日前签注（当天周末，最后工作日3月13日）",
        ),
        (
            DueItem(2, "小红", "school_primary", "2026", "overdue", date(2026, 6, 30)),
            "小学入学报名已截止，请尽快联系学校",
        ),
    ],
)
def test_phrases_per_kind_and_stage(item: DueItem, expected: str) -> None:
    sms = text(compose_guardian_digest([item], CATALOG, WORKDAYS))
    assert expected in sms


def test_one_guardian_three_children_one_message() -> None:
    items = [
        dtap2(1, "小明"),
        DueItem(1, "小明", "vaccine", "bOPV1", "due", date(2025, 7, 10), "Polio", 3, 4),
        insurance(2, "小红"),
        DueItem(3, "W.L.", "vaccine", "MMR1", "before", date(2025, 7, 17), "MMR", 1, 8),
    ]
    reply = compose_guardian_digest(items, CATALOG, WORKDAYS)
    assert reply is not None and reply.key == "reminder.digest"
    sms = text(reply)
    assert sms.splitlines() == [
        "【Careline】提醒：",
        "小明：应接种 百白破第2剂（4月龄）；应接种 脊灰第3剂（4月龄）",
        "W.L.：2025年7月17日应接种 麻腮风第1剂（8月龄）",
        "小红：2026年居民医保请在2025年12月31日前参保",
        "都办好后回复1，不清楚回复2。退订回TD",
    ]


def test_digest_keeps_the_most_urgent_stage_and_caps_lines() -> None:
    items = [dtap2(stage="before"), dtap2(stage="overdue"), dtap2(stage="due")]
    assert "已逾期" in text(compose_guardian_digest(items, CATALOG, WORKDAYS))
    many = [dtap2(i, f"孩子{i}") for i in range(1, 7)]
    sms = text(compose_guardian_digest(many, CATALOG, WORKDAYS, max_lines=3))
    assert "孩子1" in sms and "孩子2" in sms and "孩子3" not in sms
    assert "另有4项" in sms
    assert compose_guardian_digest([], CATALOG, WORKDAYS) is None


@pytest.mark.parametrize(
    ("given", "initials", "expected"),
    [
        ("小明", "XM", "小明"),
        ("  ", "X.M.", "X.M."),
        ("110101201801011234", "X.M.", "X.M."),
        ("11010120180101123X", None, None),
        ("C-20931", None, None),
        (None, None, None),
    ],
)
def test_child_label_never_uses_an_id(
    given: str | None, initials: str | None, expected: str | None
) -> None:
    assert child_label(given, initials) == expected


def test_id_like_name_is_replaced_in_messages() -> None:
    item = dtap2(name="110101201801011234")
    sms = text(compose_guardian_digest([item], CATALOG, WORKDAYS))
    assert "1101" not in sms and "您的孩子" in sms


def test_director_variant() -> None:
    reply = compose_director_notice([dtap2(), insurance()], CATALOG, WORKDAYS)
    assert text(reply).splitlines() == [
        "【Careline】请转告小明家：",
        "小明：应接种 百白破第2剂（4月龄）",
        "小红：2026年居民医保请在2025年12月31日前参保",
    ]


def test_vaccine_item_from_due_doses_names_one_dose_vaccines_without_number() -> None:
    birth = date(2024, 1, 10)
    doses = due_doses(
        birth,
        "m",
        [
            "HepB1",
            "HepB2",
            "HepB3",
            "BCG",
            "IPV1",
            "IPV2",
            "bOPV1",
            "DTaP1",
            "DTaP2",
            "DTaP3",
            "MPSV-A1",
            "MPSV-A2",
            "MMR1",
            "JE-L1",
        ],
        date(2025, 7, 10),
        schedule=SCHEDULE,
    )
    edition = load_schedule().in_force(date(2025, 7, 10))
    items = {d.code: vaccine_item(7, "小明", d, "due", edition) for d in doses}
    assert items["HepA-L"].dose is None and items["MMR2"].dose == 2
    assert "甲肝（18月龄）" in text(compose_guardian_digest([items["HepA-L"]], CATALOG, WORKDAYS))


def test_dedup_keys() -> None:
    assert dedup_key(42, "vaccine", "DTaP2", "due") == "rem:42:vaccine:DTaP2:due"
    assert dedup_key(42, "vaccine", "a:b", "due") == "rem:42:vaccine:a_b:due"
    assert dedup_key(1, "vaccine", "DTaP2", "due") != dedup_key(1, "vaccine", "DTaP2", "overdue")
    assert digest_dedup_keys([dtap2(), dtap2(stage="before"), insurance()]) == (
        "rem:1:vaccine:DTaP2:due",
        "rem:2:insurance:2026:before",
    )


PENDING = (
    dtap2(1, "小明"),
    DueItem(1, "小明", "vaccine", "bOPV1", "due", TODAY, "Polio", 3, 4),
    insurance(2, "小红"),
)
DOSES = (ConfirmDose(1, "DTaP2", TODAY), ConfirmDose(1, "bOPV1", TODAY))
FROZEN = tuple(tuple(sorted(i.to_json().items())) for i in PENDING)
ROUTE_ALL = lambda text: (RouteRemindersToDirector(text, FROZEN),)  # noqa: E731


@pytest.mark.parametrize(
    ("reply", "intent", "effects", "key"),
    [
        ("1", "confirm", (*DOSES, ConfirmInsurance(2, 2026)), "reminder.reply.recorded"),
        ("１", "confirm", (*DOSES, ConfirmInsurance(2, 2026)), "reminder.reply.recorded"),
        ("Done.", "confirm", (*DOSES, ConfirmInsurance(2, 2026)), "reminder.reply.recorded"),
        ("已接种", "confirm", DOSES, "reminder.reply.recorded"),
        ("已接種", "confirm", DOSES, "reminder.reply.recorded"),
        ("接种了", "confirm", DOSES, "reminder.reply.recorded"),
        ("今天打了！", "confirm", DOSES, "reminder.reply.recorded"),
        ("已参保", "confirm", (ConfirmInsurance(2, 2026),), "reminder.reply.insurance_confirmed"),
        ("交了", "confirm", (ConfirmInsurance(2, 2026),), "reminder.reply.insurance_confirmed"),
        ("2", "route", ROUTE_ALL("2"), "reminder.reply.routed"),
        ("不知道", "route", ROUTE_ALL("不知道"), "reminder.reply.routed"),
        ("在哪里打？", "route", ROUTE_ALL("在哪里打？"), "reminder.reply.routed"),
        ("打了吗", "route", ROUTE_ALL("打了吗"), "reminder.reply.routed"),
        ("还没打", "route", ROUTE_ALL("还没打"), "reminder.reply.routed"),
        ("not yet", "route", ROUTE_ALL("not yet"), "reminder.reply.routed"),
        ("hello", "unknown", (), "reminder.reply.unknown"),
        ("3", "unknown", (), "reminder.reply.unknown"),
    ],
)
def test_parse_guardian_reply(reply: str, intent: str, effects: tuple, key: str) -> None:
    parsed = parse_guardian_reply(reply, PENDING, today=TODAY, words=WORDS)
    assert (parsed.intent, parsed.effects, parsed.reply.key) == (intent, effects, key)


def test_reply_without_matching_pending_items() -> None:
    assert parse_guardian_reply("1", (), today=TODAY, words=WORDS).intent == "nothing_pending"
    # nothing was sent to her (a reminder cancelled, say): nobody is told, so she is not
    # told "已转告儿童主任" but to contact the director herself
    routed = parse_guardian_reply("2", (), today=TODAY, words=WORDS)
    assert routed.intent == "nothing_pending" and routed.effects == ()
    assert routed.reply == Reply("reminder.reply.nothing_to_route")
    # "已参保" but only a dose was reminded: a person sorts it out
    only_dose = parse_guardian_reply("已参保", (dtap2(),), today=TODAY, words=WORDS)
    frozen = (tuple(sorted(dtap2().to_json().items())),)
    assert only_dose.effects == (RouteRemindersToDirector("已参保", frozen),)


def test_the_answer_lists_what_was_recorded() -> None:
    parsed = parse_guardian_reply("1", PENDING, today=TODAY, words=WORDS)
    assert (
        text(parsed.reply) == "已记录：小明 百白破第2剂、脊灰第3剂；小红 2026年居民医保参保。谢谢！"
    )


def test_an_item_reminded_twice_is_recorded_and_named_once() -> None:
    """Two reminder rows may list one dose (a catch-up and the schedule): the answer to "1"
    names it once ("已记录：乐乐 百白破第1剂、脊灰第1剂", not each twice)."""
    from dialogs.types import State

    twice = [i.to_json() for i in PENDING] * 2
    items = items_of(State("reminder_reply", "await", {"items": twice}).data["items"])
    assert items == list(PENDING)
    parsed = parse_guardian_reply("1", items, today=TODAY, words=WORDS)
    assert (
        text(parsed.reply) == "已记录：小明 百白破第2剂、脊灰第3剂；小红 2026年居民医保参保。谢谢！"
    )


@pytest.mark.parametrize("reply", ["1 小明", "小明 1", "1　小明"])
def test_one_child_of_several(reply: str) -> None:
    """小明's doses are recorded; 小红's insurance still waits for its own "1" (the reply names
    it) instead of being dropped with the conversation."""
    parsed = parse_guardian_reply(reply, PENDING, today=TODAY, words=WORDS)
    assert parsed.effects == DOSES
    assert [i.child_name for i in parsed.pending] == ["小红"]
    assert text(parsed.reply) == (
        "已记录：小明 百白破第2剂、脊灰第3剂。"
        "还有小红 2026年居民医保参保，办好后请再回复1，不清楚回复2。"
    )
    after = parse_guardian_reply("1", parsed.pending, today=TODAY, words=WORDS)
    assert after.effects == (ConfirmInsurance(2, 2026),) and after.pending == ()


def test_one_child_when_only_that_child_was_reminded_ends_the_reply() -> None:
    mine = tuple(i for i in PENDING if i.child_name == "小明")
    parsed = parse_guardian_reply("1 小明", mine, today=TODAY, words=WORDS)
    assert parsed.effects == DOSES and parsed.pending == ()


def test_a_dose_is_not_recorded_before_it_may_be_given() -> None:
    tomorrow = DueItem(
        1, "小明", "vaccine", "DTaP1", "before", TODAY + timedelta(days=1), "DTaP", 1, 2
    )
    parsed = parse_guardian_reply("1", (tomorrow,), today=TODAY, words=WORDS)
    assert parsed.intent == "not_yet" and parsed.effects == ()
    mixed = parse_guardian_reply("1", (tomorrow, insurance(2, "小红")), today=TODAY, words=WORDS)
    assert mixed.effects == (ConfirmInsurance(2, 2026),)
    assert "百白破" not in text(mixed.reply)


def test_bare_one_confirms_school_and_permit_items() -> None:
    item = DueItem(5, "小华", "school_primary", "2026", "before", date(2026, 6, 30))
    assert parse_guardian_reply("1", (item,), today=TODAY, words=WORDS).effects == (
        ConfirmReminder(5, "school_primary", "2026"),
    )


def test_every_reply_key_exists_in_every_locale() -> None:
    for key in (
        "reminder.reply.confirmed",
        "reminder.reply.recorded_others",
        "reminder.reply.dose_confirmed",
        "reminder.reply.insurance_confirmed",
        "reminder.reply.routed",
        "reminder.reply.unknown",
        "reminder.reply.nothing_pending",
    ):
        for locale in ("zh_Hans", "zh_Hant", "en"):
            assert CATALOG.base_template(key, locale), (key, locale)
