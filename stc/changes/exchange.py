"""The record of an exchange import: which file came in, from which program, and what of it
stc could not keep (REFI-QDA 1.5 section 7 asks an importer to say so).

The changes that bring the file's content follow it in the same batch; this record changes no
state of its own, it is there so the trail tells where the analysis came from.
"""

from __future__ import annotations

import sqlite3

from stc.changes.registry import Payload, change_kind
from stc.phrases import Said, Word, said
from stc.texts import is_hash


def _file(p: Payload) -> str:
    """The file's name, kept by hash (it may name a person) since names are; in clear in
    records from before."""
    if not is_hash(p["file"]):
        return str(p["file"])
    return str(p["format"]) if p.get("format") else Word("a file")


def _summary(p: Payload) -> Said:
    left_out = p.get("left_out") or {}
    lost = ", ".join(f"{kind} {count}" for kind, count in left_out.items())
    origin = said("exchange.import", "origin", origin=p["origin"]) if p.get("origin") else ""
    return said("exchange.import", "lost" if lost else "whole", file=_file(p), origin=origin,
                **({"lost": lost} if lost else {}))


@change_kind("exchange.import", _summary,
             refs=lambda p: [] if is_hash(p["file"]) else [p["file"]])
def _exchange_import(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """Payload: file (hash of its name), sha256, format, origin, left_out (kind -> count)."""
