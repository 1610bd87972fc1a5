"""Withdrawal from further analysis: consent withdrawn, the data kept.

Under the Norwegian Health Research Act and GDPR art. 17(3)(d), material already used in
completed analyses may be kept, and consent forms differ in what a participant who withdraws
agreed to. `stc withdraw DOC --why` records that a transcript takes part in no further analysis
(`document.withdraw`); `stc erase` (`stc.erasure`) deletes it. Nothing is deleted here:

- no new meaning unit on it (`refuse_new_units`, inside the write transaction of every change
  that makes a unit), while the units coded before stay where the analysis put them;
- the reports say so (`stc.reports.model`): its units stay in the categories and the counts,
  since the condensates rest on them and the audit must show how the results came about, but
  the results chapter prints no quotation from it, a quotation being a new publication of her
  words; `stc check` then asks for another quotation where one is missing;
- `stc undo` takes a withdrawal back like any command; the trail keeps both and the reasons.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from stc.errors import StcError
from stc.refs import resolve_doc

if TYPE_CHECKING:
    from stc.project import Project
    from stc.trail import Record


def withdrawn(conn: sqlite3.Connection) -> dict[str, int]:
    """The withdrawn transcripts, each with the change that withdrew it."""
    return {str(r[0]): int(r[1]) for r in conn.execute("SELECT doc, seq FROM withdrawals")}


def withdraw(project: Project, doc: str, why: str) -> Record:
    """Withdraw a transcript from further analysis (see the module's description)."""
    if not why.strip():
        raise StcError("E211")
    with project.batch(why.strip()) as batch:
        doc = resolve_doc(batch.conn, doc)
        seq = withdrawn(batch.conn).get(doc)
        if seq is not None:
            raise StcError("E212", doc=doc, seq=seq)
        return batch.record("document.withdraw", {"doc": doc})


def refuse_new_units(conn: sqlite3.Connection, created: list[str], about: list[str],
                     payload: dict[str, Any]) -> None:
    """Refuse (E213) a change that makes a meaning unit on a withdrawn transcript: its objects
    made (`created`), the objects it is about, and its payload's `doc`."""
    if not any(key.startswith("unit:") for key in created):
        return
    docs = {key[4:] for key in about if key.startswith("doc:")}
    if payload.get("doc"):
        docs.add(str(payload["doc"]))
    for doc in sorted(docs):
        row = conn.execute("SELECT seq FROM withdrawals WHERE doc = ?", (doc,)).fetchone()
        if row is not None:
            raise StcError("E213", doc=doc, seq=int(row[0]))
