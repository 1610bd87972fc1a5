"""Names stc gives things in a REFI-QDA file, so that its own exports come back whole.

REFI-QDA has no subgroups, condensates, quotations, set-aside units, themes or memo kinds. stc
writes subgroups as child codes of their group's code, listed in the set `SUBGROUP_SET`;
memos as notes named "M7 impression on I1", which name the memo's kind and what it is on; and
everything else as notes named "<label>: <subject>" (`labelled`), listed in a set per label so
that other programs show them together: condensates and analytic texts referred to by their
group's or subgroup's code, illustrative quotations and set-aside reasons by their unit's
selection, preliminary themes by the code groups that grew out of them.
GUIDs are uuid5 of the object's kind and id in a namespace drawn from the project's first
change, so the same object keeps its GUID across exports.
"""

from __future__ import annotations

import re
import uuid

SUBGROUP_SET = "stc subgroups"
_NOTE_NAME = re.compile(r"^M\d+ (?P<kind>[\w-]+)(?: on (?P<ref>.+))?$")

# what a labelled note holds -> (label in its name, the set that lists such notes)
LABELS = {
    "condensate": ("Condensate", "stc condensates"),
    "description": ("Analytic text", "stc analytic texts"),
    "nugget": ("Illustrative quotation", "stc illustrative quotations"),
    "aside": ("Set aside", "stc set-aside units"),
    "theme": ("Preliminary theme", "stc preliminary themes"),
}
_BY_LABEL = {label.casefold(): kind for kind, (label, _) in LABELS.items()}
STC_SETS = {SUBGROUP_SET, *(name for _, name in LABELS.values())}


def note_name(memo_id: int, kind: str, ref: str | None) -> str:
    return f"M{memo_id} {kind}" + (f" on {ref}" if ref else "")


def parse_note_name(name: str | None) -> tuple[str, str | None] | None:
    """(kind, ref) from a memo's note name stc wrote, or None."""
    m = _NOTE_NAME.fullmatch(name or "")
    return (m.group("kind"), m.group("ref")) if m else None


def labelled(kind: str, subject: str) -> str:
    return f"{LABELS[kind][0]}: {subject}"


def parse_labelled(name: str | None) -> tuple[str, str] | None:
    """(kind, subject) from a labelled note name, or None."""
    label, sep, subject = (name or "").partition(":")
    kind = _BY_LABEL.get(label.strip().casefold())
    return (kind, subject.strip()) if sep and kind else None


class Guids:
    """Stable GUIDs for one project."""

    def __init__(self, first_change_hash: str) -> None:
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"stc-project:{first_change_hash}")

    def __call__(self, kind: str, ident: object) -> str:
        return str(uuid.uuid5(self.namespace, f"{kind}:{ident}"))


# A participant's speaker labels, in its case's description, so that stc's own file maps each
# label of a focus group to its participant again (names and labels may differ after a rename)
_LABELS_PREFIX = "stc speaker labels: "


def labels_description(labels: dict[str, list[str]]) -> str:
    """The description of a case: the labels of the participant, per transcript."""
    import json

    return _LABELS_PREFIX + json.dumps(labels, ensure_ascii=False, sort_keys=True)


def parse_labels_description(text: str | None) -> dict[str, list[str]]:
    """The labels a case's description names, per transcript name; empty when it names
    none."""
    import json

    if not text or not text.startswith(_LABELS_PREFIX):
        return {}
    try:
        found = json.loads(text[len(_LABELS_PREFIX):])
    except ValueError:
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(doc): [str(label) for label in labels] for doc, labels in found.items()
            if isinstance(labels, list)}

