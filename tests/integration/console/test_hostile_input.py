"""NUL or over-long values in console filters and forms answer 4xx, never 500."""

from __future__ import annotations

import pytest

from storage.db import Database
from tests.integration.console.support import console


@pytest.mark.parametrize(
    "query",
    [
        "category=%00",
        "status=open%00x",
        "area=" + "9" * 2000,
        "q=" + "x" * 5000,
    ],
)
async def test_bad_filter_values_get_a_400(db: Database, query: str) -> None:
    async with console(db) as c, c.signed_in_as("ada", "admin") as (client, _):
        response = await client.get("/console/cases?" + query)
    assert response.status_code == 400 and "Traceback" not in response.text


async def test_a_form_with_nul_gets_a_400(db: Database) -> None:
    async with console(db) as c, c.signed_in_as("ada", "admin") as (client, csrf):
        response = await client.post(
            "/console/content/draft",
            data={"csrf_token": csrf, "key": "welcome.known\x00", "locale": "zh_Hans",
                  "text": "{name}你好\x00"},
        )  # fmt: skip
        assert response.status_code == 400
        login = await client.post(
            "/console/login", data={"username": "ada\x00", "password": "x", "csrf_token": "t"}
        )
        assert login.status_code == 400
