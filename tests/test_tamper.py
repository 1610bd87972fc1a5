"""Tampering with a project outside stc, and what catches it: the hash chain, the replay, the
text store and originals checks, and — for a trail rewritten from scratch or cut short — a head
noted elsewhere (`stc verify --expect`) or a signed seal (`stc seal`, `stc verify --seal`)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from stc.trail import GENESIS, record_hash
from tests.builders import coded_project
from tests.conftest import Run

NEEDS_SSH = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="no ssh-keygen")


@pytest.fixture
def coded(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "nb"
    coded_project(run, root, "nb")
    run("theme", "add", "Siste tema", "--project", str(root))
    monkeypatch.chdir(root)
    return root


def sql(project: Path, *statements: str) -> None:
    conn = sqlite3.connect(project / "stc.db")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def rechain(project: Path) -> None:
    """What a determined forger does after editing the trail: recompute every hash."""
    conn = sqlite3.connect(project / "stc.db")
    prev = GENESIS
    rows = conn.execute("SELECT seq, at, author, kind, payload, why, command, label FROM trail"
                        " ORDER BY seq").fetchall()
    for seq, at, author, kind, payload, why, command, label in rows:
        digest = record_hash(seq, at, author, kind, payload, why, prev, command, label)
        conn.execute("UPDATE trail SET prev = ?, hash = ? WHERE seq = ?", (prev, digest, seq))
        prev = digest
    conn.commit()
    conn.close()


def head(project: Path) -> tuple[int, str]:
    conn = sqlite3.connect(project / "stc.db")
    row = conn.execute("SELECT seq, hash FROM trail ORDER BY seq DESC LIMIT 1").fetchone()
    conn.close()
    return int(row[0]), str(row[1])


def problems(run: Run, *args: str) -> str:
    result = run("verify", *args, code=1)
    assert "OK" not in result.stdout and result.stderr.startswith("Error:")
    return result.stderr


TAMPERING = [
    ("state row changed", ["UPDATE units SET subgroup_id = 99 WHERE id = 3"],
     "units: U3: subgroup_id is 99 in the project, None by the trail"),
    ("state row added", ["INSERT INTO codes VALUES (99, 'smuglet', NULL, NULL)"],
     "codes: code 'smuglet' is in the project but not in the trail"),
    ("payload changed", ["UPDATE trail SET payload = replace(payload, 'Tid', 'Tidd')"
                         " WHERE kind = 'theme.add'"], "does not match its hash: it was altered"),
    ("author changed", ["UPDATE trail SET author = 'Mallory' WHERE seq = 5"],
     "change #5 (memo.add) does not match its hash"),
    ("middle row deleted", ["DELETE FROM trail WHERE seq = 6"], "change #6 is missing"),
    ("last row deleted", ["DELETE FROM trail WHERE seq = (SELECT MAX(seq) FROM trail)"],
     "themes: theme 'Siste tema' is in the project but not in the trail"),
    ("rows reordered", ["UPDATE trail SET seq = -1 WHERE seq = 5",
                        "UPDATE trail SET seq = 5 WHERE seq = 6",
                        "UPDATE trail SET seq = 6 WHERE seq = -1"],
     "change #5 (theme.add) does not match its hash"),
    ("text row changed", ["UPDATE texts SET body = body || ' (endret)'"
                          " WHERE hash = (SELECT text FROM units WHERE id = 1)"],
     "does not match its hash"),
    ("text row deleted", ["DELETE FROM texts WHERE hash = (SELECT text FROM units WHERE id = 1)"],
     "the text store lacks the text of U1"),
    ("transcript text deleted", ["DELETE FROM texts WHERE hash = (SELECT text FROM documents"
                                 " WHERE id = 'I2')"], "the text store lacks the text of I2"),
]


@pytest.mark.parametrize(("statements", "message"), [t[1:] for t in TAMPERING],
                         ids=[t[0] for t in TAMPERING])
def test_verify_catches_tampering_and_names_the_place(run: Run, coded: Path,
                                                      statements: list[str],
                                                      message: str) -> None:
    run("verify")
    sql(coded, *statements)
    assert message in problems(run)


def test_verify_catches_a_changed_or_planted_original(run: Run, coded: Path) -> None:
    original = next((coded / "sources").glob("I1-*"))
    original.write_bytes(original.read_bytes() + b"x")
    assert "the original of I1 was changed" in problems(run)
    original.write_bytes(original.read_bytes()[:-1])
    run("verify")
    planted = coded / "sources" / "I9-000000000000.txt"
    planted.write_text("Kari: Dette sa jeg aldri.\n", encoding="utf-8")
    assert f"{planted} is not the original of any transcript" in problems(run)
    assert f"removed {planted}" in run("verify", "--repair").stdout
    assert not planted.exists()
    run("verify")


def test_a_rewritten_chain_passes_alone_but_not_against_a_noted_head(
        run: Run, coded: Path) -> None:
    noted = head(coded)
    sql(coded, "UPDATE trail SET author = 'Mallory' WHERE seq = 5")
    rechain(coded)
    run("verify")  # the chain holds together again: only a head kept elsewhere can tell
    err = problems(run, "--expect", noted[1])
    assert f"holds no change with hash {noted[1][:16]}" in err
    note = coded.parent / "noted.txt"
    note.write_text(f"{noted[0]} {noted[1]}\n", encoding="utf-8")
    assert f"change #{noted[0]} has hash" in problems(run, "--expect", str(note))


def test_a_trail_cut_short_is_caught_against_a_noted_head(run: Run, coded: Path) -> None:
    noted = head(coded)
    sql(coded, f"DELETE FROM trail WHERE seq = {noted[0]}",
        "DELETE FROM themes WHERE name = 'Siste tema'")
    run("verify")
    note = coded.parent / "noted.txt"
    note.write_text(f"change: {noted[0]}\nhash: {noted[1]}\n", encoding="utf-8")
    assert f"the trail ends at change #{noted[0] - 1}, but #{noted[0]} was noted" in \
        problems(run, "--expect", str(note))
    out = run("verify", "--expect", str(note), code=1)
    assert out.stdout == ""


def test_expect_names_bad_values(run: Run, coded: Path) -> None:
    assert "[E324]" in run("verify", "--expect", "not-a-hash", code=1).stderr
    empty = coded.parent / "empty.txt"
    empty.write_text("nothing here\n", encoding="utf-8")
    assert "[E325]" in run("verify", "--expect", str(empty), code=1).stderr
    ok = run("verify", "--expect", head(coded)[1]).stdout
    assert ok.startswith("OK:") and "as noted" in ok


# -- seals ---------------------------------------------------------------------------------------

def ssh_key(folder: Path, name: str) -> tuple[Path, str]:
    key = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)],
                   check=True)
    return key, key.with_suffix(".pub").read_text(encoding="utf-8").strip()


@NEEDS_SSH
def test_a_seal_is_signed_checked_and_catches_a_rewritten_trail(run: Run, coded: Path) -> None:
    keys = coded.parent / "keys"
    keys.mkdir()
    key, public = ssh_key(keys, "student")
    sealed = head(coded)
    out = run("seal", "--key", str(key)).stdout
    seal = coded / "seals" / f"seal-{sealed[0]}.txt"
    assert f"sealed change #{sealed[0]}" in out and seal.exists()
    assert f"hash: {sealed[1]}" in seal.read_text(encoding="utf-8")
    allowed = keys / "allowed_signers"
    allowed.write_text(f"student@example.org {public}\n", encoding="utf-8")
    ok = run("verify", "--seal", str(seal), "--allowed-signers", str(allowed)).stdout
    assert ok.startswith("OK:") and "sealed by student@example.org" in ok
    # the seal is in the trail, and undo passes over it to the command before
    log = run("log").stdout
    assert f"sealed change #{sealed[0]}" in log
    assert "Siste tema" in run("undo").stdout
    run("redo")
    run("report", "audit")
    audit = (coded / "reports" / "audit.html").read_text(encoding="utf-8")
    assert f"Siste forsegling: endring nr. {sealed[0]} ({sealed[1][:16]})" in audit
    assert '<span class="ok">sporet har den fortsatt</span>' in audit
    # a forger rewrites the chain: the seal no longer holds
    sql(coded, "UPDATE trail SET author = 'Mallory' WHERE seq = 5")
    rechain(coded)
    err = problems(run, "--seal", str(seal), "--allowed-signers", str(allowed))
    assert f"change #{sealed[0]} has hash" in err
    run("report", "audit")
    audit = (coded / "reports" / "audit.html").read_text(encoding="utf-8")
    assert '<span class="bad">sporet har den ikke lenger</span>' in audit


@NEEDS_SSH
def test_a_seal_signed_by_another_key_or_edited_is_refused(run: Run, coded: Path) -> None:
    keys = coded.parent / "keys"
    keys.mkdir()
    key, _ = ssh_key(keys, "student")
    _, other = ssh_key(keys, "someone")
    run("seal", "--key", str(key))
    seal = next((coded / "seals").glob("seal-*.txt"))
    allowed = keys / "allowed_signers"
    allowed.write_text(f"someone@example.org {other}\n", encoding="utf-8")
    err = run("verify", "--seal", str(seal), "--allowed-signers", str(allowed), code=1).stderr
    assert "[E330]" in err
    allowed.write_text(f"student@example.org {(keys / 'student.pub').read_text().strip()}\n",
                       encoding="utf-8")
    seal.write_text(seal.read_text(encoding="utf-8").replace("change:", "change: 1\nx:"),
                    encoding="utf-8")
    assert "[E330]" in run("verify", "--seal", str(seal), "--allowed-signers", str(allowed),
                           code=1).stderr
    assert "[E331]" in run("verify", "--seal", str(seal), code=1).stderr


@NEEDS_SSH
def test_seal_without_a_key_says_how_to_make_one(run: Run, coded: Path) -> None:
    missing = coded.parent / "no-such-key"
    assert "[E328]" in run("seal", "--key", str(missing), code=1).stderr
    assert not (coded / "seals").exists() or not any((coded / "seals").iterdir())
