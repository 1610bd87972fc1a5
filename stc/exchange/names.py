"""Names stc gives things in a REFI-QDA file, so that its own exports come back whole.

REFI-QDA has no subgroups, condensates or memo kinds. stc writes subgroups as child codes of
their group's code and lists them in a set named `SUBGROUP_SET`; condensates and analytic texts
as notes named "Condensate: …" and "Analytic text: …" referred to by the group's or subgroup's
code; memos as notes named "M7 impression on I1", which name the memo's kind and what it is on.
GUIDs are uuid5 of the object's kind and id in a namespace drawn from the project's first
change, so the same object keeps its GUID across exports.
"""

from __future__ import annotations

import re
import uuid

SUBGROUP_SET = "stc subgroups"
_NOTE_NAME = re.compile(r"^M\d+ (?P<kind>[\w-]+)(?: on (?P<ref>.+))?$")


def note_name(memo_id: int, kind: str, ref: str | None) -> str:
    return f"M{memo_id} {kind}" + (f" on {ref}" if ref else "")


def parse_note_name(name: str | None) -> tuple[str, str | None] | None:
    """(kind, ref) from a note name stc wrote, or None."""
    m = _NOTE_NAME.match(name or "")
    return (m.group("kind"), m.group("ref")) if m else None


class Guids:
    """Stable GUIDs for one project."""

    def __init__(self, first_change_hash: str) -> None:
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"stc-project:{first_change_hash}")

    def __call__(self, kind: str, ident: object) -> str:
        return str(uuid.uuid5(self.namespace, f"{kind}:{ident}"))
