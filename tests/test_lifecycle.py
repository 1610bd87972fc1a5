"""A project's life beyond the analysis: the demo, backups, packs for a supervisor, the closing
at the end date, and the warning for a project in a sync folder."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest

from stc.lifecycle import sync_client
from tests.builders import analysed_project
from tests.conftest import Run
from tests.samples import snapshot
from tests.test_tamper import NEEDS_SSH


@pytest.fixture
def analysed(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """All four steps done on three short Norwegian interviews; the working directory in it."""
    root = tmp_path / "studie"
    analysed_project(run, root, "nb")
    monkeypatch.chdir(root)
    return root


def unit_texts(run: Run) -> list[str]:
    return [u["text"] for u in json.loads(run("units", "--json").stdout)]


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def docx_text(path: Path) -> str:
    """The words of a Word file, paragraph by paragraph, as a reader sees them."""
    import docx

    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


# -- stc demo ---------------------------------------------------------------------------------

def test_demo_builds_the_sample_project_and_its_reports_without_make(run: Run,
                                                                     tmp_path: Path) -> None:
    out = run("demo", "eksempel").stdout
    assert "$ stc import " in out and "$ stc matrix import " in out and "$ stc verify" in out
    reports = {p.name for p in (tmp_path / "eksempel" / "reports").iterdir()}
    assert reports >= {"results.md", "results.html", "results.docx", "audit.html",
                       "matrix.csv", "matrix.xlsx"}
    assert "The project is in eksempel; its reports are in eksempel/reports" in out
    # it ends saying how to open the project in the workbench
    assert out.rstrip().splitlines()[-1] == ("Read and code the transcripts in the browser (the"
                                             " workbench):  cd eksempel && stc serve")
    assert "OK: " in run("--project", "eksempel", "verify").stdout
    docs = json.loads(run("--project", "eksempel", "docs", "--json").stdout)
    assert [d["participant"] for d in docs] == ["Kari", "Torunn", "Sigrid", "Ahmed"]


def test_demo_refuses_a_folder_that_holds_something(run: Run, tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine", encoding="utf-8")
    assert "[E952]" in run("demo", "full", code=1).stderr
    assert files_under(tmp_path / "full") == {"notes.txt": b"mine"}


# -- stc backup -------------------------------------------------------------------------------

def test_a_backup_is_a_verified_copy_with_sources_settings_and_templates(
        run: Run, analysed: Path, tmp_path: Path) -> None:
    (analysed / "templates").mkdir()
    (analysed / "templates" / "results.md.j2").write_text("{{ title }}\n", encoding="utf-8")
    (analysed / "seal-2026-03-01.sig").write_text("signature", encoding="utf-8")
    out = run("backup", str(tmp_path / "kopi")).stdout
    assert out.startswith(f"Backed up to {tmp_path / 'kopi'}") and "verified" in out
    copy = tmp_path / "kopi"
    copied = files_under(copy)
    for name, data in files_under(analysed / "sources").items():
        assert copied[f"sources/{name}"] == data
    assert copied["stc.toml"] == (analysed / "stc.toml").read_bytes()
    assert copied["templates/results.md.j2"] == b"{{ title }}\n"
    assert copied["seal-2026-03-01.sig"] == b"signature"
    assert not [n for n in copied if n.endswith(("-wal", "-shm"))]
    assert "OK: " in run("--project", str(copy), "verify").stdout
    assert run("--project", str(copy), "units", "--json").stdout == run("units", "--json").stdout


def test_a_backup_while_another_process_is_writing_holds_the_last_committed_state(
        run: Run, analysed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = json.loads(run("status", "--json").stdout)["last_change"]
    writer = sqlite3.connect(analysed / "stc.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another stc holding the write lock, not yet committed
    writer.execute("INSERT INTO texts (hash, body) VALUES ('pending', 'not committed')")
    from stc import lifecycle

    snapshot_database = lifecycle.snapshot_database

    def snapshot_then_release(db_path: Path, target: Path) -> tuple[int, str]:
        try:  # the copy is taken while the other process holds its transaction
            return snapshot_database(db_path, target)
        finally:  # which ends before the backup records itself in the trail
            writer.execute("ROLLBACK")

    monkeypatch.setattr(lifecycle, "snapshot_database", snapshot_then_release)
    try:
        run("backup", str(tmp_path / "kopi"))
    finally:
        writer.close()
    copy = json.loads(run("--project", str(tmp_path / "kopi"), "status", "--json").stdout)
    assert copy["last_change"] == before
    conn = sqlite3.connect(tmp_path / "kopi" / "stc.db")
    assert conn.execute("SELECT count(*) FROM texts WHERE hash = 'pending'").fetchone() == (0,)
    conn.close()


def test_backup_refuses_a_folder_inside_the_project_or_one_not_empty(
        run: Run, analysed: Path, tmp_path: Path) -> None:
    before = snapshot(run, analysed)
    assert "[E951]" in run("backup", "kopi", code=1).stderr
    assert not (analysed / "kopi").exists()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "old.txt").write_text("x", encoding="utf-8")
    assert "[E952]" in run("backup", str(tmp_path / "full"), code=1).stderr
    assert files_under(tmp_path / "full") == {"old.txt": b"x"}
    assert snapshot(run, analysed) == before
    run("backup", str(tmp_path / "empty-made-earlier"))  # an empty folder is taken


def test_a_copy_that_does_not_verify_is_not_kept(run: Run, analysed: Path,
                                                 tmp_path: Path) -> None:
    original = sorted((analysed / "sources").iterdir())[0]
    original.write_bytes(original.read_bytes() + b"changed outside stc")
    error = run("backup", str(tmp_path / "kopi"), code=1).stderr
    assert "[E953]" in error and "was changed" in error
    assert not (tmp_path / "kopi").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".kopi")] == []


# -- stc pack / stc unpack --------------------------------------------------------------------

@pytest.fixture
def packed(run: Run, analysed: Path, tmp_path: Path) -> Path:
    out = run("pack", str(tmp_path / "studie.stcpack")).stdout
    assert ", no seal (last change #" in out
    return tmp_path / "studie.stcpack"


def test_pack_and_unpack_hand_over_the_whole_project(run: Run, analysed: Path, packed: Path,
                                                     tmp_path: Path) -> None:
    names = set(zipfile.ZipFile(packed).namelist())
    sources = {f"sources/{p.name}" for p in (analysed / "sources").iterdir()}
    assert names == {"manifest.json", "stc.db", "stc.toml", *sources}
    manifest = json.loads(zipfile.ZipFile(packed).read("manifest.json"))
    *before, recorded = json.loads(run("log", "--json").stdout)
    # the pack holds the trail up to the change before the record of its own writing
    assert (recorded["kind"], recorded["payload"]["kind"]) == ("export", "pack")
    assert (manifest["last_change"], manifest["trail_hash"]) == (before[-1]["seq"],
                                                                 before[-1]["hash"])
    out = run("unpack", str(packed), str(tmp_path / "veileder")).stdout
    assert "verified" in out
    there = ("--project", str(tmp_path / "veileder"))
    assert "OK: " in run(*there, "verify").stdout
    assert run(*there, "units", "--json").stdout == run("units", "--json").stdout


def sealed(run: Run, folder: Path) -> str:
    """A real seal of the project's trail (stc seal, signed with a new SSH key): its name."""
    from tests.test_tamper import ssh_key

    folder.mkdir()
    key, _ = ssh_key(folder, "student")
    run("seal", "--key", str(key))
    [seal] = sorted((Path.cwd() / "seals").glob("seal-*.txt"))
    return f"seals/{seal.name}"


@NEEDS_SSH
def test_a_pack_carries_the_seals(run: Run, analysed: Path, tmp_path: Path) -> None:
    seal = sealed(run, tmp_path / "keys")
    (analysed / "sources" / "left-by-an-interrupted-import.txt").write_text("x",
                                                                            encoding="utf-8")
    out = run("pack", str(tmp_path / "s.stcpack")).stdout
    assert f"seal {seal} (last change" in out
    names = set(zipfile.ZipFile(tmp_path / "s.stcpack").namelist())
    assert {seal, f"{seal}.sig"} <= names
    assert "sources/left-by-an-interrupted-import.txt" not in names
    run("unpack", str(tmp_path / "s.stcpack"), str(tmp_path / "ut"))
    assert (tmp_path / "ut" / seal).read_bytes() == (analysed / seal).read_bytes()


def rewritten(pack: Path, target: Path, change: dict[str, bytes | None],
              manifest: dict[str, Any] | None = None) -> Path:
    """A copy of a pack with members replaced (None: left out) and possibly a new manifest."""
    with zipfile.ZipFile(pack) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            if name == "manifest.json" and manifest is not None:
                new.writestr(name, json.dumps(manifest))
            elif name not in change:
                new.writestr(name, old.read(name))
        for name, data in change.items():
            if data is not None:
                new.writestr(name, data)
    return target


def assert_refused(run: Run, pack: Path, dest: Path, code: str) -> str:
    error = run("unpack", str(pack), str(dest), code=1).stderr
    assert f"[{code}]" in error, error
    assert len(error.strip().splitlines()) == 1
    assert not dest.exists()
    assert [p.name for p in dest.parent.iterdir() if p.name.startswith(f".{dest.name}")] == []
    return error


def test_unpack_refuses_a_changed_member(run: Run, packed: Path, tmp_path: Path) -> None:
    changed = rewritten(packed, tmp_path / "x.stcpack", {"stc.toml": b'title = "Annen"\n'})
    assert "stc.toml was changed" in assert_refused(run, changed, tmp_path / "ut", "E955")


def test_unpack_refuses_a_partial_pack(run: Run, packed: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.stcpack"
    cut.write_bytes(packed.read_bytes()[: packed.stat().st_size // 2])
    assert_refused(run, cut, tmp_path / "ut", "E954")
    source = next(n for n in zipfile.ZipFile(packed).namelist() if n.startswith("sources/"))
    missing = rewritten(packed, tmp_path / "missing.stcpack", {source: None})
    assert f"missing: {source}" in assert_refused(run, missing, tmp_path / "ut", "E956")
    extra = rewritten(packed, tmp_path / "extra.stcpack", {"sources/extra.txt": b"x"})
    assert "not in the manifest: sources/extra.txt" in assert_refused(
        run, extra, tmp_path / "ut", "E956")
    no_manifest = rewritten(packed, tmp_path / "bare.stcpack", {"manifest.json": None})
    assert_refused(run, no_manifest, tmp_path / "ut", "E954")


def test_unpack_refuses_a_pack_whose_trail_was_altered_even_with_a_new_manifest(
        run: Run, packed: Path, tmp_path: Path) -> None:
    import hashlib

    work = tmp_path / "work"
    work.mkdir()
    zipfile.ZipFile(packed).extract("stc.db", work)
    conn = sqlite3.connect(work / "stc.db")
    conn.execute("UPDATE trail SET author = 'someone else' WHERE seq = 3")
    conn.commit()
    conn.close()
    data = (work / "stc.db").read_bytes()
    manifest = json.loads(zipfile.ZipFile(packed).read("manifest.json"))
    manifest["members"]["stc.db"] = hashlib.sha256(data).hexdigest()
    forged = rewritten(packed, tmp_path / "forged.stcpack", {"stc.db": data}, manifest)
    error = assert_refused(run, forged, tmp_path / "ut", "E957")
    assert "change #3" in error


def test_unpack_refuses_a_hostile_archive(run: Run, packed: Path, tmp_path: Path) -> None:
    hostile = rewritten(packed, tmp_path / "hostile.stcpack", {"../../evil.txt": b"x"})
    assert_refused(run, hostile, tmp_path / "ut", "E110")
    assert not (tmp_path.parent / "evil.txt").exists()


def test_pack_and_unpack_refuse_what_they_would_overwrite(run: Run, packed: Path,
                                                          tmp_path: Path) -> None:
    assert "[E959]" in run("pack", str(packed), code=1).stderr
    assert "[E964]" in run("pack", str(tmp_path / "studie.zip"), code=1).stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "mine.txt").write_text("x", encoding="utf-8")
    assert "[E952]" in run("unpack", str(packed), str(tmp_path / "full"), code=1).stderr
    assert files_under(tmp_path / "full") == {"mine.txt": b"x"}


# -- stc close --------------------------------------------------------------------------------

def test_close_archives_without_transcripts_then_erases_them_and_refuses_new_analysis(
        run: Run, analysed: Path, tmp_path: Path) -> None:
    texts = unit_texts(run)
    head = json.loads(run("status", "--json").stdout)
    out = run("close", "--archive", str(tmp_path / "arkiv"), "--why", "prosjektslutt").stdout
    assert "Erased 3 transcripts (I1, I2, I3) and removed 0 files that quoted them" in out
    archive = tmp_path / "arkiv"
    files = files_under(archive)
    assert set(files) == {"archive.json", "audit.html", "categories.csv", "codebook.csv",
                          "codebook.qdc", "results.md", "results.html", "results.docx"}
    manifest = json.loads(files["archive.json"])
    assert (manifest["last_change"], manifest["trail_hash"]) == (head["last_change"],
                                                                 head["trail_hash"])
    assert manifest["with_transcripts"] is False
    for name, data in files.items():
        if name != "archive.json":
            assert manifest["files"][name] == __import__("hashlib").sha256(data).hexdigest()
    readable = {n: d.decode("utf-8") for n, d in files.items() if not n.endswith((".docx",
                                                                                  ".sig"))}
    readable["results.docx"] = docx_text(archive / "results.docx")
    for text in texts:
        for name, body in readable.items():
            assert text not in body, (name, text)
    assert "[U1, I1:2-3]" in readable["audit.html"]
    assert "«[U1, I1:2-3]»" in readable["results.docx"]  # the quotation's reference
    assert "Jeg har aldri tid nok. Vi løper fra bruker til bruker" in readable["categories.csv"]
    assert "tidspress" in readable["codebook.csv"]
    # the project: transcripts gone, the closing recorded, reading and verify still work
    assert json.loads(run("docs", "--json").stdout) == []
    assert list((analysed / "sources").iterdir()) == []
    assert "Closed at change #" in run("status").stdout
    assert "OK: " in run("verify").stdout
    assert "project closed after change" in run("log").stdout


@NEEDS_SSH
def test_the_archive_keeps_the_seals_and_a_closed_project_can_still_be_sealed(
        run: Run, analysed: Path, tmp_path: Path) -> None:
    seal = sealed(run, tmp_path / "keys")
    run("close", "--archive", str(tmp_path / "arkiv"), "--why", "slutt")
    assert (tmp_path / "arkiv" / seal).read_bytes() == (analysed / seal).read_bytes()
    assert (tmp_path / "arkiv" / f"{seal}.sig").is_file()
    key = tmp_path / "keys" / "student"
    assert "sealed change #" in run("seal", "--key", str(key)).stdout
    assert len(list((analysed / "seals").glob("seal-*.txt"))) == 2


def test_a_closed_project_refuses_every_change(run: Run, analysed: Path,
                                               tmp_path: Path) -> None:
    run("close", "--archive", str(tmp_path / "arkiv"), "--why", "slutt")
    before = snapshot(run, analysed)
    for command in (["theme", "add", "Ny"], ["undo"], ["memo", "add", "-m", "x"],
                    ["names", "add", "Oslo"], ["describe", "Tid og rutiner", "-m", "x"],
                    ["close", "--archive", str(tmp_path / "igjen"), "--why", "x"]):
        error = run(*command, code=1).stderr
        assert "[E958]" in error and "closed at change #" in error, command
    assert snapshot(run, analysed) == before
    assert not (tmp_path / "igjen").exists()


def test_close_keeps_the_results_as_handed_in_and_can_keep_transcripts(
        run: Run, analysed: Path, tmp_path: Path) -> None:
    texts = unit_texts(run)
    run("report", "all")  # reports quoting the transcripts, as a student leaves them
    rendered = len(list((analysed / "reports").iterdir()))
    (analysed / "reports" / "results.html").unlink()
    (analysed / "reports" / "results.docx").unlink()
    handed_in = (analysed / "reports" / "results.md").read_bytes()
    out = run("close", "--archive", str(tmp_path / "arkiv"), "--why", "slutt",
              "--with-transcripts", "--with-quotations").stdout
    assert f"and removed {rendered - 2} files that quoted them" in out
    files = files_under(tmp_path / "arkiv")
    assert files["results.md"] == handed_in
    assert "results.html" not in files
    assert list((analysed / "reports").iterdir()) == []
    for path in analysed.rglob("*"):  # no file left in the project says what was said
        if path.is_file():
            data = path.read_bytes()
            assert not [t for t in texts if t.encode("utf-8") in data], path
    assert files["transcripts/I1.txt"].decode("utf-8").startswith("I: Hvordan er en vanlig vakt")
    assert "Jeg har aldri tid nok" in files["audit.html"].decode("utf-8")


def test_close_refuses_an_archive_inside_the_project_and_names_in_the_texts(
        run: Run, analysed: Path, tmp_path: Path) -> None:
    before = snapshot(run, analysed)
    assert "[E951]" in run("close", "--archive", "arkiv", "--why", "x", code=1).stderr
    assert not (analysed / "arkiv").exists()
    assert snapshot(run, analysed) == before
    run("names", "add", "Tidspresset")  # as if a name stood in an analytic text
    before = snapshot(run, analysed)
    assert "[E516]" in run("close", "--archive", str(tmp_path / "a"), "--why", "x",
                           code=1).stderr
    assert not (tmp_path / "a").exists()
    assert snapshot(run, analysed) == before


# -- sync folders -----------------------------------------------------------------------------

def test_a_project_in_a_onedrive_folder_is_warned_about_once(run: Run, tmp_path: Path) -> None:
    synced = tmp_path / "OneDrive - Universitetet i Oslo" / "master"
    run("init", str(synced), "--language", "nb", "--title", "T")
    first = run("--project", str(synced), "status").stderr
    assert first.count("\n") == 1 and first.startswith("Warning: ")
    assert "OneDrive" in first and "write-ahead log" in first and "stc backup" in first
    assert "erased text survives" in first
    assert run("--project", str(synced), "status").stderr == ""
    assert run("--project", str(synced), "docs").stderr == ""
    moved = tmp_path / "Dropbox" / "master"
    moved.parent.mkdir()
    synced.rename(moved)
    assert "Dropbox" in run("--project", str(moved), "status").stderr


def test_a_project_outside_sync_folders_is_not_warned_about(run: Run, project: Path) -> None:
    assert run("status").stderr == ""
    assert not (project / ".stc-sync-notice").exists()


@pytest.mark.parametrize(("marker", "client"), [
    (".dropbox", "Dropbox"),
    (".tmp.drivedownload/", "Google Drive"),
    (".849C9593-D756-4E56-8D6E-42412F2A707B", "OneDrive"),
    ("desktop.ini", "OneDrive"),
])
def test_sync_clients_are_known_by_their_marker_files(tmp_path: Path, marker: str,
                                                      client: str) -> None:
    root = tmp_path / "Arbeid"
    (root / "prosjekt").mkdir(parents=True)
    assert sync_client(root / "prosjekt") is None
    if marker.endswith("/"):
        (root / marker).mkdir()
    elif marker == "desktop.ini":
        ini = ("[.ShellClassInfo]\r\n"
               "IconResource=C:\\Program Files\\Microsoft OneDrive\\OneDrive.exe,0\r\n")
        (root / marker).write_bytes(b"\xff\xfe" + ini.encode("utf-16-le"))
    else:
        (root / marker).write_text("", encoding="utf-8")
    assert sync_client(root / "prosjekt") == client


@pytest.mark.parametrize(("folder", "client"), [
    ("Library/CloudStorage/GoogleDrive-kari@uio.no/My Drive/master", "Google Drive"),
    ("Library/CloudStorage/Jottacloud/master", "Jottacloud"),
    ("Library/CloudStorage/OneDrive-UniversitetetiOslo/master", "OneDrive"),
    ("Library/Mobile Documents/com~apple~CloudDocs/master", "iCloud Drive"),
    ("iCloudDrive/master", "iCloud Drive"),
    ("Dropbox (Personal)/master", "Dropbox"),
])
def test_sync_clients_are_known_by_their_folders(tmp_path: Path, folder: str,
                                                 client: str) -> None:
    (tmp_path / folder).mkdir(parents=True)
    assert sync_client(tmp_path / folder) == client
