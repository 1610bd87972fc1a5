"""The erasable text store.

Trail payloads never hold transcript text or free text; they hold `text_hash(body)`. The body lives
in the `texts` table, so withdrawing a participant's consent can delete it without breaking the
hash chain of the trail.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

ERASED = "[erased]"
_HASH = re.compile(r"[0-9a-f]{64}")

# What no file stc writes can hold, in a text: XML 1.0 (and with it Word, Excel and REFI-QDA
# files) refuses the control characters other than tab and line breaks, UTF-8 has no lone
# surrogates, and bidi overrides and isolates reorder what is shown around them. Each is
# replaced by U+FFFD, one character for one, so that offsets into a text hold.
_UNWRITABLE = re.compile(
    "[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
    "\ufffe\uffff]")
# line and page breaks of other kinds (vertical tab, form feed, the separators): a line break
_OTHER_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
REPLACEMENT = "\ufffd"


def cleaned(text: str) -> tuple[str, dict[str, int]]:
    """The text every writer can write, and how many of which characters were replaced
    (`{"U+001B": 2}`): other line breaks become line breaks, what no file can hold U+FFFD."""
    found: dict[str, int] = {}
    for char in _UNWRITABLE.findall(text) + _OTHER_BREAKS.findall(text):
        code = f"U+{ord(char):04X}"
        found[code] = found.get(code, 0) + 1
    if not found:
        return text, found
    return _UNWRITABLE.sub(REPLACEMENT, _OTHER_BREAKS.sub("\n", text)), dict(sorted(found.items()))


def writable(text: str) -> str:
    """`cleaned` without the counts: what a writer of XML (Word, Excel, REFI-QDA) is given,
    also of texts stored before stc cleaned them where they entered."""
    return cleaned(text)[0]


def writable_values(value: Any) -> Any:
    """Every text inside `value` (dicts, lists, tuples: a report's model) `writable`."""
    if isinstance(value, str):
        return writable(value)
    if isinstance(value, dict):
        return {k: writable_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [writable_values(v) for v in value]
    if isinstance(value, tuple):
        items = [writable_values(v) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
    return value


def text_hash(body: str) -> str:
    from hashlib import sha256  # loaded on first use: commands that only read never hash

    return sha256(body.encode("utf-8")).hexdigest()


def put_text(conn: sqlite3.Connection, body: str) -> str:
    digest = text_hash(body)
    conn.execute("INSERT OR IGNORE INTO texts (hash, body) VALUES (?, ?)", (digest, body))
    return digest


def get_text(conn: sqlite3.Connection, digest: str | None) -> str | None:
    if digest is None:
        return None
    row = conn.execute("SELECT body FROM texts WHERE hash = ?", (digest,)).fetchone()
    return None if row is None else str(row[0])


def must_text(conn: sqlite3.Connection, digest: str) -> str:
    """The text, or a visible marker when it was erased."""
    body = get_text(conn, digest)
    return ERASED if body is None else body


def is_hash(value: str) -> bool:
    """Whether a stored value is a hash into the text store (else the text in clear)."""
    return bool(_HASH.fullmatch(value))


def stored_value(conn: sqlite3.Connection, value: str) -> str:
    """A participant's name, a speaker label, an attribute value or a file name as the state
    or a payload holds it: a hash into the text store in projects made since participants
    became objects, the text itself in clear in projects from before. A hash whose text was
    erased reads "[erased]"."""
    return must_text(conn, value) if is_hash(value) else value


def bad_texts(conn: sqlite3.Connection) -> list[str]:
    """Hashes whose stored body no longer matches: the text store was tampered with."""
    return [
        str(digest)
        for digest, body in conn.execute("SELECT hash, body FROM texts")
        if text_hash(body) != digest
    ]


# how a row that refers to a text is named in messages
_LABELS = {"units": "'U' || id", "memos": "'M' || id", "comments": "'C' || id", "documents": "id",
           "code_groups": "'category ' || quote(name)",
           "subgroups": "'subcategory ' || quote(name)",
           "identifying_names": "'an identifying name'"}


def missing_texts(conn: sqlite3.Connection) -> list[str]:
    """Texts the project refers to that are not in the text store, though no recorded erasure
    removed them: what the state tables name, and the text of every transcript version
    recorded and not erased."""
    from stc.store import TEXT_COLUMNS

    wanted: dict[str, str] = {}
    for table, columns in TEXT_COLUMNS.items():
        label = _LABELS.get(table, "rowid")
        for column in columns:
            for owner, digest in conn.execute(f"SELECT {label}, {column} FROM {table}"
                                              f" WHERE {column} IS NOT NULL"):
                wanted.setdefault(str(digest), f"the {column} of {owner}")
    erased = {str(r[0]) for r in conn.execute(
        "SELECT payload ->> '$.doc' FROM trail WHERE kind = 'document.erase'")}
    for doc, digest in conn.execute(
            "SELECT payload ->> '$.doc', payload ->> '$.text' FROM trail"
            " WHERE kind IN ('document.import', 'document.replace')"):
        if doc not in erased:
            wanted.setdefault(str(digest), f"the text of {doc}")
    have = {str(r[0]) for r in conn.execute("SELECT hash FROM texts")}
    return [f"the text store lacks {where} (text {digest[:12]}), and no recorded erasure"
            " removed it" for digest, where in wanted.items() if digest not in have]
