"""Deterministic benchmark corpora built from the sample interviews in corpora/.

Each generated transcript is a plain-text interview (`Interviewer:` / participant turns) made of
turns drawn, with a seeded random generator, from the sample transcripts of one language. The
transcript with number k is the same whatever the corpus size, so the 10-transcript corpus is the
first tenth of the 100-transcript one.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"
DATA = Path(__file__).resolve().parent / ".data"
SAMPLES = {"en": CORPORA / "en-chronic-pain", "nb": CORPORA / "nb-hjemmetjeneste"}
INTERVIEWER = {"en": "Interviewer", "nb": "Intervjuer"}
INTERVIEWER_LABELS = re.compile(r"^(interviewer|intervjuer|i|int)$", re.IGNORECASE)
LABEL = re.compile(r"^([^\s:][^:]{0,30}):\s*(.+)$", re.DOTALL)
NAMES = ["Anna", "Bjørn", "Cecilie", "Dag", "Eva", "Frode", "Gro", "Hassan", "Ingrid", "Jon",
         "Kari", "Lars", "Maria", "Nils", "Olga", "Per", "Randi", "Sara", "Tom", "Una"]


@dataclass(frozen=True)
class Pools:
    questions: list[str]
    answers: list[str]


def sample_pools(lang: str) -> Pools:
    """Interviewer and participant turns of the sample .txt and .md transcripts."""
    questions: list[str] = []
    answers: list[str] = []
    for path in sorted(SAMPLES[lang].glob("*")):
        if path.suffix not in (".txt", ".md") or path.stem.upper() == "README":
            continue
        if path.stem.startswith("interview-guide"):
            continue
        text = path.read_text(encoding="utf-8-sig").replace("**", "")
        for paragraph in re.split(r"\n\s*\n", text):
            joined = " ".join(line.strip() for line in paragraph.splitlines()).strip()
            match = LABEL.match(joined)
            if not match or joined.startswith("#"):
                continue
            label, body = match.group(1).strip(), match.group(2).strip()
            (questions if INTERVIEWER_LABELS.match(label) else answers).append(body)
    if not questions or not answers:
        raise SystemExit(f"no labelled turns found in {SAMPLES[lang]}")
    return Pools(questions, answers)


def transcript(number: int, words: int, pools: Pools, lang: str, seed: int = 7) -> str:
    """Interview `number`: alternating turns until it holds about `words` words."""
    rng = random.Random(f"{seed}-{lang}-{number}")
    person = f"{rng.choice(NAMES)}"
    interviewer = INTERVIEWER[lang]
    lines = [f"{interviewer}: Interview {number}."]
    count = 2
    while count < words:
        question, answer = rng.choice(pools.questions), rng.choice(pools.answers)
        lines += [f"{interviewer}: {question}", f"{person}: {answer}"]
        count += len(question.split()) + len(answer.split()) + 2
    return "\n\n".join(lines) + "\n"


def corpus(size: int, words: int = 10_000, lang: str = "en", root: Path = DATA) -> Path:
    """The folder of `size` transcripts of about `words` words each, written once and reused."""
    folder = root / f"corpus-{lang}-{size}x{words}"
    done = folder / ".complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    pools = sample_pools(lang)
    for number in range(1, size + 1):
        path = folder / f"T{number:04d}.txt"
        path.write_text(transcript(number, words, pools, lang), encoding="utf-8")
    done.write_text("")
    return folder


def files(folder: Path) -> list[Path]:
    return sorted(folder.glob("T*.txt"))


def word_count(paths: list[Path]) -> int:
    return sum(len(p.read_text(encoding="utf-8").split()) for p in paths)
