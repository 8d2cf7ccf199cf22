"""The console in a real browser: sign-in and throttling, publish a text and see the bot use
it, a roster with one bad row, and a role that must not see a page."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from bot.web.console.roster import COLUMNS, EXAMPLE
from tests.browser.conftest import Live

pytestmark = pytest.mark.browser


def sign_in(page: Any, live: Live, username: str, password: str) -> None:
    page.goto("/console/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_sign_in_throttle_and_sign_out(page: Any, live: Live) -> None:
    from playwright.sync_api import expect

    page.goto("/console/people")
    expect(page).to_have_url(f"{live.base_url}/console/login?next=/console/people")
    live.shot(page, "login")
    for _ in range(5):
        sign_in(page, live, "demo-supervisor", "not-the-password-1")
        expect(page.locator("#login-error")).to_contain_text("用户名或密码不正确")
    sign_in(page, live, "no-such-user", "not-the-password-1")  # the same answer
    expect(page.locator("#login-error")).to_contain_text("用户名或密码不正确")
    # failures slow an account down but never lock it: the right password still works
    sign_in(page, live, "demo-supervisor", live.passwords["supervisor"])
    expect(page.get_by_role("heading", level=1)).to_have_text("demo-supervisor，您好")
    page.get_by_role("button", name="退出登录 (demo-supervisor)").click()
    sign_in(page, live, "demo-admin", live.passwords["admin"])
    expect(page.get_by_role("heading", level=1)).to_have_text("demo-admin，您好")
    live.shot(page, "home")
    page.get_by_role("button", name="退出登录 (demo-admin)").click()
    expect(page).to_have_url(f"{live.base_url}/console/login")
    page.goto("/console")
    expect(page).to_have_url(f"{live.base_url}/console/login?next=/console")


def test_publish_a_text_and_the_bot_uses_it(page: Any, live: Live) -> None:
    from playwright.sync_api import expect

    new_text = "主任您好：这是管理员刚发布的帮助文字。"
    sign_in(page, live, "demo-admin", live.passwords["admin"])
    page.get_by_role("navigation").get_by_role("link", name="消息内容").click()
    page.get_by_label("搜索键名或文字").fill("help.director")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="help.director").click()
    editor = page.locator("#text-zh_Hans")
    editor.fill("主任您好 {oops}")
    expect(page.locator("#preview-zh_Hans")).to_contain_text("未知 oops")  # live preview refuses
    editor.fill(new_text)
    expect(page.locator("#preview-zh_Hans")).to_have_text(new_text)
    expect(page.locator("#meta-zh_Hans")).to_contain_text("UCS-2")
    live.shot(page, "content-editor")
    page.locator("#zh_Hans").get_by_role("button", name="保存草稿").click()
    page.locator("#publish-zh_Hans").click()
    expect(page.locator("#zh_Hans dd.text").nth(1)).to_have_text(new_text)

    page.goto("/simulator")
    page.locator("#who").select_option("+8613800000002")
    page.get_by_label("message").fill("帮助")
    page.get_by_role("button", name="发送 Send").click()
    expect(page.locator("#log .msg.out").last).to_contain_text(new_text, timeout=15_000)


def _roster_csv() -> bytes:
    bad = dict(zip(COLUMNS, EXAMPLE[4], strict=True))
    bad.update(code="A02", name="王小花", birth_date="03/04/2025")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(EXAMPLE)
    writer.writerow([bad[c] for c in COLUMNS])
    return buffer.getvalue().encode("utf-8")


def test_roster_with_one_bad_row(page: Any, live: Live) -> None:
    from playwright.sync_api import expect

    sign_in(page, live, "demo-admin", live.passwords["admin"])
    page.goto("/console/roster")
    page.get_by_label("名册文件 (.csv, .xlsx)").set_input_files(
        {"name": "roster.csv", "mimeType": "text/csv", "buffer": _roster_csv()}
    )
    page.get_by_role("button", name="检查").click()
    expect(page.locator("#roster-summary")).to_have_text("共 7 行，1 行有问题（导入时跳过）。")
    expect(page.locator("tr.bad")).to_contain_text("03/04/2025")
    live.shot(page, "roster-report")
    page.set_viewport_size({"width": 360, "height": 740})
    live.shot(page, "roster-report-360")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("button", name="导入没有问题的行").click()
    expect(page.locator("#roster-imported")).to_contain_text("新建 6")
    expect(page.locator("#roster-imported")).to_contain_text("跳过 1")
    page.goto("/console/people?role=director")
    expect(page.get_by_role("link", name="孙主任")).to_have_count(1)  # imported
    live.shot(page, "people")


def test_a_role_that_must_not_see_a_page_gets_403(page: Any, live: Live) -> None:
    from playwright.sync_api import expect

    sign_in(page, live, "demo-hotline", live.passwords["hotline"])
    expect(page.get_by_role("link", name="消息内容")).to_have_count(0)
    response = page.goto("/console/content")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("无权访问")
    page.goto("/console/lang/en?next=/console/roster")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    page.goto("/console/lang/zh_Hans?next=/console")
