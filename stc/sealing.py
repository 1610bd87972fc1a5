"""Seals: a signed note of the trail's head that a supervisor keeps, so that a trail rewritten
from scratch (every hash recomputed) or cut short is caught.

The hash chain catches any change to a stored change, but someone who recomputes every hash, or
removes the last changes, leaves a chain that holds together. What catches that is a head kept
elsewhere: `stc verify --expect HASH` against a hash the supervisor noted, or a seal — a small
text file naming the change number, its hash and the time, signed with the user's SSH key by
`ssh-keygen -Y sign` (as git signs commits; nothing home-made), and checked by
`stc verify --seal FILE --allowed-signers FILE`.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path
from typing import NamedTuple

from stc.errors import StcError

NAMESPACE = "stc-seal"  # ssh-keygen signatures name what they are for
SEALS = "seals"  # the folder in the project that keeps them
_HASH = re.compile(r"\b[0-9a-f]{64}\b")


class Head(NamedTuple):
    """A change number and its hash, as noted or sealed."""

    seq: int | None  # None: only the hash was noted
    hash: str


def seal_text(title: str, seq: int, digest: str, at: str, author: str) -> str:
    return (f"stc seal\nproject: {title}\nchange: {seq}\nhash: {digest}\nat: {at}\n"
            f"sealed by: {author}\n")


def read_expected(value: str) -> Head:
    """What `--expect` names: a hash, a file holding one (a seal, or a line `N HASH`)."""
    path = Path(value)
    if _HASH.fullmatch(value.strip().lower()):
        return Head(None, value.strip().lower())
    if not path.is_file():
        raise StcError("E324", value=value)
    text = path.read_text(encoding="utf-8", errors="replace")
    digest = _HASH.search(text.lower())
    if digest is None:
        raise StcError("E325", path=str(path))
    number = re.search(r"(?:^|\n)\s*(?:change:\s*)?#?(\d+)\b", text[:digest.start()])
    return Head(int(number.group(1)) if number else None, digest.group(0))


def check_head(conn: sqlite3.Connection, expected: Head) -> list[str]:
    """Problems when the trail no longer holds the noted head."""
    last = int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM trail").fetchone()[0])
    if expected.seq is None:
        row = conn.execute("SELECT seq FROM trail WHERE hash = ?", (expected.hash,)).fetchone()
        if row is None:
            return [f"the trail holds no change with hash {expected.hash[:16]}: it was rewritten"
                    " or cut short after that hash was noted"]
        return []
    if expected.seq > last:
        return [f"the trail ends at change #{last}, but #{expected.seq} was noted: changes were"
                " removed from its end"]
    row = conn.execute("SELECT hash FROM trail WHERE seq = ?", (expected.seq,)).fetchone()
    if row is None or row[0] != expected.hash:
        found = row[0][:16] if row else "nothing"
        return [f"change #{expected.seq} has hash {found}, not {expected.hash[:16]} as noted: the"
                " trail was rewritten"]
    return []


# -- signing with ssh-keygen ---------------------------------------------------------------------

def default_key() -> Path:
    """The key git signs with (`git config user.signingkey`), else ~/.ssh/id_ed25519."""
    try:
        git = subprocess.run(["git", "config", "user.signingkey"], capture_output=True,
                             text=True, encoding="utf-8", errors="replace", timeout=5,
                             check=False)  # git's settings are UTF-8, whatever the locale
        configured = git.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        configured = ""
    if configured and not configured.startswith(("key::", "ssh-")):
        key = Path(configured).expanduser()
        private = key.with_suffix("") if key.suffix == ".pub" else key
        return private if private.exists() else key
    return Path.home() / ".ssh" / "id_ed25519"


def _ssh_keygen(args: list[str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["ssh-keygen", *args], input=stdin, capture_output=True,
                              timeout=60, check=False)
    except FileNotFoundError:
        raise StcError("E326") from None
    except subprocess.TimeoutExpired:
        raise StcError("E327", detail="ssh-keygen did not answer within a minute") from None


def sign(path: Path, key: Path) -> Path:
    """Sign `path` with the SSH key `key`; returns the signature file (`path` + .sig)."""
    if not key.exists():
        raise StcError("E328", key=str(key))
    signature = path.with_name(path.name + ".sig")
    signature.unlink(missing_ok=True)
    done = _ssh_keygen(["-Y", "sign", "-f", str(key), "-n", NAMESPACE, str(path)],
                       stdin=b"")
    if done.returncode != 0 or not signature.exists():
        raise StcError("E327", detail=_first_line(done.stderr))
    return signature


def check_signature(path: Path, allowed_signers: Path) -> str:
    """The principal whose key signed `path` (its signature beside it, `path`.sig), from the
    allowed signers file; raises when the signature does not hold."""
    signature = path.with_name(path.name + ".sig")
    for needed in (path, signature, allowed_signers):
        if not needed.is_file():
            raise StcError("E329", path=str(needed))
    found = _ssh_keygen(["-Y", "find-principals", "-s", str(signature), "-f",
                         str(allowed_signers)])
    principals = found.stdout.decode("utf-8", "replace").split()
    if found.returncode != 0 or not principals:
        raise StcError("E330", path=str(path), detail="no allowed signer's key made it")
    done = _ssh_keygen(["-Y", "verify", "-f", str(allowed_signers), "-I", principals[0], "-n",
                        NAMESPACE, "-s", str(signature)], stdin=path.read_bytes())
    if done.returncode != 0:
        raise StcError("E330", path=str(path), detail=_first_line(done.stderr or done.stdout))
    return principals[0]


def fingerprint(signature: Path) -> str:
    """The SHA256 fingerprint of the key that made a signature, as ssh-keygen shows keys."""
    import base64
    import hashlib

    armour = signature.read_text(encoding="ascii").splitlines()
    blob = base64.b64decode("".join(line for line in armour if not line.startswith("-----")))
    # SSHSIG: magic, version, then the public key as an SSH string (a 4-byte length first)
    offset = len(b"SSHSIG") + 4
    length = int.from_bytes(blob[offset:offset + 4], "big")
    key = blob[offset + 4:offset + 4 + length]
    digest = base64.b64encode(hashlib.sha256(key).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


def _first_line(data: bytes) -> str:
    lines = data.decode("utf-8", "replace").strip().splitlines()
    return lines[0] if lines else "no message"
