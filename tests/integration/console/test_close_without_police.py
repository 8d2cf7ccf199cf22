"""Closing a statutory case in the console (issue 10, found in a cold demo trial): a case
closed with a written no-police reason shows that reason, not "未记录 … 结案前请转介公安";
the refusal without a reason points to the page's form field, not to chat commands."""

from __future__ import annotations

from storage.db import Database
from tests.integration.console.staffed import staffed
from tests.integration.hotline.helpers import cases, open_case

REASON = "经核实是误会，孩子摔伤，有医院记录"


async def test_a_case_closed_with_a_reason_shows_the_reason(db: Database) -> None:
    async with staffed(db) as staff:
        ref = await open_case(staff.app)
        async with staff.signed_in("chen") as (client, csrf):
            form = {"csrf_token": csrf, "text": "已处理", "no_police_reason": REASON}
            response = await client.post(f"/console/cases/{ref}/close", data=form)
            assert response.status_code == 200, response.text
            page = (await client.get(f"/console/cases/{ref}")).text
        [case] = await cases(staff.app)
        assert case.status == "closed"
        assert "结案前请转介公安" not in page
        assert "未记录" not in page
        assert REASON in page.split('id="police-state"', 1)[1].split("</dd>", 1)[0]


async def test_the_refusal_points_to_the_form_field(db: Database) -> None:
    async with staffed(db) as staff:
        ref = await open_case(staff.app)
        async with staff.signed_in("chen") as (client, csrf):
            form = {"csrf_token": csrf, "text": "已处理"}
            response = await client.post(f"/console/cases/{ref}/close", data=form)
        assert response.status_code == 409
        status = response.text.split('id="case-result"', 1)[1].split("</p>", 1)[0]
        assert "未报警的理由" in status  # the field's label
        assert "转介 " not in status and "结案 " not in status and "未报警 理由" not in status
        [case] = await cases(staff.app)
        assert case.status != "closed"
