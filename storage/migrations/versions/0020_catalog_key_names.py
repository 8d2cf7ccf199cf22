"""catalog keys named by capability: `console2.*` becomes `console.*` (issue 14.5)

Administrators' published and draft texts (content_versions) and the SMS template registry
(sms_templates, sms_template_versions) are keyed by catalog key: they follow the rename, so
an edited text keeps applying. The three old home-page texts that `console2.home.*` had
replaced are dropped first (they were no longer shown).

Revision ID: 0020_catalog_key_names
Revises: 0019_outbox_may_have_sent
Create Date: 2026-12-02 03:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020_catalog_key_names"
down_revision = "0019_outbox_may_have_sent"
branch_labels = None
depends_on = None

# old prefix -> new prefix
PREFIXES = {
    "console2.agency.": "console.agency.",
    "console2.case.": "console.case.",
    "console2.category.": "console.category.",
    "console2.event.": "console.event.",
    "console2.lex.": "console.lexicon.",
    "console2.queue.": "console.queue.",
    "console2.rem.": "console.reminders.",
    "console2.rep.": "console.reports.",
    "console2.reporter.": "console.reporter.",
    "console2.rkind.": "console.reminder_kind.",
    "console2.severity.": "console.severity.",
    "console2.sla.": "console.sla.",
    "console2.status.": "console.case_status.",
}
# prefixes that existed under `console.` before: only these keys move
SHARED = {
    "console2.nav.": ("console.nav.", ("cases", "lexicon", "reminders", "reports")),
    "console2.home.": ("console.home.", ("admin", "hotline", "supervisor")),
}
OBSOLETE = ("console.home.admin", "console.home.hotline", "console.home.supervisor")
TABLES = ("content_versions", "sms_template_versions", "sms_templates")


def _pairs() -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for old, (new, names) in SHARED.items():
        pairs.extend((old + n, new + n) for n in names)
    return pairs


def _rename_prefix(table: str, old: str, new: str) -> None:
    op.execute(
        sa.text(
            f"UPDATE {table} SET key = :new || substr(key, :cut) WHERE substr(key, 1, :n) = :old"
        ).bindparams(new=new, cut=len(old) + 1, n=len(old), old=old)
    )


def _rename_key(table: str, old: str, new: str) -> None:
    op.execute(
        sa.text(f"UPDATE {table} SET key = :new WHERE key = :old").bindparams(old=old, new=new)
    )


def upgrade() -> None:
    for table in TABLES:
        for key in OBSOLETE:
            op.execute(sa.text(f"DELETE FROM {table} WHERE key = :key").bindparams(key=key))
        for old, new in PREFIXES.items():
            _rename_prefix(table, old, new)
        for old, new in _pairs():
            _rename_key(table, old, new)


def downgrade() -> None:
    # The dropped old home texts are not restored (the shipped .po of that version has them).
    for table in TABLES:
        for old, new in PREFIXES.items():
            _rename_prefix(table, new, old)
        for old, new in _pairs():
            _rename_key(table, new, old)
