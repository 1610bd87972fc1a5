"""Every kind of change a project can undergo, one function per kind.

The same function applies a change live and when the trail is replayed (by `stc verify`,
`stc undo` and `--as-of`), which is what keeps the state equal to the trail. A function receives
the connection and the payload only: everything it needs must be in the payload (ids included),
never read from the clock, the file system or the text store.

Modules register their kinds with `@change_kind`; importing this package registers all of them.
"""

from __future__ import annotations

from stc.changes import (  # noqa: F401  (registration)
    analysis,
    coders,
    condensation,
    documents,
    exchange,
    lifecycle,
    participants,
    project,
    supervision,
)
from stc.changes.registry import CHANGE_KINDS, ChangeKind, change_kind

__all__ = ["CHANGE_KINDS", "ChangeKind", "change_kind"]
