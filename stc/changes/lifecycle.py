"""The project's end: `stc close` records that the analysis is over."""

from __future__ import annotations

import sqlite3

from stc.changes.registry import Payload, change_kind
from stc.phrases import said


@change_kind(
    "project.close",
    lambda p: said("project.close", "closed", head=p["head"], erased=p["erased"],
                   archive=said("project.close", "archive", archive=p["archive"][:12])
                   if p.get("archive") else ""),
    objects=lambda p: ["project"],
    undoable=False,
)
def _close(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """From here on the project takes no new analysis (see `Batch.require_open`). The
    payload names the state the archive shows (`head`) and the archive's manifest hash."""
    conn.execute("INSERT OR REPLACE INTO project VALUES ('closed', ?)", (str(seq),))
