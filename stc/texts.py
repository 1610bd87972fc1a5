"""The erasable text store.

Trail payloads never hold transcript text or free text; they hold the text's hash. The body lives
in the `texts` table, so withdrawing a participant's consent can delete it without breaking the
hash chain of the trail.

A hash alone would let anyone holding the trail confirm a guessed sentence ("did she say
this?") by hashing the guess. So texts are hashed with a random salt of their owner, kept in the
erasable store beside them (`salts`, and each text row keeps the salt it was hashed with, so
`bad_texts` can check it): a transcript's salt (`doc:I1`) for everything taken from or written
on it, a participant's (`participant:3`) for her name and attributes, the project's for the
rest. Erasing a transcript deletes its salt with its texts; what the trail still holds is then
a hash nobody can recompute. Texts stored before salts (projects from before) keep their plain
SHA-256, and the transcripts of such projects keep hashing so (their salt is ''), so a speaker
label keeps one hash across a transcript's versions.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

ERASED = "[erased]"
_HASH = re.compile(r"[0-9a-f]{64}")
PROJECT = "project"  # the owner of texts that belong to no transcript or participant

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
# either of the two: a text holding none (nearly every one) is returned as it is after one scan
_EITHER = re.compile(f"{_UNWRITABLE.pattern}|{_OTHER_BREAKS.pattern}")


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
    return cleaned(text)[0] if _EITHER.search(text) else text


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


def doc_owner(doc: str) -> str:
    """The owner of every text taken from or written on transcript `doc`."""
    return f"doc:{doc}"


def participant_owner(pid: int | str) -> str:
    """The owner of a participant's name and attribute values."""
    return f"participant:{pid}"


def unit_owner(conn: sqlite3.Connection, unit: int) -> str:
    """The owner of a unit's texts (its quotation, note, translation): its transcript."""
    row = conn.execute("SELECT doc FROM units WHERE id = ?", (unit,)).fetchone()
    return doc_owner(str(row[0])) if row is not None else PROJECT


def key_owner(conn: sqlite3.Connection, key: str | None) -> str:
    """The owner of a text written on an object given by its key (`unit:7`, `doc:I1`,
    `subgroup:3`): a unit's or a place's transcript, else the project."""
    kind, _, ident = (key or "").partition(":")
    if kind == "unit" and ident.isdigit():
        return unit_owner(conn, int(ident))
    return doc_owner(ident) if kind == "doc" else PROJECT


def ref_owner(conn: sqlite3.Connection, ref: str | None) -> str:
    """The owner of a memo written on `ref`: the transcript of a unit (`U7`) or a place
    (`I1`, `I1:3-5`), else the project (a theme, code, group or subgroup, or nothing)."""
    if not ref:
        return PROJECT
    if ref[:1] in "Uu" and ref[1:].isdigit():
        return unit_owner(conn, int(ref[1:]))
    head = ref.partition(":")[0]
    return PROJECT if head in ("theme", "code", "group", "subgroup") else doc_owner(head)


def text_hash(body: str, salt: str = "") -> str:
    """The hash a text is stored under: keyed SHA-256 (HMAC) with its owner's salt, plain
    SHA-256 without one. Plain, it also serves to compare texts in memory."""
    if salt:
        import hmac  # loaded on first use: commands that only read never hash

        return hmac.digest(bytes.fromhex(salt), body.encode("utf-8"), "sha256").hex()
    from hashlib import sha256

    return sha256(body.encode("utf-8")).hexdigest()


def salt_of(conn: sqlite3.Connection, owner: str, create: bool = True) -> str:
    """The owner's salt, made (random) the first time one of its texts is stored; '' for
    the transcripts of projects from before salts, or when `create` is off and none exists.
    Writes: call inside the write transaction."""
    row = conn.execute("SELECT salt FROM salts WHERE owner = ?", (owner,)).fetchone()
    if row is not None:
        return str(row[0])
    if not create:
        return ""
    salt = new_salt(owner)
    conn.execute("INSERT INTO salts VALUES (?, ?)", (owner, salt))
    return salt


def new_salt(owner: str) -> str:
    """A fresh random salt (128 bits, hex) for `owner`. Tests that compare reports with golden
    files replace this with a fixed one, since every hash in the trail depends on it."""
    import secrets

    return secrets.token_hex(16)


def salt_of_text(conn: sqlite3.Connection, digest: str) -> str:
    """The salt a stored text was hashed with ('' when none, or when the store has no salts)."""
    try:
        row = conn.execute("SELECT salt FROM texts WHERE hash = ?", (digest,)).fetchone()
    except sqlite3.OperationalError:  # a project from before salts, opened without upgrading
        return ""
    return str(row[0]) if row is not None and row[0] else ""


def put_text(conn: sqlite3.Connection, body: str, owner: str, salt: str | None = None) -> str:
    """Store `body` as a text of `owner`; returns its hash. `salt`: the owner's, when the
    caller has it at hand."""
    salt = salt_of(conn, owner) if salt is None else salt
    digest = text_hash(body, salt)
    conn.execute("INSERT OR IGNORE INTO texts (hash, body, salt) VALUES (?, ?, ?)",
                 (digest, body, salt or None))
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


def hashes_in(value: object) -> set[str]:
    """Every value in a payload (nested lists and dicts) that has the form of a text hash."""
    if isinstance(value, str):
        return {value} if is_hash(value) else set()
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        found: set[str] = set()
        for item in value:
            found |= hashes_in(item)
        return found
    return set()


def stored_value(conn: sqlite3.Connection, value: str) -> str:
    """A participant's name, a speaker label, an attribute value or a file name as the state
    or a payload holds it: a hash into the text store in projects made since participants
    became objects, the text itself in clear in projects from before. A hash whose text was
    erased reads "[erased]"."""
    return must_text(conn, value) if is_hash(value) else value


def bad_texts(conn: sqlite3.Connection) -> list[str]:
    """Hashes whose stored body (with its salt) no longer gives them: the text store was
    tampered with."""
    return [str(digest) for digest, body, salt in conn.execute("SELECT hash, body, salt FROM texts")
            if not _holds(str(digest), str(body), salt)]


def _holds(digest: str, body: str, salt: str | None) -> bool:
    try:
        return text_hash(body, salt or "") == digest
    except ValueError:  # a salt that is no hex any more
        return False


# how a row that refers to a text is named in messages
_LABELS = {"units": "'U' || id", "memos": "'M' || id", "comments": "'C' || id", "documents": "id",
           "code_groups": "'category ' || quote(name)",
           "subgroups": "'subcategory ' || quote(name)",
           "identifying_names": "'an identifying name'"}


def erased_versions(conn: sqlite3.Connection) -> set[int]:
    """The changes that recorded a transcript version an erasure removed later (a transcript
    imported again under the same id after its erasure is not erased)."""
    out: set[int] = set()
    versions: dict[str, list[int]] = {}
    for seq, kind, doc in conn.execute(
            "SELECT seq, kind, payload ->> '$.doc' FROM trail WHERE kind IN"
            " ('document.import', 'document.replace', 'document.erase') ORDER BY seq"):
        if kind == "document.erase":
            out.update(versions.pop(str(doc), []))
        else:
            versions.setdefault(str(doc), []).append(int(seq))
    return out


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
    erased = erased_versions(conn)
    for seq, doc, digest in conn.execute(
            "SELECT seq, payload ->> '$.doc', payload ->> '$.text' FROM trail"
            " WHERE kind IN ('document.import', 'document.replace')"):
        if seq not in erased:
            wanted.setdefault(str(digest), f"the text of {doc}")
    have = {str(r[0]) for r in conn.execute("SELECT hash FROM texts")}
    return [f"the text store lacks {where} (text {digest[:12]}), and no recorded erasure"
            " removed it" for digest, where in wanted.items() if digest not in have]
