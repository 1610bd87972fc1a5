"""The main job behind `make demo`: a complete four-step analysis of the Norwegian sample corpus,
built in a fresh project with the public `stc` commands only, ending in the reports.

Run from anywhere; the project is written to demo-project/ at the repository root (replaced on
every run). Each command is printed before it runs, so the output doubles as a walkthrough.
"""

from __future__ import annotations

import csv
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpora" / "nb-hjemmetjeneste"
ANALYSIS = CORPUS / "analysis"
PROJECT = ROOT / "demo-project"
STC = str(Path(sys.executable).with_name("stc"))
SHOWN = 12  # lines of each command's output to print


def stc(*args: str, show: bool = True, ok_codes: tuple[int, ...] = (0,)) -> str:
    print(f"\n$ stc {shlex.join(args)}")
    done = subprocess.run([STC, "--author", "demo", *args], cwd=PROJECT, capture_output=True,
                          text=True, check=False)
    if done.returncode not in ok_codes:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"demo stopped: `stc {shlex.join(args)}` exited {done.returncode}")
    if show:
        lines = done.stdout.rstrip().splitlines()
        print("\n".join(lines[:SHOWN]) + (f"\n  … ({len(lines) - SHOWN} more lines)"
                                           if len(lines) > SHOWN else ""))
    return done.stdout


def participants() -> dict[str, str]:
    with (CORPUS / "deltakere.csv").open(encoding="utf-8") as handle:
        return {row["document"]: row["pseudonym"] for row in csv.DictReader(handle)}


def step0_project() -> None:
    if PROJECT.exists():
        shutil.rmtree(PROJECT)
    PROJECT.mkdir()
    stc("init", ".", "--language", "nb",
        "--title", "Sykepleieres erfaringer med velferdsteknologi i hjemmetjenesten",
        "--question", "Hvordan erfarer ansatte i hjemmetjenesten å ta i bruk velferdsteknologi?")
    for doc, pseudonym in sorted(participants().items()):
        source = next(CORPUS.glob(f"{doc}.*"))
        stc("import", str(source), "--participant", pseudonym, "--speakers", "I=interviewer")
    stc("docs")
    stc("show", "I1:1-6")


def step1_total_impression() -> None:
    stc("memo", "add", "--kind", "preunderstanding", "--file", str(ANALYSIS / "forforstaelse.md"))
    for doc in sorted(participants()):
        stc("memo", "add", "--kind", "impression", "--on", doc,
            "--file", str(ANALYSIS / f"inntrykk-{doc}.md"), show=False)
    stc("terms", "--top", "10")
    for theme in (ANALYSIS / "temaer.txt").read_text(encoding="utf-8").splitlines():
        if theme.strip():
            stc("theme", "add", theme.strip(), show=False)
    stc("themes")


def step2_meaning_units() -> None:
    stc("matrix", "import", str(ANALYSIS / "koding.csv"), "--why", "Første gjennomgang, linje for linje")
    for line in (ANALYSIS / "revisjoner.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            stc(*shlex.split(line))
    stc("codes")
    stc("search", "alarm")


def step3_condensation() -> None:
    stc("matrix", "import", str(ANALYSIS / "kondensering.csv"),
        "--why", "Subgrupper, kondensater, gullkorn og analytisk tekst")
    stc("units", "--group", "Tid som flyttes")


def step4_synthesis() -> None:
    for name in ("Nordmann", "Lillehammer sykehus"):
        stc("names", "add", name, show=False)
    stc("check")
    out = stc("report", "all")
    stc("verify")
    print(f"\nThe project is in {PROJECT}; its reports are in {PROJECT / 'reports'}:")
    for report in sorted((PROJECT / "reports").iterdir()):
        print(f"  {report.relative_to(ROOT)}")
    del out
    print(f"\nTry next:  cd {PROJECT.name} && stc log --on \"Tid som flyttes\"")
    print(f"Read the transcripts with their meaning units in the browser:  cd {PROJECT.name}"
          " && stc serve")


def main() -> None:
    step0_project()
    step1_total_impression()
    step2_meaning_units()
    step3_condensation()
    step4_synthesis()


if __name__ == "__main__":
    main()
