"""The SMS template registry's history in a real browser: two saves are two versions, the
history names who and what, and restoring the first version makes a third, in review."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Live
from tests.browser.test_console import sign_in

pytestmark = pytest.mark.browser
EDIT = "/console/sms-templates/edit?key=welcome.known&provider=aliyun"


def test_template_history_and_restore(page: Any, live: Live) -> None:
    from playwright.sync_api import expect

    sign_in(page, live, "demo-admin", live.passwords["admin"])
    page.goto(EDIT)
    page.get_by_label("模板编号").fill("SMS_200")
    page.get_by_label("签名（不带【】）").fill("护苗")
    page.get_by_label("审核通过的原文").fill("${name}，您好！")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("已保存")
    page.goto(EDIT)
    page.get_by_label("审核通过的原文").fill("${name}，您好！欢迎。")
    page.get_by_role("button", name="保存").click()
    page.goto(EDIT)
    history = page.locator("#history")
    expect(history.locator("tbody tr")).to_have_count(2)
    expect(history.locator("#v2")).to_contain_text("原文")
    expect(history.locator("#v2")).to_contain_text("demo-admin")
    expect(history).not_to_contain_text("user:")
    expect(history.locator("#v1")).to_contain_text("新建")
    history.locator("#v1").get_by_role("button", name="恢复此版本").click()
    expect(page.locator("#restored")).to_contain_text("已恢复第 1 版")
    expect(history.locator("tbody tr")).to_have_count(3)
    expect(history.locator("#v3")).to_contain_text("恢复自第 1 版")
    expect(page.get_by_label("审核通过的原文")).to_have_value("${name}，您好！")
    live.shot(page, "sms_template_history")
