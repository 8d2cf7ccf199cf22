"""The child's file, account reset and the audit viewer in a real browser: a supervisor finds
a child, reads the file and downloads the XLSX; an administrator resets an account's password
(the one-time code is shown once) and finds the supervisor's read in the audit log."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import Live
from tests.browser.test_console import sign_in

pytestmark = pytest.mark.browser
_CODE = re.compile(r"^([A-HJ-NP-Z2-9]{4}-){3}[A-HJ-NP-Z2-9]{4}$")


def test_a_supervisor_reads_and_exports_a_childs_file(page: Any, live: Live) -> None:
    from playwright.sync_api import expect

    sign_in(page, live, "demo-supervisor", live.passwords["supervisor"])
    page.get_by_role("link", name="儿童档案").click()
    page.get_by_label("编号或姓名").fill("A01")
    page.get_by_role("button", name="查找").click()
    page.get_by_role("link", name="A01").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("A01")
    for section in (
        "基本信息",
        "监护人及联系渠道",
        "走访记录",
        "已发送的提醒",
        "预防接种记录",
        "个案",
    ):
        expect(page.get_by_role("heading", name=section, exact=True)).to_be_visible()
    shown = page.locator("main").inner_text()  # words, not codes (relations, vaccine doses)
    assert not re.search(r"\((grand)?parent\)", shown), shown
    assert not re.search(r"\b(HepB|BCG|Polio|DTaP|MMR|JE-L|HepA-L|MPSV-A)\d\b", shown), shown
    assert "乙肝第1剂" in shown
    live.shot(page, "child-file")
    with page.expect_download() as info:
        page.get_by_role("link", name="导出档案（XLSX）").click()
    assert info.value.suggested_filename.startswith("child-A01-")


def test_an_administrator_resets_a_password_and_reads_the_audit(page: Any, live: Live) -> None:
    from playwright.sync_api import expect

    sign_in(page, live, "demo-admin", live.passwords["admin"])
    page.goto("/console/children/A01")  # a read of our own, for the audit log
    page.get_by_role("link", name="账号").click()
    row = page.locator("#account-demo-hotline")
    row.get_by_role("button", name="重置密码").click()
    code = page.locator("code.reset-code")
    expect(code).to_have_text(_CODE)
    live.shot(page, "accounts")
    page.goto("/console/accounts")  # shown once: the list does not show it again
    expect(page.locator("code.reset-code")).to_have_count(0)
    expect(page.locator("#account-demo-hotline")).to_contain_text("须改密码")
    page.get_by_role("link", name="审计日志").click()
    page.get_by_label("动作").select_option("account.reset")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_label("动作").select_option("read")
    page.get_by_label("对象类型").select_option("child")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("tbody tr").first).to_contain_text("user:demo-admin")
    live.shot(page, "audit")
