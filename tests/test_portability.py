"""stc where fork does not exist and files come from Windows: worker processes started with
spawn (STC_START_METHOD), transcripts, matrices, names lists and memos with CRLF line ends and
in Windows code pages, output in a code page without most of Unicode, and every file stc reads
or writes opened with an explicit encoding.

`make portability` runs this module and others with Windows' ways forced on Linux (spawn, no
UTF-8 mode, an ASCII locale); see the Makefile."""

from __future__ import annotations

import ast
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from stc import parallel, trail
from stc.errors import StcError
from tests.builders import coded_project
from tests.conftest import Run, write

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ("stc", "stages", "reports", "web")


# -- worker processes -------------------------------------------------------------------------

def _probe(item: int) -> tuple[int, int, bool]:
    """In a worker: the item squared, the worker's process id, and whether the worker sees
    what the test set in its parent process (a forked worker does, a spawned one does not)."""
    import stc.parallel

    return item * item, os.getpid(), getattr(stc.parallel, "probe_mark", None) == "parent"


def _fail(item: int) -> int:
    raise StcError("E101", path=f"item {item}")


@pytest.fixture
def marked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "probe_mark", "parent", raising=False)


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_workers_start_the_way_stc_start_method_says(monkeypatch: pytest.MonkeyPatch,
                                                     marked: None, method: str) -> None:
    monkeypatch.setenv("STC_START_METHOD", method)
    answers = list(parallel.mapped(_probe, range(6), workers=2))
    assert [a[0] for a in answers] == [0, 1, 4, 9, 16, 25]  # in the order of the items
    assert os.getpid() not in {a[1] for a in answers}
    assert {a[2] for a in answers} == {method == "fork"}


def test_a_spawned_call_runs_elsewhere_and_its_error_is_raised_here(
        monkeypatch: pytest.MonkeyPatch, marked: None) -> None:
    monkeypatch.setenv("STC_START_METHOD", "spawn")
    square, pid, sees_parent = parallel.in_background(_probe, 7)()
    assert (square, sees_parent) == (49, False) and pid != os.getpid()
    with pytest.raises(StcError, match="item 3"):
        parallel.in_background(_fail, 3)()


def test_spawn_is_the_way_where_fork_is_missing_or_unsafe(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.delenv("STC_START_METHOD", raising=False)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert parallel.start_method() == "spawn"
    assert parallel.worker_count(parallel.MIN_ITEMS["spawn"] - 1) == 1


def test_a_process_running_other_threads_spawns_its_workers(monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    """A fork copies one thread: a lock another thread held at that moment stays held in the
    child for ever (the workbench's server runs threads)."""
    import threading

    monkeypatch.delenv("STC_START_METHOD", raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this system")
    assert parallel.start_method() == "fork"
    done = threading.Event()
    other = threading.Thread(target=done.wait)
    other.start()
    try:
        assert parallel.start_method() == "spawn"
    finally:
        done.set()
        other.join()
    assert parallel.start_method() == "fork"


def test_an_unknown_start_method_is_refused_in_one_line(run: Run, project: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STC_START_METHOD", "threads")
    error = run("verify", code=1).stderr
    assert error.startswith("Error: STC_START_METHOD is 'threads'") and "[E950]" in error


def transcripts(folder: Path, count: int) -> list[Path]:
    folder.mkdir(exist_ok=True)
    return [write(folder / f"I{n}.txt",
                  f"I: Hvordan var dag {n}?\nDeltaker{n}: Den var lang. Vi rakk lite.\n"
                  f"I: Og så?\nDeltaker{n}: Så gikk jeg hjem. Det var godt.\n")
            for n in range(1, count + 1)]


def test_an_import_in_spawned_workers_records_what_one_process_records(
        run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = [str(p) for p in transcripts(tmp_path / "in", 5)]
    monkeypatch.setitem(parallel.MIN_ITEMS, "spawn", 2)  # spawn even for a few transcripts
    shown = {}
    for name, method, workers in (("spawned", "spawn", "2"), ("alone", "fork", "1")):
        monkeypatch.setenv("STC_START_METHOD", method)
        monkeypatch.setenv("STC_WORKERS", workers)
        run("init", name, "--language", "nb", "--title", "T")
        run("--project", name, "import", *files, "--speakers", "I=interviewer")
        shown[name] = [run("--project", name, "show", f"I{n}", "--json").stdout
                       for n in range(1, 6)]
    assert shown["spawned"] == shown["alone"]


def test_verify_in_a_spawned_process_finds_an_altered_change(
        run: Run, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STC_START_METHOD", "spawn")
    monkeypatch.setattr(trail, "WORTH_A_SPAWN", 0)  # the chain check spawned even for a few
    write(project / "I1.txt", "I: Hei.\nKari: Hei på deg.\n")
    run("import", "I1.txt")
    run("theme", "add", "Tid")
    assert "OK: 3 changes" in run("verify").stdout
    conn = sqlite3.connect(project / "stc.db")
    conn.execute("UPDATE trail SET author = 'noen andre' WHERE seq = 2")
    conn.commit()
    conn.close()
    assert "change #2 (document.import) does not match its hash" in run("verify",
                                                                        code=1).stderr


# -- line ends and code pages -----------------------------------------------------------------

SPOKEN = ("I: Hvordan opplever du nattevaktene?\nKari: Det er stille. Men alarmen går ofte,"
          " og da må jeg ut.\nI: Hva gjør det med deg?\nKari: Jeg blir sliten. Før var"
          " det bedre.\n")


def test_a_transcript_with_crlf_line_ends_in_a_windows_code_page_reads_as_with_lf(
        run: Run, tmp_path: Path) -> None:
    write(tmp_path / "lf.txt", SPOKEN)
    write(tmp_path / "crlf.txt", SPOKEN.replace("\n", "\r\n"), encoding="cp1252")
    shown = []
    for name in ("lf", "crlf"):
        run("init", name, "--language", "nb", "--title", "T")
        out = run("--project", name, "import", str(tmp_path / f"{name}.txt"), "--id", "I1",
                  "--speakers", "I=interviewer").stdout
        assert "4 turns, 6 segments" in out
        shown.append(json.loads(run("--project", name, "show", "I1", "--json").stdout))
    assert shown[0] == shown[1]
    assert not [s for s in shown[1]["segments"] if "\r" in s["text"]]


def test_a_matrix_saved_by_excel_on_windows_is_read(run: Run, tmp_path: Path) -> None:
    """Excel on Windows saves CSV in the ANSI code page with CRLF, cells split by `;`."""
    root = tmp_path / "p"
    w = coded_project(run, root, "nb")
    at = ("--project", str(root))
    run(*at, "matrix", "export", str(tmp_path / "m.csv"))
    text = (tmp_path / "m.csv").read_bytes().decode("utf-8-sig")
    lines = text.splitlines()
    header = lines[0].split(",")
    assert "codes" in header
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    rows[1][header.index("codes")] = "søvnmangel"
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    (tmp_path / "excel.csv").write_bytes(out.getvalue().encode("cp1252"))
    (tmp_path / "excel-subgroups.csv").unlink(missing_ok=True)
    run(*at, "matrix", "import", str(tmp_path / "excel.csv"), "--why", "ny kode")
    codes = json.loads(run(*at, "units", "--json").stdout)[0]["codes"]
    assert codes == ["søvnmangel"]
    assert w["codes"][0] in run(*at, "codes").stdout  # the other units keep theirs


def test_a_names_list_with_crlf_line_ends_pseudonymises_as_one_with_lf(
        run: Run, tmp_path: Path) -> None:
    write(tmp_path / "I1.txt", "I: Hva heter du?\nKari: Jeg heter Kari og bor på Sagene.\n")
    names = "\ufeffKari = participant\r\nSagene = place\r\n"
    write(tmp_path / "navn.txt", names)
    run("pseudonymise", str(tmp_path / "I1.txt"), "--key", str(tmp_path / "s.key"),
        "--names", str(tmp_path / "navn.txt"), "--out", str(tmp_path / "ut"), "--language", "nb")
    text = (tmp_path / "ut" / "I1.txt").read_bytes().decode("utf-8")
    assert "Kari" not in text.replace("[INFORMANT 1]", "") and "Sagene" not in text
    assert "[STED 1]" in text


def test_a_memo_file_with_crlf_line_ends_keeps_no_carriage_returns(run: Run,
                                                                    project: Path) -> None:
    write(project / "memo.md", "Første avsnitt.\r\n\r\nAndre avsnitt om tid.\r\n",
          encoding="utf-8-sig")
    run("memo", "add", "--kind", "preunderstanding", "--file", "memo.md")
    [memo] = json.loads(run("memos", "--json").stdout)
    assert memo["body"] == "Første avsnitt.\n\nAndre avsnitt om tid."


def test_output_in_a_code_page_without_greek_shows_a_question_mark_instead_of_failing(
        run: Run, project: Path) -> None:
    """Output into a file or pipe on Windows is in the ANSI code page (cp1252)."""
    write(project / "I1.txt", "I: Hva fant dere?\nKari: Verdien κ var → 0,8 på Østlandet.\n")
    run("import", "I1.txt")
    env = {**os.environ, "PYTHONIOENCODING": "cp1252", "STC_AUTHOR": "tester"}
    done = subprocess.run([sys.executable, "-m", "stc", "show", "I1:2"], cwd=project,
                          capture_output=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode("cp1252")
    assert "Verdien ? var ? 0,8 på Østlandet." in done.stdout.decode("cp1252")


# -- explicit encodings -----------------------------------------------------------------------

def _text_calls_without_encoding(source: str) -> list[int]:
    """Lines of calls that open a file in text mode (or run a program for its text) without
    naming the encoding: `open`, `Path.open/read_text/write_text`, `io.TextIOWrapper`,
    temporary files in text mode, and `subprocess` with `text=True`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        if "encoding" in keywords:
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(
            func, ast.Attribute) else ""
        mode = keywords.get("mode")
        if name == "open" and isinstance(func, ast.Name):
            mode = node.args[1] if len(node.args) > 1 else mode
        elif name == "open":  # Path.open(MODE); other objects' open (a ZipFile's member,
            first = node.args[0] if node.args else mode  # the CLI's project) take no mode
            if not (isinstance(first, ast.Constant) and set(str(first.value)) <= set("rwaxt+b")):
                continue
            mode = first
        elif name in ("read_text", "write_text"):
            if (name == "read_text" and node.args) or len(node.args) > 1:
                continue  # the encoding given by position
            found.append(node.lineno)
            continue
        elif name in ("TextIOWrapper",):
            if len(node.args) < 2:
                found.append(node.lineno)
            continue
        elif name in ("run", "Popen", "check_output") and any(
                _is_true(keywords.get(k)) for k in ("text", "universal_newlines")):
            found.append(node.lineno)
            continue
        elif name in ("NamedTemporaryFile", "TemporaryFile", "SpooledTemporaryFile"):
            if mode is None:
                continue  # binary by default
        else:
            continue
        if isinstance(mode, ast.Constant) and "b" in str(mode.value):
            continue
        found.append(node.lineno)
    return found


def _is_true(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def test_every_file_stc_reads_or_writes_as_text_names_its_encoding() -> None:
    missing = [f"{path.relative_to(ROOT)}:{line}"
               for folder in LIBRARY for path in sorted((ROOT / folder).rglob("*.py"))
               for line in _text_calls_without_encoding(path.read_text(encoding="utf-8"))]
    assert missing == []


# what a checkout holds beside the repository's own files (.gitignore), and git's own folder
NOT_IN_THE_REPOSITORY = {".git", ".venv", "build", "dist", "wheelhouse", "demo-project",
                         "demo-focus-project", ".data", "__pycache__", ".pytest_cache",
                         ".mypy_cache", ".ruff_cache"}


def symlinks_under(root: Path) -> list[str]:
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in NOT_IN_THE_REPOSITORY
                   and not d.endswith(".egg-info")]
        for name in dirs + files:
            if os.path.islink(os.path.join(folder, name)):
                found.append(Path(folder, name).relative_to(root).as_posix())
    return sorted(found)


def test_the_repository_holds_no_symlinks(tmp_path: Path) -> None:
    """Windows checks symlinks out as small text files: a checkout there would break."""
    assert symlinks_under(ROOT) == []
    (tmp_path / "web").mkdir()
    (tmp_path / "stc").mkdir()
    (tmp_path / "stc" / "web").symlink_to(tmp_path / "web")  # the check would notice
    assert symlinks_under(tmp_path) == ["stc/web"]


def test_the_encoding_check_would_notice() -> None:
    source = ("from pathlib import Path\nimport subprocess\n"
              "open('a')\nPath('a').read_text()\nPath('b').write_text('x')\n"
              "Path('c').open('w')\nsubprocess.run(['git'], text=True)\n"
              "open('d', 'rb')\nPath('e').read_text(encoding='utf-8')\narchive.open(name)\n"
              "ctx.open()\n")
    assert _text_calls_without_encoding(source) == [3, 4, 5, 6, 7]


def test_a_whole_project_life_runs_without_utf8_mode_in_an_ascii_locale(
        tmp_path: Path) -> None:
    """Windows' defaults, as near as Linux comes: no UTF-8 mode, a locale whose encoding is
    not UTF-8 (ASCII here, stricter than cp1252), spawned workers, every default encoding
    reported. Each command must still work, and none of stc's own files may lean on a default
    encoding."""
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0",
           "PYTHONCOERCECLOCALE": "0", "PYTHONWARNDEFAULTENCODING": "1",
           "STC_START_METHOD": "spawn", "STC_AUTHOR": "tester"}
    env.pop("STC_PROJECT", None)
    write(tmp_path / "I1.txt", SPOKEN.replace("\n", "\r\n"), encoding="cp1252")
    write(tmp_path / "I2.txt", SPOKEN.replace("Kari", "Ola"), encoding="utf-16")

    def stc(*args: str) -> str:
        done = subprocess.run([sys.executable, "-X", "warn_default_encoding", "-m", "stc",
                               *args], cwd=tmp_path, env=env, capture_output=True,
                              timeout=300, check=False)
        errors = done.stderr.decode("utf-8", errors="replace")
        assert done.returncode == 0, f"stc {' '.join(args)}: {errors}"
        ours = [line for line in errors.splitlines() if "EncodingWarning" in line
                and any(line.startswith(str(ROOT / folder)) for folder in LIBRARY)]
        assert ours == []  # other libraries' (openpyxl names a temporary file so) are theirs
        return done.stdout.decode("utf-8", errors="replace")

    # arguments stay ASCII: Linux hands a program its arguments as bytes in the locale's
    # encoding, Windows as Unicode, so only files carry the Nordic letters here
    write(tmp_path / "memo.md", "Jeg har selv gått nattevakter.\r\n", encoding="cp1252")
    p = ("--project", "p")
    stc("init", "p", "--language", "nb", "--title", "Nattevakter")
    stc(*p, "import", "I1.txt", "I2.txt", "--speakers", "I=interviewer")
    stc(*p, "code", "I1:2-3", "alarmer", "--group", "Trygghet")
    stc(*p, "memo", "add", "--kind", "preunderstanding", "--file", "memo.md")
    stc(*p, "matrix", "export", "m.xlsx")
    stc(*p, "report", "all")
    stc(*p, "export", "p.qdpx")
    assert "OK: " in stc(*p, "verify")
    stc(*p, "backup", "kopi")
    stc(*p, "pack", "p.stcpack")
    stc("unpack", "p.stcpack", "utpakket")
    audit = (tmp_path / "p" / "reports" / "audit.html").read_text(encoding="utf-8")
    assert "Men alarmen går ofte" in audit and "Jeg har selv gått nattevakter." in audit
    stc(*p, "close", "--archive", "arkiv", "--why", "slutt")
    assert "Closed at change" in stc(*p, "status")
    assert "Men alarmen går ofte" not in (tmp_path / "arkiv" / "audit.html").read_text(
        encoding="utf-8")
