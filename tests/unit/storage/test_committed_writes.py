"""Which statements count as a write to a watched table (storage/committed_writes.py)."""

import pytest

from storage.committed_writes import _written


@pytest.mark.parametrize(
    ("statement", "table"),
    [
        ("INSERT INTO staff_shifts (person_id, level) VALUES (?, ?)", "staff_shifts"),
        ('INSERT INTO lexicon_entries ("key", data) VALUES (?, ?) ON CONFLICT', "lexicon_entries"),
        ("UPDATE people SET active=? WHERE people.id = ?", "people"),
        ("update screen_models set active = false", "screen_models"),
        ("DELETE FROM staff_shifts WHERE staff_shifts.id = ?", "staff_shifts"),
        ("INSERT OR IGNORE INTO people (phone) VALUES (?)", "people"),
        ('UPDATE "people" SET locale=?', "people"),
        # not watched, or not a write: the inbound path's own statements
        ("INSERT INTO channel_addresses (person_id) VALUES ((SELECT people.id FROM people))", None),
        ("SELECT people.id FROM people", None),
        ("INSERT INTO outbox (channel) VALUES (?)", None),
        ("UPDATE conversations SET state=?", None),
        ("BEGIN IMMEDIATE", None),
        ("", None),
        ("\n  UPDATE staff_shifts SET ends_at = ?", "staff_shifts"),
    ],
)
def test_written(statement: str, table: str | None) -> None:
    assert _written(statement) == table
