"""The root of Careline's exceptions and its groups (the tree: docs/errors.md).

It lives in `content`, the lowest layer: every package (`dialogs`, `reminders`, `storage`,
`bot`) may import `content`, and `content` imports no other Careline package. Each project
exception derives from exactly one group below, and keeps a built-in second base
(`ValueError`, `RuntimeError`) where callers catch that. `tests/unit/test_error_tree.py`
checks that no exception class is left outside the tree.
"""

from __future__ import annotations


class CarelineError(Exception):
    """Every exception Careline defines derives from this; `except CarelineError` catches ours
    and nothing of the libraries'."""


class SetupError(CarelineError):
    """The installation is wrong (a setting, the database schema, a backup file): the operator
    fixes it; the message names the setting or file and the fix."""


class InputError(CarelineError):
    """Data that cannot be accepted: a shipped or uploaded data file, a value, a form or
    command that is refused. The message (or its catalog key) says what to change."""


class AccessError(CarelineError):
    """The web console refuses a request: not signed in, not allowed, a bad CSRF token, a
    password that must be changed first."""


class ChannelError(CarelineError):
    """Talking to a provider failed (sending, a callback that is not authentic, fetching
    media, storing a polled update)."""


class InvariantError(CarelineError):
    """Code broke a rule of the data model (a bug, never the user's doing)."""
