"""Every action and subject type the code writes to the audit log has a label in the three
locales (the audit viewer shows it; the raw code stays visible for administrators).

The test walks the source for audit writes (`w.audit(...)`, `audit.record(...)`) and the
small helpers that pass an action or subject type on; a value built at run time must be
listed in DYNAMIC with every value it can take, so a new one cannot slip by unlabelled."""

from __future__ import annotations

import ast
from pathlib import Path

from bot.web.console.routes_audit import label_key
from bot.web.console.routes_child_work import REVIEW_ACTIONS
from bot.web.console.routes_reminders import KINDS as UPLOAD_KINDS
from content.catalog import Catalog
from content.locales import SUPPORTED_LOCALES
from storage.repos.telegram_failed import ASKED_TO_RESEND, HANDLED

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("bot", "storage", "dialogs", "content")

# helper name -> (index of the action argument, of the subject type, the action's prefix);
# None: that value is fixed by the helper (listed in FIXED)
HELPERS: dict[str, tuple[int | None, int | None, str]] = {
    "_audit@bot/web/console/routes_accounts.py": (2, None, "account."),
    "_audit@bot/reminders/handlers.py": (1, None, ""),
    "_own_child@bot/childfile/install.py": (2, None, ""),
    "_own_child@bot/visits/install.py": (2, None, ""),
    "_record@bot/loops.py": (1, None, "reply_loop."),
    "audit_read": (None, 2, ""),
    "audit_changes": (None, 2, ""),
}
FIXED_ACTIONS = {"read", "flags.set"}
FIXED_TYPES = {"console_user", "child"}

# (file, source of the value) -> every value it takes
DYNAMIC: dict[tuple[str, str], set[str]] = {
    ("bot/telegram_failed.py", "f'telegram_failed_{row.resolution}'"): {
        f"telegram_failed_{r}" for r in (ASKED_TO_RESEND, HANDLED)
    },
    ("bot/web/console/routes_child_work.py", "f'visit.{action}'"): {
        f"visit.{a}" for a in REVIEW_ACTIONS
    },
    ("bot/web/console/routes_reminders.py", "f'{kind}_upload'"): {
        f"{k}_upload" for k in UPLOAD_KINDS
    },
}
PASS_THROUGH = {  # the helpers themselves: their callers are walked instead
    ("bot/loops.py", "f'{ACTION}.{kind}'"),
    ("bot/reminders/handlers.py", "action"),
    ("bot/childfile/install.py", "action"),
    ("bot/visits/install.py", "action"),
    ("bot/web/console/routes_accounts.py", "f'account.{action}'"),
    ("bot/web/console/auth.py", "subject_type"),
    ("bot/web/console/forms.py", "subject_type"),
    ("storage/uow.py", "action"),
    ("storage/uow.py", "subject_type"),
}


def _values(node: ast.expr | None) -> list[str] | None:
    """The string constants an argument can be (both arms of `a if c else b`); None if built."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        arms = (_values(node.body), _values(node.orelse))
        return None if None in arms else [v for arm in arms for v in arm or []]
    return None


def _written() -> tuple[set[str], set[str], list[str]]:
    actions, types, unknown = set(FIXED_ACTIONS), set(FIXED_TYPES), []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(call, ast.Call):
                    continue
                f = call.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                owner = f.value if isinstance(f, ast.Attribute) else None
                found: list[tuple[ast.expr | None, set[str], str]] = []
                if name == "audit" and not (isinstance(owner, ast.Name) and owner.id == "self"):
                    args = call.args
                    if len(args) >= 3:
                        found = [(args[1], actions, ""), (args[2], types, "")]
                elif name == "record" and isinstance(owner, ast.Name) and owner.id == "audit":
                    kw = {k.arg: k.value for k in call.keywords}
                    found = [(kw.get("action"), actions, ""), (kw.get("subject_type"), types, "")]
                else:
                    helper = HELPERS.get(f"{name}@{rel}") or HELPERS.get(name)
                    if helper is None:
                        continue
                    a, t, prefix = helper
                    for index, bag in ((a, actions), (t, types)):
                        if index is not None and len(call.args) > index:
                            found.append((call.args[index], bag, prefix))
                for node, bag, prefix in found:
                    values = _values(node)
                    source = ast.unparse(node) if node is not None else "<missing>"
                    if values is not None:
                        bag.update(prefix + v for v in values)
                    elif (rel, source) in DYNAMIC:
                        bag.update(DYNAMIC[(rel, source)])
                    elif (rel, source) not in PASS_THROUGH:
                        unknown.append(f"{rel}:{call.lineno}: {source}")
    return actions, types, unknown


def test_every_audit_action_and_subject_type_has_a_label() -> None:
    actions, types, unknown = _written()
    assert not unknown, f"audit values built at run time: list them in DYNAMIC: {unknown}"
    assert {"child_note.add", "account.reset", "visit.returned", "reply_loop.cap"} <= actions
    assert {"console_user", "visit", "visit_media"} <= types
    catalog = Catalog.load()
    missing = [
        (key, locale)
        for kind, codes in (("do", actions), ("kind", types))
        for key in (label_key(kind, code) for code in sorted(codes))
        for locale in SUPPORTED_LOCALES
        if not catalog.has(key, locale)
    ]
    assert not missing, f"add them to content/tables/audit_labels.tsv: {missing}"
