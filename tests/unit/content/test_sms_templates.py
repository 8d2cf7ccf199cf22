"""The template registry's pure rules: handset preview, billed parts, lints, parameters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.channels import aliyun_sms, tencent_sms
from bot.channels.mainland_sms import ErrorClass, next_window
from content.sms_templates import (
    ALIYUN,
    APPROVED,
    TENCENT,
    TemplateParamError,
    TemplateSpec,
    Variable,
    billed_parts,
    catalog_to_provider_text,
    export_lines,
    lint,
    matches_catalog,
    preview,
    provider_params,
)

ALI = TemplateSpec(
    key="reminder.single",
    provider=ALIYUN,
    template_code="SMS_1",
    sign_name="护苗",
    text="提醒：${child}应接种${vaccine}，接种后回复1。",
    variables=(Variable("child", "child", 6), Variable("vaccine", "vaccine", 10)),
    status=APPROVED,
)
TC = TemplateSpec(
    key="reminder.single",
    provider=TENCENT,
    template_code="1001",
    sign_name="护苗",
    text="提醒：{1}应接种{2}，接种后回复1。",
    variables=(Variable("child", "1", 6), Variable("vaccine", "2", 6)),
    status=APPROVED,
)


@pytest.mark.parametrize(
    ("n", "parts"), [(0, 0), (1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (500, 8)]
)
def test_billed_parts_70_then_67(n: int, parts: int) -> None:
    assert billed_parts("字" * n) == parts


def test_preview_is_what_the_handset_shows() -> None:
    p = preview(ALI, {"child": "小明", "vaccine": "百白破"})
    assert p.text == "【护苗】提醒：小明应接种百白破，接种后回复1。"
    assert (p.chars, p.parts) == (len(p.text), 1)
    assert preview(TC).text == "【护苗】提醒：{child}应接种{vaccine}，接种后回复1。"


def test_parameters_named_for_alibaba_positional_for_tencent_all_strings() -> None:
    assert provider_params(ALI, {"child": "小明", "vaccine": 3}) == {
        "child": "小明",
        "vaccine": "3",
    }
    assert provider_params(TC, {"vaccine": "乙肝", "child": "小明"}) == ["小明", "乙肝"]


@pytest.mark.parametrize(
    ("values", "code"),
    [
        ({"child": "小明"}, "missing_param"),
        ({"child": "小明小明小明小", "vaccine": "x"}, "param_too_long"),
        ({"child": "小明", "vaccine": "www.x.cn"}, "param_url"),
        ({"child": "【小明】", "vaccine": "x"}, "param_brackets"),
    ],
)
def test_values_that_do_not_fit_are_refused_never_truncated(
    values: dict[str, str], code: str
) -> None:
    with pytest.raises(TemplateParamError) as err:
        provider_params(ALI, values)
    assert err.value.code == code


def codes(spec: TemplateSpec, **kw: object) -> set[str]:
    return {f.code for f in lint(spec, **kw)}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"text": "详见 https://careline.example.org ${child}${vaccine}"}, "url"),
        ({"text": "【通知】${child}应接种${vaccine}"}, "brackets"),
        ({"text": "${child}应接种${vaccine}，拒收请回复R"}, "marketing_opt_out"),
        ({"text": "${child}应接种${vaccine}，退订回T"}, "marketing_opt_out"),
        ({"text": "${child}应接种"}, "variables_mismatch"),
        ({"sign_name": ""}, "no_signature"),
        ({"sign_name": "【护苗】"}, "signature_brackets"),
        ({"text": "好" * 500 + "${child}${vaccine}"}, "too_long"),
    ],
)
def test_lints(change: dict[str, str], code: str) -> None:
    from dataclasses import replace

    assert code in codes(replace(ALI, **change))  # type: ignore[arg-type]


def test_tencent_lints_positions_and_adjacent_variables() -> None:
    from dataclasses import replace

    assert "positions" in codes(replace(TC, text="{1}应接种，{3}", variables=(
        Variable("child", "1"), Variable("vaccine", "3"))))  # fmt: skip
    assert "adjacent_variables" in codes(replace(TC, text="提醒{1}{2}"))


def test_a_clean_template_has_no_lints_and_drift_is_a_warning() -> None:
    assert codes(ALI) == set()
    catalog = "提醒：{child}应接种{vaccine}，接种后回复1。"
    assert matches_catalog(ALI, catalog) and matches_catalog(TC, catalog)
    found = lint(ALI, catalog_text="提醒：{child}该打{vaccine}了。")
    assert [(f.code, f.severity) for f in found] == [("catalog_drift", "warning")]


def test_catalog_text_becomes_provider_text_without_signature_or_opt_out() -> None:
    text, variables = catalog_to_provider_text(
        TENCENT, "【Careline】提醒：{child} {text}。{ask}退订回TD"
    )
    assert text == "提醒：{1} {2}。{3}"
    assert [v.param for v in variables] == ["child", "text", "ask"]


def test_export_lines_for_approval() -> None:
    [row] = export_lines([ALI])
    assert row["handset_sample"].startswith("【护苗】") and row["parts"] == "1"
    assert row["variables"] == "child=child<=6;vaccine=vaccine<=10"


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("isv.BUSINESS_LIMIT_CONTROL", ErrorClass.DEFER),
        ("isv.DAY_LIMIT_CONTROL", ErrorClass.ACCOUNT),
        ("isv.OUT_OF_SERVICE", ErrorClass.ACCOUNT),
        ("isv.SMS_TEMPLATE_ILLEGAL", ErrorClass.PERMANENT),
        ("isv.MOBILE_NUMBER_ILLEGAL", ErrorClass.BAD_NUMBER),
        ("isp.SYSTEM_ERROR", ErrorClass.RETRY),
        ("isv.SOMETHING_NEW", ErrorClass.PERMANENT),
    ],
)
def test_alibaba_error_classes(code: str, kind: ErrorClass) -> None:
    assert aliyun_sms.classify(code).kind == kind


@pytest.mark.parametrize(
    ("code", "kind", "window"),
    [
        ("LimitExceeded.PhoneNumberThirtySecondLimit", ErrorClass.DEFER, "30s"),
        ("LimitExceeded.PhoneNumberDailyLimit", ErrorClass.DEFER, "day"),
        ("LimitExceeded.AppDailyLimit", ErrorClass.ACCOUNT, None),
        ("FailedOperation.PhoneNumberInBlacklist", ErrorClass.BLOCKED, None),
        ("InternalError.Timeout", ErrorClass.RETRY, None),
        ("FailedOperation.TemplateIncorrectOrUnapproved", ErrorClass.PERMANENT, None),
    ],
)
def test_tencent_error_classes(code: str, kind: ErrorClass, window: str | None) -> None:
    err = tencent_sms.classify(code)
    assert (err.kind, err.window) == (kind, window)


def test_alibaba_flow_control_window_is_read_from_the_message() -> None:
    assert (
        aliyun_sms.classify("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1").window
        == "minute"
    )
    assert (
        aliyun_sms.classify("isv.BUSINESS_LIMIT_CONTROL", "触发天级流控Permits:10").window == "day"
    )
    assert aliyun_sms.classify("isv.BUSINESS_LIMIT_CONTROL", "触发小时级流控").window == "hour"


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        ("30s", datetime(2026, 3, 2, 15, 59, 50, tzinfo=UTC)),
        ("minute", datetime(2026, 3, 2, 16, 0, tzinfo=UTC)),
        ("hour", datetime(2026, 3, 2, 16, 0, tzinfo=UTC)),
        ("day", datetime(2026, 3, 2, 16, 0, tzinfo=UTC)),  # 00:00 in China
    ],
)
def test_next_window_is_a_calendar_window_in_china(window: str, expected: datetime) -> None:
    now = datetime(2026, 3, 2, 15, 59, 20, tzinfo=UTC)  # 23:59:20 in China
    assert next_window(now, window) == expected
