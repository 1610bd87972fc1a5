"""The job behind `make demo-focus`: a complete four-step analysis of the focus-group sample
corpus (five home-care workers who meet three times in a year while a medication dispenser is
rolled out), built with the public `stc` commands only, ending in reports that compare the
time points.

Run from anywhere; the project is written to demo-focus-project/ at the repository root
(replaced on every run). Each command is printed before it runs, so the output doubles as a
walkthrough.
"""

from __future__ import annotations

import csv
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpora" / "nb-fokusgruppe"
ANALYSIS = CORPUS / "analysis"
PROJECT = ROOT / "demo-focus-project"
STC = str(Path(sys.executable).with_name("stc"))
SHOWN = 14  # lines of each command's output to print
MEETINGS = {"FG1": ("T1", "2025-02-04"), "FG2": ("T2", "2025-08-19"),
            "FG3": ("T3", "2026-02-10")}


def stc(*args: str, show: bool = True, ok_codes: tuple[int, ...] = (0,)) -> str:
    print(f"\n$ stc {shlex.join(args)}")
    done = subprocess.run([STC, "--author", "demo", *args], cwd=PROJECT, capture_output=True,
                          text=True, check=False)
    if done.returncode not in ok_codes:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"demo stopped: `stc {shlex.join(args)}` exited {done.returncode}")
    if show:
        lines = (done.stdout + done.stderr).rstrip().splitlines()
        print("\n".join(lines[:SHOWN]) + (f"\n  … ({len(lines) - SHOWN} more lines)"
                                           if len(lines) > SHOWN else ""))
    return done.stdout


def step0_project() -> None:
    if PROJECT.exists():
        shutil.rmtree(PROJECT)
    PROJECT.mkdir()
    stc("init", ".", "--language", "nb",
        "--title", "Medisindispensere i hjemmetjenesten: en fokusgruppe over ett år",
        "--question", "Hvordan erfarer ansatte i hjemmetjenesten innføringen av digitale"
                      " medisindispensere over tid?")
    # the moderator's label reads as an interviewer's; each member's label is a participant
    stc("import", *(str(CORPUS / f"{doc}.txt") for doc in MEETINGS))
    for doc, (time, day) in MEETINGS.items():
        stc("doc", "set", doc, f"tidspunkt={time}", f"dato={day}", show=False)
    stc("participants", "import", str(CORPUS / "deltakere.csv"))
    stc("participants")
    stc("docs")
    stc("show", "FG2:1-6")


def step1_total_impression() -> None:
    stc("memo", "add", "--kind", "preunderstanding", "--file",
        str(ANALYSIS / "forforstaelse.md"))
    stc("terms", "--top", "10")
    for theme in (ANALYSIS / "temaer.txt").read_text(encoding="utf-8").splitlines():
        if theme.strip():
            stc("theme", "add", theme.strip(), show=False)
    stc("themes")


def step2_meaning_units() -> None:
    stc("matrix", "import", str(ANALYSIS / "koding.csv"),
        "--why", "Første gjennomgang av alle tre samlingene, linje for linje")
    for line in (ANALYSIS / "revisjoner.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            stc(*shlex.split(line))
    stc("codes")


def step3_condensation() -> None:
    stc("matrix", "import", str(ANALYSIS / "kondensering.csv"),
        "--why", "Subgrupper, kondensater, gullkorn og analytisk tekst")
    for line in (ANALYSIS / "sitater.txt").read_text(encoding="utf-8").splitlines():
        unit, _, quote = line.partition("\t")
        stc("nugget", unit, "--quote", quote, show=False)
    stc("units", "--group", "Tid som flyttes")


def step4_synthesis() -> None:
    stc("prevalence")
    stc("prevalence", "--by", "tidspunkt")
    stc("prevalence", "--by", "yrke")
    stc("prevalence", "--by", "digital_mestring=0-50,50-100")
    stc("config", "set", "by", "tidspunkt", "--why", "Resultatkapitlet sammenligner tidspunktene")
    with (ANALYSIS / "validering.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            stc("validate", row["group"], "-m", row["memo"], show=False)
    stc("check")
    stc("report", "all")
    stc("verify")
    print(f"\nThe project is in {PROJECT}; its reports are in {PROJECT / 'reports'}:")
    for report in sorted((PROJECT / "reports").iterdir()):
        print(f"  {report.relative_to(ROOT)}")
    print(f"\nTry next:  cd {PROJECT.name} && stc prevalence --by yrke")


def main() -> None:
    step0_project()
    step1_total_impression()
    step2_meaning_units()
    step3_condensation()
    step4_synthesis()


if __name__ == "__main__":
    main()
