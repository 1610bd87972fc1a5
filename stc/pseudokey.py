"""The pseudonymisation key (Sikt's "koblingsnøkkel"): a file kept outside the project.

It holds only what has a purpose. By default that is the participant link: which
`[INFORMANT n]` is which participant. Other listed names are kept only as keyed hashes
(HMAC-SHA256 with the key's random secret) beside their number, so that the next run gives them
the same placeholder while the key does not say who they are; numbers, dates and addresses are
not kept at all. A key made with `--full-key` keeps every mapping instead: each name in clear,
and for each pseudonymised text the original of every placeholder in order, so the originals
can be restored (`stc pseudonymise --restore`).

The file is JSON. With a passphrase it is encrypted with Fernet (AES with an HMAC, from the
`cryptography` package, an optional dependency) under a key derived from the passphrase with
scrypt; only the key's id is readable without it. The project's trail records the id and a
hash of the whole mapping, secret included, so the hash cannot be matched against guessed names.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from stc.errors import StcError
from stc.pseudonymise import CATEGORIES, Entry, Named, squeeze

KEY_FORMAT = 1
ABOUT = ("Pseudonymisation key for an stc project. It links placeholders to real identities:"
         " keep it apart from the project, in a place only the project leader can read, and"
         " destroy it when the project's approval says so (stc pseudonymise --destroy-key).")
SCRYPT = {"n": 2**15, "r": 8, "p": 1}


@dataclass
class Key:
    """The content of a key file."""

    id: str
    secret: str  # hex; keys the hashes of names other than participants
    full: bool = False
    counters: dict[str, int] = field(default_factory=dict)  # category -> last number given
    participants: dict[str, list[str]] = field(default_factory=dict)  # number -> name forms
    hashed: dict[str, list[Any]] = field(default_factory=dict)  # hmac -> [category, number]
    names: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # full: cat -> n -> forms
    texts: dict[str, list[list[str]]] = field(default_factory=dict)  # full: text hash -> pairs

    def mapping_hash(self) -> str:
        """What the trail records of the key: a hash of everything it holds."""
        body = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(body.encode("utf-8")).hexdigest()

    def _digest(self, form: str) -> str:
        return hmac.new(bytes.fromhex(self.secret), squeeze(form).casefold().encode("utf-8"),
                        hashlib.sha256).hexdigest()

    def _next(self, category: str) -> int:
        self.counters[category] = self.counters.get(category, 0) + 1
        return self.counters[category]

    def number(self, entry: Entry) -> Named:
        """The entry with its placeholder number: the one an earlier run gave it (found by any
        of its spellings), or the next free one in its category."""
        if entry.category == "participant":
            number = self._participant_number(entry)
        else:
            number = self._hashed_number(entry)
        if self.full:
            self.names.setdefault(entry.category, {})[str(number)] = list(entry.forms)
        return Named(entry.forms, entry.category, number)

    def _participant_number(self, entry: Entry) -> int:
        wanted = {squeeze(f).casefold() for f in entry.forms}
        for given, forms in self.participants.items():
            if wanted & {f.casefold() for f in forms}:
                forms += [f for f in entry.forms if f.casefold() not in
                          {g.casefold() for g in forms}]
                return int(given)
        number = self._next("participant")
        self.participants[str(number)] = list(entry.forms)
        return number

    def _hashed_number(self, entry: Entry) -> int:
        digests = [self._digest(f) for f in entry.forms]
        known = [self.hashed[d][1] for d in digests
                 if d in self.hashed and self.hashed[d][0] == entry.category]
        number = int(known[0]) if known else self._next(entry.category)
        for d in digests:
            self.hashed[d] = [entry.category, number]
        return number

    def remember(self, text_hash: str, pairs: list[tuple[str, str]]) -> None:
        """With a full key: the original of each placeholder of a pseudonymised text."""
        if self.full:
            self.texts[text_hash] = [list(p) for p in pairs]


def new_key(full: bool) -> Key:
    return Key(id=secrets.token_hex(8), secret=secrets.token_hex(32), full=full,
               counters={c: 0 for c in CATEGORIES})


def number_names(key: Key, entries: list[Entry]) -> tuple[Named, ...]:
    return tuple(key.number(entry) for entry in entries)


# -- the file --------------------------------------------------------------------------------

def _load_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StcError("E101", path=str(path)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise StcError("E905", path=str(path)) from None
    if not isinstance(data, dict) or data.get("stc_key") != KEY_FORMAT or "id" not in data:
        raise StcError("E905", path=str(path))
    return data


def key_id(path: Path) -> str:
    """The key's id, readable without the passphrase."""
    return str(_load_json(path)["id"])


def is_encrypted(path: Path) -> bool:
    return path.exists() and "token" in _load_json(path)


def read_key(path: Path, passphrase: str | None = None) -> Key:
    data = _load_json(path)
    if "token" in data:
        if passphrase is None:
            raise StcError("E906", path=str(path))
        fernet = _fernet(passphrase, base64.b64decode(data["encryption"]["salt"]))
        from cryptography.fernet import InvalidToken

        try:
            data = json.loads(fernet.decrypt(data["token"].encode("ascii")))
        except InvalidToken:
            raise StcError("E907", path=str(path)) from None
    try:
        return Key(**{k: v for k, v in data.items() if k not in ("stc_key", "about")})
    except TypeError:
        raise StcError("E905", path=str(path)) from None


def write_key(path: Path, key: Key, passphrase: str | None = None) -> None:
    """Write the key atomically, readable by its owner only; encrypted with a passphrase."""
    from stc.project import write_atomically

    content = {"stc_key": KEY_FORMAT, "about": ABOUT, **asdict(key)}
    if passphrase is not None:
        salt = secrets.token_bytes(16)
        token = _fernet(passphrase, salt).encrypt(json.dumps(content).encode("utf-8"))
        content = {"stc_key": KEY_FORMAT, "about": ABOUT, "id": key.id,
                   "encryption": {"method": "fernet-scrypt", "salt":
                                  base64.b64encode(salt).decode("ascii"), **SCRYPT},
                   "token": token.decode("ascii")}
    data = json.dumps(content, ensure_ascii=False, indent=1).encode("utf-8")
    old_mask = os.umask(0o077)
    try:
        write_atomically(path, data)
    finally:
        os.umask(old_mask)


def _fernet(passphrase: str, salt: bytes) -> Any:
    try:
        from cryptography.fernet import Fernet
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
    except ImportError:
        raise StcError("E908") from None
    derived = Scrypt(salt=salt, length=32, **SCRYPT).derive(passphrase.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(derived))


def destroy_key(path: Path) -> str:
    """Overwrite the key file with random bytes, then delete it; returns its id. (On a
    solid-state disk or a copy-on-write file system the old blocks may survive the
    overwrite; backups of the key are the user's to destroy.)"""
    ident = key_id(path)
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.write(secrets.token_bytes(size))
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()
    return ident


def refuse_inside(path: Path, root: Path | None, code: str) -> None:
    """Refuse a file kept inside the project folder, also when a symbolic link leads there
    or a link inside the project leads out: what is in the folder travels with it."""
    if root is None:
        return
    projects = {root.resolve(), Path(os.path.abspath(root))}
    given = Path(os.path.abspath(path))
    for candidate in (given, given.parent.resolve() / given.name, path.resolve()):
        if projects & {candidate, *candidate.parents}:
            raise StcError(code, path=str(path), project=str(root))
