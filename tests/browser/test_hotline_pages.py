"""The hotline's console pages in a real browser: triage a case from the queue to closed (the case
comes from a concern sent through the simulator API), the live countdown and the queue's
automatic refresh, a supervisor refused the lexicon, the lexicon test box, the reports."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Live
from tests.browser.test_console import sign_in

pytestmark = pytest.mark.browser
DIRECTOR_EAST, DIRECTOR_WEST = "+8613800000002", "+8613800000003"


def concern(page: Any, live: Live, phone: str, text: str) -> None:
    response = page.request.post(
        f"{live.base_url}/api/simulator/messages", data={"phone": phone, "text": text}
    )
    assert response.status == 202, response.text()


def test_triage_a_case_from_the_queue_to_closed(page: Any, live: Live) -> None:
    from playwright.sync_api import expect

    sign_in(page, live, "demo-hotline", live.passwords["hotline"])
    page.get_by_role("navigation").get_by_role("link", name="案件队列").click()
    rows = page.locator("#queue tbody tr[data-ref]")
    before = rows.count()
    concern(page, live, DIRECTOR_EAST, "A04被打了一顿，身上有伤")
    expect(rows).to_have_count(before + 1, timeout=15_000)  # appears without a reload
    concern(page, live, DIRECTOR_WEST, "他爸爸正在打他，快来救命")
    expect(rows).to_have_count(before + 2, timeout=15_000)
    first = rows.first  # most urgent first: the critical one
    expect(first.locator(".sev")).to_have_text("紧急")
    countdown = first.locator(".countdown")
    expect(countdown).to_contain_text("剩余")
    shown = countdown.inner_text()
    expect(countdown).not_to_have_text(shown)  # it ticks

    ref = rows.nth(1).get_attribute("data-ref")
    page.get_by_role("link", name=ref).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"案件 {ref}")
    expect(page.locator(".badge.term").first).to_be_visible()  # matched terms
    page.get_by_role("button", name="认领此案件").click()
    expect(page.locator("#case-result")).to_have_text(f"案件 {ref} 已由您认领。")
    page.get_by_label("备注（只在时间线中）").fill("已联系村委")
    page.get_by_role("button", name="添加备注").click()
    expect(page.locator("#case-result")).to_have_text(f"已记录在案件 {ref}。")
    page.get_by_label("回复报告人").fill("收到，请确认孩子现在是否安全。")
    page.get_by_role("button", name="发送回复").click()
    expect(page.locator("#case-result")).to_contain_text("发给案件")
    live.shot(page, "case")
    page.get_by_label("结案结果").fill("已核实，转交派出所处理")
    page.get_by_label("未报警的理由（未转介公安时必填）").fill("报告人已向派出所报案")
    page.get_by_role("button", name="结案").click()
    expect(page.locator("#case-status")).to_have_text("已结案")
    expect(page.locator("#timeline")).to_contain_text("回复报告人")
    page.goto("/simulator")
    page.locator("#who").select_option(DIRECTOR_EAST)
    expect(page.locator("#log")).to_contain_text("收到，请确认孩子现在是否安全。", timeout=15_000)


def test_a_breached_deadline_is_unmistakable(page: Any, live: Live) -> None:
    from playwright.sync_api import expect

    page.clock.install()
    sign_in(page, live, "demo-hotline", live.passwords["hotline"])
    concern(page, live, DIRECTOR_WEST, "孩子被他爸爸打了，现在还在打")
    concern(page, live, "+8613800000013", "孩子在学校被高年级同学打了")
    page.goto("/console/cases")
    expect(page.locator("#queue tbody tr[data-ref]")).to_have_count(2, timeout=15_000)
    critical = page.locator("#queue tbody tr[data-ref]").first
    expect(critical.locator(".countdown")).to_contain_text("剩余")
    page.clock.fast_forward("06:00")  # past the 5-minute deadline, in the browser
    expect(critical.locator(".countdown")).to_contain_text("⚠ 已超时")
    expect(critical).to_have_class("breached")
    live.shot(page, "queue")
    page.set_viewport_size({"width": 360, "height": 740})
    live.shot(page, "queue-360")


def test_a_supervisor_must_not_see_the_lexicon(page: Any, live: Live) -> None:
    from playwright.sync_api import expect

    sign_in(page, live, "demo-supervisor", live.passwords["supervisor"])
    expect(page.get_by_role("link", name="安全词库")).to_have_count(0)
    response = page.goto("/console/lexicon")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("无权访问")
    page.goto("/console/reports")
    expect(page.locator("#table-villages tbody tr").first).to_be_visible()
    expect(page.locator("#chart-villages")).to_be_visible()


def test_the_lexicon_test_box_and_the_reports(page: Any, live: Live) -> None:
    from playwright.sync_api import expect

    sign_in(page, live, "demo-admin", live.passwords["admin"])
    page.get_by_role("navigation").get_by_role("link", name="安全词库").click()
    page.get_by_label("任意文字（用当前生效的词库筛查）").fill("他爸爸正在打他，快来救命")
    page.get_by_role("button", name="筛查", exact=True).click()
    expect(page.locator("#test-result")).to_contain_text("会开案：殴打/虐待，紧急")
    expect(page.locator("#test-result mark").first).to_be_visible()
    expect(page.locator("#test-why")).to_contain_text("danger cue")
    live.shot(page, "lexicon")
    page.get_by_label("任意文字（用当前生效的词库筛查）").fill("明天带孩子去打疫苗")
    page.get_by_role("button", name="筛查", exact=True).click()
    expect(page.locator("#test-result")).to_contain_text("不会开案")

    page.get_by_role("navigation").get_by_role("link", name="报表").click()
    expect(page.locator("#table-cases tbody tr").first).to_be_visible()
    page.wait_for_function("() => !!window.Chart && Object.keys(Chart.instances).length >= 3")
    live.shot(page, "reports")
    page.get_by_role("navigation").get_by_role("link", name="提醒规则").click()
    expect(page.locator("#editions tbody tr").first).to_be_visible()


HOLIDAYS_2027 = """[[years]]
year = 2027
days_off = [2027-10-04, 2027-10-05, 2027-10-06, 2027-10-07]
workdays = [2027-09-26, 2027-10-09]
source = "browser test: a fictional arrangement"
"""


def test_holiday_arrangements_missing_then_uploaded(page: Any, live: Live) -> None:
    from playwright.sync_api import expect

    sign_in(page, live, "demo-admin", live.passwords["admin"])
    page.get_by_role("navigation").get_by_role("link", name="提醒规则").click()
    expect(page.locator("#holidays tbody tr").first).to_be_visible()
    missing = page.locator("#holidays tbody tr.missing")
    if missing.count():  # next year's arrangement not loaded: the page says so at the top
        expect(page.locator("#holidays-missing").first).to_be_visible()
    page.get_by_label("节假日安排（[[years]]，调休）").check()
    page.get_by_label("或粘贴内容", exact=False).fill(HOLIDAYS_2027)
    page.get_by_role("button", name="检查并保存").click()
    expect(page.locator("#rem-saved")).to_contain_text("2027")
    row = page.locator("#holidays tbody tr", has_text="2027-10-09")
    expect(row).to_contain_text("browser test: a fictional arrangement")
    live.shot(page, "holidays")
