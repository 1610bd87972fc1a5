"""The registry of change kinds (see stc.changes)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, NamedTuple

Payload = dict[str, Any]
# apply(conn, payload, seq): seq is the number of the change being applied
Apply = Callable[[sqlite3.Connection, Payload, int], None]
Summary = Callable[[Payload], str]


class ChangeKind(NamedTuple):
    """One kind of change: how it is applied, summarised and found by reference."""

    name: str
    apply: Apply
    summary: Summary
    # references the change touches, for `stc log --on REF`
    refs: Callable[[Payload], list[str]]
    undoable: bool = True


CHANGE_KINDS: dict[str, ChangeKind] = {}


def change_kind(
    name: str,
    summary: Summary,
    refs: Callable[[Payload], list[str]] | None = None,
    undoable: bool = True,
) -> Callable[[Apply], Apply]:
    def register(apply: Apply) -> Apply:
        if name in CHANGE_KINDS:
            raise RuntimeError(f"change kind {name} registered twice")
        CHANGE_KINDS[name] = ChangeKind(name, apply, summary, refs or (lambda p: []), undoable)
        return apply

    return register
