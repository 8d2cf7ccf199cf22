"""Write or update the .po catalogs from a table of (key, zh_Hans, zh_Hant, en).

Used by developers adding messages: `python -m content.tools.po_table table.tsv`.
Existing entries are kept unless the table gives new text. The .po files are the source
of truth; administrators' edits live in the database and export back to .po.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from babel.messages.catalog import Catalog as PoCatalog
from babel.messages.pofile import read_po, write_po

from content.catalog import DOMAIN, LOCALES_DIR, po_path
from content.locales import SUPPORTED_LOCALES


def upsert(rows: list[tuple[str, str, str, str]], directory: Path = LOCALES_DIR) -> None:
    for index, locale in enumerate(SUPPORTED_LOCALES, start=1):
        path = po_path(locale, directory)
        if path.exists():
            with path.open("rb") as fh:
                po = read_po(fh, domain=DOMAIN)
        else:
            po = PoCatalog(domain=DOMAIN, project="Careline", version="1")
        po.locale = None
        for row in rows:
            key, text = row[0], row[index]
            flags = ["python-brace-format"] if "{" in text else []
            existing = po.get(key)
            if existing is not None:
                existing.string = text  # the table's text wins over the old one
                existing.flags = set(flags)
            else:
                po.add(key, text, flags=flags)
        path.parent.mkdir(parents=True, exist_ok=True)
        po.project = "Careline"
        po.language_team = locale
        with path.open("wb") as fh:
            write_po(fh, po, width=0, sort_output=True, omit_header=False)


def main(argv: list[str]) -> None:
    rows: list[tuple[str, str, str, str]] = []
    with open(argv[0], encoding="utf-8", newline="") as fh:
        for rec in csv.reader(fh, delimiter="\t"):
            if rec and not rec[0].startswith("#"):
                key, hans, hant, en = (v.replace("\\n", "\n") for v in rec[:4])
                rows.append((key, hans, hant, en))
    upsert(rows)


if __name__ == "__main__":
    main(sys.argv[1:])
