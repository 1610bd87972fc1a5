"""The workbench benchmarks' project: one transcript of about 20,000 words with 300 meaning units,
some of them overlapping, coded through the library as the workbench codes a selection."""

from __future__ import annotations

import random
from pathlib import Path

from common import Settings, fresh, stc
from corpus import sample_pools, transcript

WORDS = 20_000
UNITS = 300
CODES = 24  # in 4 groups


def web_project(settings: Settings, words: int = WORDS, units: int = UNITS) -> Path:
    """The project (made once, kept under .data/projects/)."""
    root = settings.data / "projects" / f"web-{settings.lang}-{words}w-{units}u"
    if (root / ".complete").exists():
        return root
    fresh(root)
    source = settings.data / f"web-{settings.lang}-{words}.txt"
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(transcript(1, words, sample_pools(settings.lang), settings.lang),
                      encoding="utf-8")
    stc("init", str(root), "--language", settings.lang, "--title", "workbench benchmark")
    stc("import", str(source), "--id", "T1", project=root)
    _code(root, units)
    (root / ".complete").write_text("")
    return root


def _code(root: Path, units: int) -> None:
    """`units` units spread over the participant's speech: most a sentence or two, one in five
    overlapping the unit before it; codes by the workbench's own library call."""
    from stc.project import open_project
    from stc.stages.meaning_units import code_span
    from stc.units import load_doc

    rng = random.Random(11)
    project = open_project(root, author="bench")
    try:
        doc = load_doc(project.conn, "T1")
        spoken = [(s, e) for s, e, who in doc.turns if who is not None]
        stride = max(1, len(spoken) // units)
        for i in range(units):
            start, end = spoken[(i * stride) % len(spoken)]
            a = start + rng.randrange(max(1, (end - start) // 3))
            z = max(a + 20, end - rng.randrange(max(1, (end - start) // 3)))
            if i % 5 == 4:  # reach back into the unit before
                a = max(spoken[((i - 1) * stride) % len(spoken)][0], a - 400)
            group = i % 4
            code_span(project, "T1", a, min(z, end), [f"code {group}.{i % (CODES // 4)}"],
                      group=f"Group {group + 1}")
    finally:
        project.close()
