"""The main job behind `make demo`: a fresh project built from the sample corpus with the
public `stc` commands only, ending in the reports. Run from the repository root.

Each step prints the command it runs, so the output doubles as a walkthrough.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpora" / "nb-hjemmetjeneste"
PROJECT = ROOT / "demo-project"
STC = str(Path(sys.executable).with_name("stc"))


def stc(*args: str, quiet: bool = False) -> str:
    print(f"$ stc {shlex.join(args)}")
    done = subprocess.run([STC, *args], cwd=PROJECT if PROJECT.exists() else ROOT,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"demo stopped: `stc {shlex.join(args)}` failed")
    if not quiet:
        print(done.stdout.rstrip())
    return done.stdout


def transcripts() -> list[Path]:
    suffixes = {".txt", ".md", ".docx", ".odt", ".rtf", ".vtt", ".srt"}
    return sorted(p for p in CORPUS.iterdir() if p.suffix in suffixes and p.stem[:1] == "I")


def main() -> None:
    if PROJECT.exists():
        shutil.rmtree(PROJECT)
    stc("init", str(PROJECT), "--language", "nb", "--author", "demo",
        "--title", "Sykepleieres erfaringer med velferdsteknologi i hjemmetjenesten")
    stc("import", *map(str, transcripts()), "--speakers", "I=interviewer")
    stc("status")
    stc("verify")
    print("\nThe demo so far imports the sample corpus and checks the trail;"
          " the analysis steps follow as they land.")
    print(f"Project: {PROJECT}\nTry next: stc --project {PROJECT.name} show I1:1-10")


if __name__ == "__main__":
    main()
