"""The small slips a student hit (issue 13, point 8), each replayed."""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.builders import analysed_project
from tests.conftest import Run, write
from tests.samples import snapshot

INTERVIEW = (
    "Intervju med informant 1, 12. mars\n"
    "I: Hvordan var timene?\n"
    "Kari: Alliansen med terapeuten var viktig. Alliansen bar meg. Hun sa: «Vi får det til.»\n"
    "I: Og senere?\n"
    "Kari: Alliansen ble sterkere. Jeg stolte på alliansen vår.\n"
)


@pytest.fixture
def interview(run: Run, project: Path) -> Path:
    run("import", str(write(project.parent / "I1.txt", INTERVIEW)), "--speakers", "I=interviewer")
    return project


def test_output_into_a_closed_pipe_ends_quietly(run: Run, project: Path) -> None:
    """`stc show … | head` and `stc units | head` printed "Error: unexpected BrokenPipeError".
    A real pipe: the reader takes one line and goes away while stc still writes."""
    lines = "".join(f"I: Spørsmål {i}?\nKari: Et svar som er langt nok til å fylle en linje,"
                    f" nummer {i}.\n" for i in range(1500))
    run("import", str(write(project.parent / "L.txt", lines)), "--speakers", "I=interviewer")
    run("matrix", "export", "m.csv", "--all-segments")
    rows = (project / "m.csv").read_text(encoding="utf-8-sig").splitlines()
    coded = [rows[0]] + [row.replace(",,,,,", ",x,,,,", 1) if ",Kari," in row else row
                         for row in rows[1:]]
    (project / "m.csv").write_text("\n".join(coded) + "\n", encoding="utf-8")
    run("matrix", "import", "m.csv")
    env = {**os.environ, "STC_AUTHOR": "tester", "PYTHONPATH": str(Path(__file__).parents[1])}
    for args in (["show", "L"], ["units"], ["log"]):
        proc = subprocess.Popen([sys.executable, "-m", "stc", *args], cwd=project, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline()
        proc.stdout.close()  # the reader goes away, as `head` does
        err = proc.stderr.read()
        proc.wait(timeout=60)
        assert err == b"", f"stc {' '.join(args)}: {err.decode()}"
        assert proc.returncode == 141  # as a process ended by SIGPIPE, like git


def test_counts_are_singular_and_plural(run: Run, interview: Path) -> None:
    out = run("import", str(write(interview.parent / "I2.txt", "Kari: Ett svar.\n"))).stdout
    assert "; 1 turn, 1 segment;" in out
    assert "1 segment " in run("docs").stdout
    run("code", "I1:3", "allianse", "--group", "Relasjon")
    before = snapshot(run, interview)
    result = run("drop", "code", "allianse", code=1)
    assert "is used by 1 meaning unit;" in result.stderr
    assert snapshot(run, interview) == before
    run("subgroup", "add", "Relasjon", "Tillit")
    run("sort", "U1", "--into", "Relasjon/Tillit")
    assert "Relasjon/Tillit: 1 unit, no condensate" in run("subgroups").stdout
    write(interview / "m.csv", "unit,document,segments,quote,codes\n,I9,1,,x\n")
    before = snapshot(run, interview)
    assert "1 row refused" in run("matrix", "import", "m.csv", code=1).stderr
    assert snapshot(run, interview) == before
    first_only = json.loads(run("terms", "I2", "--json").stdout)[0]
    assert first_only["words"] == 2 and "I2 (2 words)" in run("terms", "I2").stdout


def test_status_shows_step_4_done_once_checks_pass_and_reports_are_current(
        run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "nb"
    analysed_project(run, root, "nb")
    monkeypatch.chdir(root)

    def step4() -> dict[str, Any]:
        steps = json.loads(run("status", "--json").stdout)["steps"]
        return dict(steps[3])

    assert step4()["next"] == "stc report"
    run("report", "all")
    done = step4()
    assert done["next"] is None and "every check passes" in done["facts"]
    assert "4. Synthesis [done]" in run("status").stdout
    run("unit", "note", "U1", "-m", "en tanke")  # the reports no longer show the state
    assert step4()["next"] == "stc report"
    run("report", "all")
    run("nugget", "U5", "--clear")  # a check fails
    later = step4()
    assert later["next"] == "stc check" and "1 check not passed: quotations" in later["facts"]


def test_check_suggests_commands_that_paste_into_a_shell(run: Run, interview: Path) -> None:
    """The names in the commands `stc check` suggests are quoted for the shell, an apostrophe
    included, so each command pastes as it stands."""
    run("code", "I1:3", "allianse", "--group", "Relasjon og tid")
    run("subgroup", "add", "Relasjon og tid", "Kari's tillit")
    messages = [m for c in json.loads(run("check", "--json", code=1).stdout)
                for m in c["failures"]]
    commands = [m.group(1) for m in map(re.compile(r"\((stc [^()]*?)(?:,|\)$)").search,
                                        messages) if m]
    words = {tuple(shlex.split(c)) for c in commands}
    assert ("stc", "condense", "Relasjon og tid/Kari's tillit", "--edit") in words
    assert ("stc", "sort", "U1", "--into", "Relasjon og tid/SUBGRUPPE") in words
    assert ("stc", "describe", "Relasjon og tid", "--edit") in words
    shown = subprocess.run(["sh", "-c", f"printf '%s\\n' {commands[0][4:]}"],
                           capture_output=True, text=True, check=True).stdout.splitlines()
    assert shown == shlex.split(commands[0])[1:]  # the shell reads what shlex reads


def test_nugget_loose_matches_typographic_quotes(run: Run, interview: Path) -> None:
    run("code", "I1:3-5", "allianse")
    before = snapshot(run, interview)
    assert "[E510]" in run("nugget", "U1", "--quote", 'Hun sa: "Vi får det til."', code=1).stderr
    assert snapshot(run, interview) == before
    out = run("nugget", "U1", "--quote", 'Hun sa: "Vi får det til."', "--loose").stdout
    assert "U1 quotation: Hun sa: «Vi får det til.»" in out  # the transcript's own marks


def test_edit_without_editor_uses_the_platform_default_and_says_which(
        run: Run, interview: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if sys.platform in ("win32", "darwin"):
        pytest.skip("the default editor there is Notepad or TextEdit")
    tools = tmp_path / "bin"
    tools.mkdir()
    fake = tools / "nano"  # a stand-in for nano: writes the memo into the file it is given
    fake.write_text("#!/bin/sh\nprintf 'Skrevet i nano\\n' > \"$1\"\n", encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("PATH", str(tools))  # no sensible-editor: nano is the first found
    monkeypatch.setattr("stc.cli.common.has_terminal", lambda: True)  # as in a terminal
    result = run("memo", "add", "--edit")
    assert result.stderr == "Opening nano (set $EDITOR to use another editor)\n"
    assert json.loads(run("memos", "--json").stdout)[0]["body"] == "Skrevet i nano"
    shown = " ".join(run("memo", "add", "--help").stdout.split())
    assert "without them Notepad on Windows, TextEdit on macOS" in shown


def test_units_listing_marks_units_set_aside(run: Run, interview: Path) -> None:
    run("code", "I1:3", "allianse")
    run("set-aside", "U1", "--why", "om terapeuten, ikke pasienten")
    assert "[set aside: om terapeuten, ikke pasienten]" in run("units").stdout


def test_code_quote_help_and_a_stretch_coded_again(run: Run, interview: Path) -> None:
    assert "Set the unit's exact stretch" in run("code", "--help").stdout
    run("code", "I1:3", "allianse", "--quote", "Alliansen med terapeuten")
    out = run("code", "I1:3", "tillit", "--quote", "Alliansen med terapeuten").stdout
    assert out.startswith("U1 I1:3  tillit  (U1 is exactly this stretch already:"
                          " its codes were added, no new unit made)")
    assert len(json.loads(run("units", "--json").stdout)) == 1


def test_terms_show_real_words_and_leave_out_lines_of_no_speaker(run: Run, interview: Path
                                                                  ) -> None:
    [terms] = json.loads(run("terms", "--json").stdout)
    top = {t["word"]: (t["lemma"], t["count"]) for t in terms["top"]}
    assert top["alliansen"] == ("allianse", 4)  # alliansen ×4; not the stem "allians"
    assert "intervju" not in top and "informant" not in top and "mars" not in top
    assert "alliansen 4" in run("terms").stdout
