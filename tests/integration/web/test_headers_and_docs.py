"""Security headers on every page; /docs and /openapi.json for signed-in administrators only,
without a CDN."""

from __future__ import annotations

import pytest

from storage.db import Database
from tests.integration.console.support import console, signed_in


@pytest.mark.parametrize(
    "path", ["/healthz", "/console/login", "/simulator", "/simulator/simulator.js", "/nowhere"]
)
async def test_security_headers_everywhere(db: Database, path: str) -> None:
    async with console(db) as c, c.client() as client:
        response = await client.get(path)
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"]


async def test_pages_have_no_inline_script(db: Database) -> None:
    async with console(db) as c, c.signed_in_as("ada", "admin") as (client, _):
        for path in ("/simulator", "/console/content/edit?key=help.unknown&locale=zh_Hans"):
            body = (await client.get(path)).text
            assert "<script>" not in body, path


async def test_api_docs_only_for_administrators_and_without_a_cdn(db: Database) -> None:
    async with console(db) as c:
        await c.add_user("ada", "admin")
        await c.add_user("hu", "hotline")
        async with c.client() as client:
            assert (await client.get("/openapi.json")).status_code == 303
            assert (await client.get("/docs")).status_code == 303
            await signed_in(client, "hu")
            assert (await client.get("/openapi.json")).status_code == 403
        async with c.client() as client:
            await signed_in(client, "ada")
            spec = await client.get("/openapi.json")
            assert spec.status_code == 200 and "/healthz" in spec.json()["paths"]
            docs = await client.get("/docs")
            assert docs.status_code == 200 and "/healthz" in docs.text
            assert "cdn" not in docs.text.lower() and "<script" not in docs.text
