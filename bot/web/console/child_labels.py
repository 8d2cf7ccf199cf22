"""The child file's stored codes in the reader's words: visit answers, visit flags, guardian
relations, reminder kinds/items/stages/statuses and vaccine doses, from the content catalog
(content/tables/child_file_labels.tsv and the existing visit, relation and vaccine keys).
A code without a catalog text is shown as it is (a new code still shows something); pages
keep the code itself only in a `title` attribute, for an administrator."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from content.catalog import Catalog
from reminders.digest import CATCH_UP_PREFIX, UNVERIFIED_PREFIX

_DOSE = re.compile(r"^(?P<series>.*?[A-Za-z])-?(?P<dose>\d+)$")
VISIT_FLAGS_PREFIX = "visit flags: "  # bot/hotline/visit_dangers.py: the case's first message


@dataclass(frozen=True)
class ChildLabels:
    catalog: Catalog
    locale: str

    def _first(self, keys: tuple[str, ...], fallback: str, **params: Any) -> str:
        for key in keys:
            if self.catalog.has(key, self.locale):
                return self.catalog.text(key, self.locale, params or None)
        return fallback

    def question(self, key: str) -> str:
        return self._first((f"childfile.q.{key}",), key)

    def answer(self, key: str, value: Any) -> str:
        if isinstance(value, list | tuple):
            return "、".join(self.answer(key, v) for v in value)
        if isinstance(value, bool):
            value = "yes" if value else "no"
        text = str(value)
        return self._first(
            (
                f"visit.opt.{key}.{text}",
                f"childfile.a.{key}.{text}",
                f"children.{key}.{text}",
                f"childfile.answer.{text}",  # skip (not answered), yes, no: any question
            ),
            text,
        )

    def flag(self, flag: str) -> str:
        return self._first((f"childfile.flag.{flag}",), flag)

    def relation(self, relation: str) -> str:
        return self._first((f"areaexp.relation.{relation}",), relation)

    def reminder_kind(self, kind: str) -> str:
        return self._first((f"childfile.rkind.{kind}",), kind)

    def reminder_item(self, kind: str, item: str) -> str:
        if item.startswith(CATCH_UP_PREFIX):
            return self._first(("childfile.item.catchup",), item)
        if kind == "vaccine":
            return self.dose(item)
        if item == "newborn":
            return self._first(("childfile.item.newborn",), item)
        return item  # a year ("2026") or a school-year

    def stage(self, stage: str) -> str:
        unverified = stage.startswith(UNVERIFIED_PREFIX)
        name = stage.removeprefix(UNVERIFIED_PREFIX)
        text = self._first((f"childfile.stage.{name}",), name)
        if not unverified:
            return text
        return self._first(("childfile.stage.unverified",), text, stage=text)

    def delivery_status(self, status: str) -> str:
        return self._first((f"childfile.rstatus.{status}",), status)

    def ack_source(self, source: str) -> str:
        return self._first((f"childfile.source.{source}",), source)

    def vaccine(self, vaccine: str) -> str:
        return self._first((f"vaccine.{vaccine}",), vaccine)

    def dose(self, code: str) -> str:
        """ "HepB1" -> 乙肝第1剂; a code the catalog does not name stays as it is."""
        if self.catalog.has(f"vaccine.{code}", self.locale):
            return self.vaccine(code)
        m = _DOSE.match(code)
        if not m or not self.catalog.has(f"vaccine.{m['series']}", self.locale):
            return code
        return self.catalog.text(
            "reminder.dose.numbered",
            self.locale,
            {"vaccine": self.vaccine(m["series"]), "dose": int(m["dose"])},
        )

    def visit_flags_text(self, text: str) -> str:
        """A case message "visit flags: a, b" (stored so, no names) in the reader's words."""
        if not text.startswith(VISIT_FLAGS_PREFIX):
            return text
        flags = [f.strip() for f in text.removeprefix(VISIT_FLAGS_PREFIX).split(",") if f.strip()]
        joined = "、".join(self.flag(f) for f in flags)
        return self._first(("childfile.visit_flags",), text, flags=joined)
