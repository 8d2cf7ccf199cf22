"""The labelled corpus the screen learns from and is measured on.

Files (UTF-8 TSV, header `writer label category style text`), one per independent writer, in
content/safety/corpus/ (see its README.md). `label` is `report` or `ok`; `category` is a
statutory category for reports and an ok kind (neg_*) otherwise. Hotline feedback rows
(staff marking alerted or reviewed cases) join with writer `hotline:<year>`.

`careline screen eval FILE.tsv` also reads the plain form `label category text` (label
report/ok or 1/0) so anyone's labelled set can be measured.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from content.errors import InputError

CORPUS_DIR = Path(__file__).resolve().parents[2] / "content" / "safety" / "corpus"
REPORT, OK = "report", "ok"
_TRUE = {"report", "1", "true", "yes", "alert", "escalate"}
_FALSE = {"ok", "0", "false", "no", "pass", "none"}


class CorpusError(InputError, ValueError):
    """A corpus file has a malformed line; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Row:
    writer: str
    label: str  # report | ok
    category: str  # statutory category, or an ok kind
    style: str
    text: str

    @property
    def must_report(self) -> bool:
        return self.label == REPORT


def _label(value: str, where: str) -> str:
    value = value.strip().lower()
    if value in _TRUE:
        return REPORT
    if value in _FALSE:
        return OK
    raise CorpusError(f"{where}: label must be report or ok (or 1/0), not {value!r}")


def read_tsv(path: Path, writer: str | None = None) -> list[Row]:
    """Rows of one file, in either form (with or without writer and style columns)."""
    rows: list[Row] = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header: list[str] | None = None
        for number, fields in enumerate(reader, start=1):
            if not fields or (fields[0].startswith("#") and header is None):
                continue
            where = f"{path.name}:{number}"
            if header is None:
                header = [f.strip().lower().lstrip("# ") for f in fields]
                if "text" not in header or "label" not in header:
                    raise CorpusError(f"{where}: the header needs at least 'label' and 'text'")
                continue
            if len(fields) != len(header):
                raise CorpusError(f"{where}: {len(fields)} fields, the header has {len(header)}")
            rec = dict(zip(header, fields, strict=True))
            rows.append(
                Row(
                    writer=rec.get("writer") or writer or path.stem,
                    label=_label(rec["label"], where),
                    category=rec.get("category", "").strip() or "-",
                    style=rec.get("style", "").strip() or "-",
                    text=rec["text"],
                )
            )
    return rows


def read_corpus(directory: Path = CORPUS_DIR) -> list[Row]:
    rows: list[Row] = []
    for path in sorted(directory.glob("*.tsv")):
        rows.extend(read_tsv(path))
    return rows


def fingerprint(rows: Iterable[Row]) -> str:
    digest = hashlib.sha256()
    for row in rows:
        digest.update("\t".join((row.writer, row.label, row.category, row.text)).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def writers(rows: Sequence[Row]) -> list[str]:
    return sorted({r.writer for r in rows})
