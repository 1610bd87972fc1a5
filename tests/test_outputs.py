"""Exports land whole or not at all: a failed `stc matrix export` or `stc export` leaves the
files that were there as they were, and no temporary file behind."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Run, write


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_a_csv_matrix_export_writes_both_files_or_neither(run: Run, project: Path) -> None:
    run("import", str(write(project.parent / "I1.txt", "I: Hei?\nKari: Det går bra.\n")))
    run("code", "I1:2", "Trivsel")
    out = project.parent / "out"
    out.mkdir()
    run("matrix", "export", str(out / "m.csv"))
    before = listing(out)
    assert sorted(before) == ["m-subgroups.csv", "m.csv"]
    run("code", "I1:1", "Spørsmål", "--allow-interviewer")  # the next export would differ
    (out / "m-subgroups.csv").unlink()
    (out / "m-subgroups.csv").mkdir()  # the second file cannot be written
    result = run("matrix", "export", str(out / "m.csv"), code=1)
    assert "[E132]" in result.stderr and "m-subgroups.csv" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert listing(out) == {"m.csv": before["m.csv"]}  # unchanged, no .part left


def test_exports_into_a_missing_folder_are_refused_cleanly(run: Run, project: Path) -> None:
    run("import", str(write(project.parent / "I1.txt", "I: Hei?\nKari: Det går bra.\n")))
    missing = project.parent / "missing"
    a_file = write(project.parent / "a-file", "")
    for args in (("matrix", "export", str(missing / "m.xlsx")),
                 ("export", str(missing / "p.qdpx")),
                 ("report", "results", "--format", "md", "--out", str(a_file / "x"))):
        result = run(*args, code=1)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "unexpected" not in lines[0], (args, result.stderr)
    assert not missing.exists()
