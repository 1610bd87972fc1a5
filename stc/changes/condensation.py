"""Changes of step 3 beyond the general kinds: condensates with the units they rest on."""

from __future__ import annotations

import sqlite3

from stc.changes.registry import Payload, change_kind, keys
from stc.lookup import TABLES
from stc.phrases import Word, said


@change_kind(
    "condensate.set",
    lambda p: (said("condensate.set", "written", kind=Word(p["kind"]), name=p["name"],
                    units=[f"U{u}" for u in p["units"]]) if p["value"] else
               said("condensate.set", "cleared", kind=Word(p["kind"]), name=p["name"])),
    refs=lambda p: [p["name"], *(f"U{u}" for u in p["units"])],
    objects=lambda p: keys(p["kind"], p["id"]),
    uses=lambda p: keys("unit", *p["units"]),
)
def _condensate_set(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """Payload: kind (group|subgroup), id, name, value (hash or None), units (ids it rests on)
    and texts (the hash of each unit's text then; missing in changes from before)."""
    if p["kind"] not in ("group", "subgroup"):
        raise ValueError(p["kind"])
    conn.execute(f"UPDATE {TABLES[p['kind']]} SET condensate = ? WHERE id = ?",
                 (p["value"], p["id"]))
    conn.execute("DELETE FROM condensate_units WHERE kind = ? AND owner = ?", (p["kind"], p["id"]))
    texts = p.get("texts") or [None] * len(p["units"])
    conn.executemany("INSERT INTO condensate_units (kind, owner, unit, text) VALUES (?, ?, ?, ?)",
                     [(p["kind"], p["id"], u, t) for u, t in zip(p["units"], texts, strict=True)])
