"""The registry of change kinds (see stc.changes)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, NamedTuple

from stc.phrases import Said

Payload = dict[str, Any]
# apply(conn, payload, seq): seq is the number of the change being applied
Apply = Callable[[sqlite3.Connection, Payload, int], None]
# what a change did: a template of the catalogues' `change_summaries` and its fields
# (stc.phrases)
Summary = Callable[[Payload], Said]


class ChangeKind(NamedTuple):
    """One kind of change: how it is applied, summarised and found by reference."""

    name: str
    apply: Apply
    summary: Summary
    # names the change touches, as the trail shows them
    refs: Callable[[Payload], list[str]]
    undoable: bool = True
    # the objects it makes, changes or removes, by kind and id (`unit:7`, `code:3`, `doc:I1`),
    # stable across renames: for an object's history, undo's dependencies, "changed since"
    objects: Callable[[Payload], list[str]] = lambda p: []
    # the objects it only refers to (the codes of a new unit, the group of a new code)
    uses: Callable[[Payload], list[str]] = lambda p: []
    creates: bool = False  # its objects did not exist before it
    # a record of a fact outside the state (a seal): changes nothing, and undo passes over it
    mark: bool = False


CHANGE_KINDS: dict[str, ChangeKind] = {}


def change_kind(
    name: str,
    summary: Summary,
    refs: Callable[[Payload], list[str]] | None = None,
    undoable: bool = True,
    objects: Callable[[Payload], list[str]] | None = None,
    uses: Callable[[Payload], list[str]] | None = None,
    creates: bool = False,
    mark: bool = False,
) -> Callable[[Apply], Apply]:
    def register(apply: Apply) -> Apply:
        if name in CHANGE_KINDS:
            raise RuntimeError(f"change kind {name} registered twice")
        CHANGE_KINDS[name] = ChangeKind(name, apply, summary, refs or (lambda p: []), undoable,
                                        objects or (lambda p: []), uses or (lambda p: []),
                                        creates, mark)
        return apply

    return register


def keys(kind: str, *ids: object) -> list[str]:
    """Object keys of one kind: keys("unit", 7, 8) → ["unit:7", "unit:8"]; None skipped."""
    return [f"{kind}:{i}" for i in ids if i is not None]
