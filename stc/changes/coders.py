"""Changes that record two coders' decisions: a merge from another coder's project and the
resolution of each place where they disagreed. They change no state themselves (the units,
codes and memos merged are recorded by their own kinds); they keep who decided what, and why,
in the trail."""

from __future__ import annotations

import sqlite3

from stc.changes.registry import Payload, change_kind, keys
from stc.phrases import Said, Word, said


def _merge_from_summary(p: Payload) -> Said:
    return said("merge.from", "merged", project=p["project"], path=p["path"],
                seq=p["state"]["seq"],
                keep=said("merge.from", "keep", side=p["keep"].upper()) if p.get("keep") else "")


@change_kind("merge.from", _merge_from_summary, refs=lambda p: sorted(p.get("docs", {})),
             uses=lambda p: keys("doc", *sorted(p.get("docs", {}))))
def _merge_from(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """The header of a merge: which project, at which change, transcripts matched by text."""


def _resolve_summary(p: Payload) -> Said:
    done = {key: said("merge.resolve", key, units=[f"U{u}" for u in p["result"][key]])
            if p["result"].get(key) else "" for key in ("added", "changed", "deleted")}
    # the kind of place in words (the payload's `what` is English)
    what = Word(p["kind"]) if "kind" in p else p["what"]
    return said("merge.resolve", "decided", place=p["place"], segments=p["segments"],
                what=what, decision=p["decision"], **done)


@change_kind(
    "merge.resolve",
    _resolve_summary,
    refs=lambda p: [p["place"], p["doc"], p["segments"],
                    *(f"U{u}" for key in ("added", "changed", "deleted")
                      for u in p["result"].get(key, []))],
    uses=lambda p: [*keys("doc", p["doc"]),
                    *keys("unit", *p["result"].get("added", []), *p["result"].get("changed", []))],
)
def _merge_resolve(conn: sqlite3.Connection, p: Payload, seq: int) -> None:
    """One place decided: keep-a, keep-b, keep-both or adjust. The units it added, changed or
    deleted are recorded by the changes just before it, and named here."""
