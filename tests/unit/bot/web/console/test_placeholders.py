"""The content editor refuses placeholders with attribute or index access."""

from __future__ import annotations

import pytest

from bot.web.console import texts
from content.catalog import Catalog

KEY = "welcome.known"  # "{name}，您好！"


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("{name}，您好", True),
        ("{name.__class__}，您好", False),
        ("{name.__class__.__init__.__globals__}", False),
        ("{name[0]}，您好", False),
        ("{0}", False),
        ("{name}{{literal}}", True),
    ],
)
def test_only_bare_placeholder_names(text: str, ok: bool) -> None:
    check = texts.check_text(Catalog.load(), KEY, "zh_Hans", text)
    assert check.ok is ok
    if not ok:
        assert check.message_key == "console.content.bad_format"
