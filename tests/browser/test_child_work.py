"""The child's file in a real browser, second part: a supervisor writes to the work log,
records a problem and its solution, returns a visit to the director with a comment, sets a
flag with a reason and records a guardian's consent; an administrator sets a person's
do-not-contact flag."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Live
from tests.browser.test_console import sign_in
from tests.browser.test_hotline_pages import DIRECTOR_EAST, concern

pytestmark = pytest.mark.browser


def test_a_supervisor_works_on_a_childs_file(page: Any, live: Live) -> None:
    from playwright.sync_api import expect

    concern(page, live, DIRECTOR_EAST, "走访 A01 一般 电话 今天")  # a visit to review
    sign_in(page, live, "demo-supervisor", live.passwords["supervisor"])
    for _ in range(50):  # the simulator's message is processed by the live server
        page.goto("/console/children/A01")
        if page.locator("article.visit").count():
            break
        page.wait_for_timeout(200)
    work = page.locator("section[aria-labelledby=h-work]")
    work.get_by_label("类别").select_option("support")
    work.get_by_label("内容").fill("送去冬衣和书包")
    work.get_by_role("button", name="添加").click()
    expect(work).to_contain_text("送去冬衣和书包")
    work.get_by_label("类别").select_option("problem")
    work.get_by_label("内容").fill("家中电线老化")
    work.get_by_role("button", name="添加").click()
    work.get_by_label("解决情况").fill("村委联系电工更换")
    work.get_by_role("button", name="记为已解决").click()
    expect(work).to_contain_text("已解决")
    expect(work).to_contain_text("村委联系电工更换")
    visit = page.locator("article.visit").first
    visit.get_by_label("审核意见").fill("请补充孩子的就学情况。")
    visit.get_by_role("button", name="退回并附意见").click()
    expect(page.locator("article.visit").first).to_contain_text("已退回")
    flags = page.locator("section[aria-labelledby=h-flags]")
    flags.get_by_label("重点儿童").check()
    flags.get_by_label("原因（必填，记入审计日志）").fill("父母外出，监护变差")
    flags.get_by_role("button", name="保存标记").click()
    expect(
        page.locator("section[aria-labelledby=h-flags]").get_by_label("重点儿童")
    ).to_be_checked()
    live.shot(page, "child-file-work")


def test_consent_and_a_persons_flag(page: Any, live: Live) -> None:
    from playwright.sync_api import expect

    sign_in(page, live, "demo-admin", live.passwords["admin"])
    page.goto("/console/children/A02")
    consent = page.locator("section[aria-labelledby=h-consent]")
    expect(consent).to_contain_text("已登记同意")  # the demo children have consent
    consent.get_by_label("原因（必填，记入审计日志）").fill("监护人要求撤回")
    consent.get_by_role("button", name="撤回同意").click()
    consent = page.locator("section[aria-labelledby=h-consent]")
    expect(consent).to_contain_text("未登记同意")
    consent.get_by_role("button", name="登记当面同意").click()
    expect(page.locator("section[aria-labelledby=h-consent]")).to_contain_text("当面同意")
    page.goto("/console/children?consent=missing")
    expect(page.get_by_role("link", name="A02")).to_have_count(0)
    page.goto("/console/people?role=guardian")
    page.locator("main a[href^='/console/people/']").first.click()
    flags = page.locator("section[aria-labelledby=h-flags]")
    flags.get_by_label("请勿联系").check()
    flags.get_by_label("原因（必填，记入审计日志）").fill("监护人要求不再联系")
    flags.get_by_role("button", name="保存标记").click()
    expect(page.locator("main")).to_contain_text("监护人要求不再联系")
