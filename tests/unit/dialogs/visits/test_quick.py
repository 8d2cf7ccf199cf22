from __future__ import annotations

from datetime import date

import pytest

from dialogs.flows.visit import quick_problem_reply
from dialogs.visits.quick import parse_quick, split_parts
from dialogs.visits.report import dedup_key

TODAY = date(2026, 3, 10)


@pytest.mark.parametrize(
    ("text", "parts", "notes"),
    [
        ("A12 良好 在校", ("A12", "良好", "在校"), ""),
        ("A12良好 在校", ("A12", "良好", "在校"), ""),
        ("A12，良好、在校；无", ("A12", "良好", "在校", "无"), ""),
        ("A12 良好 备注 奶奶 照顾好", ("A12", "良好"), "奶奶 照顾好"),
        ("A12 良好 備註：奶奶照顧好", ("A12", "良好"), "奶奶照顧好"),
        ("A12 G note: lives with gran", ("A12", "G"), "lives with gran"),
        ("A12 G Notes lives", ("A12", "G"), "lives"),
        ("A12 G notebook", ("A12", "G", "notebook"), ""),
        ("3.5 良好", ("3.5", "良好"), ""),
    ],
)
def test_split_parts(text: str, parts: tuple[str, ...], notes: str) -> None:
    got_parts, _, got_notes = split_parts(text)
    assert (got_parts, got_notes) == (parts, notes)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A12 良好", {"assessment": "good", "kind": "home", "date": "2026-03-10"}),
        ("A12 G", {"assessment": "good"}),
        (
            "A12 average phone yesterday",
            {"assessment": "average", "kind": "contact", "date": "2026-03-09"},
        ),
        ("A12 差 他处 3.1", {"assessment": "poor", "kind": "elsewhere", "date": "2026-03-01"}),
        ("A12 良好在校健康", {"school": "in", "health": "healthy"}),
        (
            "A12 一般 独居 失学 有伤 自伤 用电",
            {
                "living": "alone",
                "school": "out",
                "health": "injury",
                "mental": "self_harm",
                "safety": "electric",
            },
        ),
        ("A12 良好 在校", {"health": "skip", "needs": "skip"}),
        ("A12 良好 在校 无", {"health": "healthy", "needs": "none", "care": "parents"}),
        ("A12 良好 无人照护 无", {"care": "none", "living": "ok"}),
        ("A12 良好 備註 好", {"notes": "好"}),
    ],
)
def test_parse_quick_answers(text: str, expected: dict[str, str]) -> None:
    report = parse_quick(text, TODAY, 60)
    assert report.problem is None
    assert report.child_query == "A12"
    assert {k: report.answers[k] for k in expected} == expected


@pytest.mark.parametrize(
    ("text", "kind", "parts"),
    [
        ("A12 良好 在笑", "bad_parts", ((3, "在笑"),)),
        ("A12 xx 良好 yy", "bad_parts", ((2, "xx"), (4, "yy"))),
        ("A12 良好 13.45", "bad_parts", ((3, "13.45"),)),
        ("A12 良好 3.20", "future_date", ((3, "3.20"),)),
        ("A12 良好 差", "conflict", ((2, "良好"), (3, "差"))),
        ("A12 电话 入户 良好", "conflict", ((2, "电话"), (3, "入户"))),
        ("A12 在校", "no_assessment", ()),
        ("", "no_child", ()),
    ],
)
def test_parse_quick_problems(text: str, kind: str, parts: tuple[tuple[int, str], ...]) -> None:
    report = parse_quick(text, TODAY, 60)
    assert report.problem is not None
    assert (report.problem.kind, report.problem.parts) == (kind, parts)


def test_corrected_example_drops_the_bad_parts() -> None:
    report = parse_quick("A12 xx 良好 在校 备注 很好", TODAY, 60)
    assert report.example((2,)) == "A12 良好 在校 备注 …"


@pytest.mark.parametrize(
    ("text", "key", "params"),
    [
        (
            "A12 xx 良好 在校",
            "visit.quick.bad_parts",
            {"parts": "“xx”(2)", "fixed": "A12 良好 在校"},
        ),
        (
            "A12 很好 在校",
            "visit.quick.bad_parts_no_assessment",
            {"parts": "“很好”(2)", "child": "A12", "rest": "在校"},
        ),
        (
            "A12 很好 备注 奶奶",
            "visit.quick.bad_parts_no_assessment",
            {"parts": "“很好”(2)", "child": "A12", "rest": "备注 …"},
        ),
    ],
)
def test_the_corrected_example_is_a_report_that_saves(
    text: str, key: str, params: dict[str, str]
) -> None:
    reply = quick_problem_reply(parse_quick(text, TODAY, 60))
    assert reply is not None and (reply.key, dict(reply.params)) == (key, params)


def test_same_report_same_dedup_key_and_different_report_different_key() -> None:
    one = parse_quick("A12 良好 在校 备注 好", TODAY, 60).answers
    again = parse_quick("A12  良好，在校 备注 好", TODAY, 60).answers
    other = parse_quick("A12 一般 在校 备注 好", TODAY, 60).answers
    assert dedup_key(1, one) == dedup_key(1, again)
    assert dedup_key(1, one) != dedup_key(1, other)
    assert dedup_key(1, one) != dedup_key(2, one)


def test_long_glued_text_is_refused_quickly() -> None:
    report = parse_quick("A12 良好" + "良好" * 200, TODAY, 60)
    assert report.problem is not None and report.problem.kind == "bad_parts"
