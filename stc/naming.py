"""Names as people read them: what a name may hold, and when two names are the same.

Every name a user gives (a theme, code, code group or subgroup, a document id, a participant,
an attribute key, a name on the list of identifying names) passes `checked` where it enters:
NFC-normalised, runs of spaces made one, the ends trimmed, and refused when it holds what is
not visible text (control characters, tabs and line breaks included; bidi overrides;
surrogates and noncharacters, which no file can hold) or nothing visible at all (only
zero-width characters). Two names are the same when their `key`s are: NFC and `casefold()`,
so `NÆRHET OG RELASJON` finds "Nærhet og relasjon", and "Kafé" is one name however its é was
typed (one character, e and a combining accent, or the accent's older twin U+0341).

`key` is the one comparison every resolver uses, in Python: `matching` and `by_name` find rows
by it (stc.lookup, stc.refs, exchange), stc.participants and stc.attributes compare keys.
SQLite's NOCASE folds only ASCII letters, so it serves `by_name` only as a quick first look
through an index. Names stored before this rule keep their spelling, and are found by it.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from typing import Any

from stc.errors import StcError

# What a name may not hold: every control character (Cc, tab and line break included), the
# bidi embeddings, overrides and isolates (they reorder what is shown around them), lone
# surrogates (no UTF-8 for them) and the noncharacters U+FFFE and U+FFFF.
_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
# Letters and symbols that show nothing: a name of these alone looks empty
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_VISIBLE = ("L", "N", "P", "S")


def key(name: str) -> str:
    """What two names are compared by: NFC, casefolded, runs of white space one space."""
    folded = unicodedata.normalize("NFC", " ".join(name.split())).casefold()
    return unicodedata.normalize("NFC", folded)


def same(first: str, second: str) -> bool:
    return key(first) == key(second)


def matching(conn: sqlite3.Connection, select: str, name: str, where: str = "",
             args: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
    """The rows of `select` (with the condition `where` on `args`) whose second column names
    `name` as people read it (`naming.key`), in the order `select` gives them, a row spelled
    exactly so first."""
    wanted = key(name)
    rows = conn.execute(f"{select}{' WHERE ' + where if where else ''}", args).fetchall()
    found = [row for row in rows if key(str(row[1])) == wanted]
    return sorted(found, key=lambda row: row[1] != name)  # a stable sort: exact ones first


def by_name(conn: sqlite3.Connection, select: str, column: str, name: str, where: str = "",
            args: tuple[Any, ...] = ()) -> sqlite3.Row | None:
    """The first of `matching`. A name equal to one stored but for ASCII case is found
    through SQLite's index on `column` (NOCASE, which folds no other letter and no accent);
    any other by comparing every key."""
    condition = f"{where} AND " if where else ""
    row: sqlite3.Row | None = conn.execute(
        f"{select} WHERE {condition}{column} = ? COLLATE NOCASE", (*args, name)).fetchone()
    if row is not None:
        return row
    found = matching(conn, select, name, where, args)
    return found[0] if found else None


def checked(kind: str, name: str) -> str:
    """The name as it is stored: NFC, spaces squeezed, ends trimmed. Refused with a message
    naming the character when it holds one that is not visible text (E133), when it shows
    nothing (E134) or is empty (E403)."""
    bad = _REFUSED.search(name)
    if bad is not None:
        raise StcError("E133", kind=kind, name=name, char=describe(bad.group()))
    name = unicodedata.normalize("NFC", " ".join(name.split()))
    if not name:
        raise StcError("E403", kind=kind)
    if not any(unicodedata.category(c)[0] in _VISIBLE and c not in _BLANK_LETTERS
               for c in name):
        raise StcError("E134", kind=kind, name=name)
    return name


def describe(char: str) -> str:
    """A character as a message names it: U+001B ESCAPE."""
    point = ord(char)
    name = unicodedata.name(char, "") or _CONTROL_NAMES.get(point, "")
    return f"U+{point:04X} {name}".strip()


_CONTROL_NAMES = {0: "NUL", 8: "BACKSPACE", 9: "TAB", 10: "LINE FEED", 11: "VERTICAL TAB",
                  12: "FORM FEED", 13: "CARRIAGE RETURN", 27: "ESCAPE", 127: "DELETE",
                  0x85: "NEXT LINE"}
