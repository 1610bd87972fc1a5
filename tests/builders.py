"""Small analysed projects for the tests of steps 3 and 4 and of the reports.

The projects are built through the public commands (`stc import`, `stc code`, `stc group`,
`stc subgroup add`, ...), the way a user builds them, from three short fictional interviews per
language written here.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from stc.trail import record_hash

INTERVIEWS: dict[str, dict[str, str]] = {
    "nb": {
        "I1": (
            "I: Hvordan er en vanlig vakt for deg?\n"
            "Kari: Jeg har aldri tid nok. Vi løper fra bruker til bruker, og det er ingen tid"
            " til å prate. Det er ikke sånn jeg vil jobbe.\n"
            "I: Hva gjør det med deg?\n"
            "Kari: Jeg blir sliten. Men jeg liker jobben, altså.\n"
        ),
        "I2": (
            "I: Fortell om en vanlig dag.\n"
            "Ola: Dagen er full av kjøring. Vi har for mange brukere på lista. Jeg savner å"
            " bli kjent med dem.\n"
            "I: Og nettbrettet?\n"
            "Ola: Nettbrettet hjelper litt, men det erstatter ikke besøket.\n"
        ),
        "I3": (
            "I: Hva tenker du om teknologien?\n"
            "Siri: Skjermen gir meg oversikt. Jeg ser hvem som trenger meg først.\n"
            "I: Og tiden?\n"
            "Siri: Tiden strekker ikke til. Vi må velge hvem vi prater med.\n"
        ),
    },
    "en": {
        "P1": (
            "I: What is a normal shift like?\n"
            "Anna: I never have enough time. We run from patient to patient, and there is no"
            " time to talk. That is not how I want to work.\n"
            "I: What does that do to you?\n"
            "Anna: I get tired. But I like the job.\n"
        ),
        "P2": (
            "I: Tell me about a normal day.\n"
            "Ben: The day is full of driving. We have too many patients on the list. I miss"
            " getting to know them.\n"
            "I: And the tablet?\n"
            "Ben: The tablet helps a little, but it does not replace the visit.\n"
        ),
        "P3": (
            "I: What do you think about the technology?\n"
            "Cara: The screen gives me an overview. I see who needs me first.\n"
            "I: And time?\n"
            "Cara: Time is never enough. We have to choose who we talk to.\n"
        ),
    },
}

# names per language: themes, groups, subgroups, codes, texts
WORDS: dict[str, dict[str, Any]] = {
    "nb": {
        "themes": ["Tid", "Teknologi", "Relasjoner", "Arbeidsglede"],
        "time": "Tid og rutiner", "tech": "Teknologi",
        "rush": "Tidspress", "tired": "Å bli sliten",
        "codes": ["tidspress", "slitenhet", "nettbrett"],
        "cond_rush": "Jeg har aldri tid nok. Vi løper fra bruker til bruker, og jeg savner å"
                     " bli kjent med dem.",
        "cond_tired": "Jeg blir sliten, men jeg liker jobben.",
        "cond_tech": "Skjermen gir meg oversikt, men den erstatter ikke besøket.",
        "desc_time": "Informantene beskriver en hverdag der tiden ikke strekker til.",
        "desc_rush": "Alle informantene forteller om tidspress. En av dem sier det slik:\n\n"
                     "[U1]\n\nTidspresset går ut over samtalene med brukerne.",
        "desc_tired": "En av informantene beskriver hvordan tidspresset gjør henne sliten.",
        "desc_tech": "To av tre informanter forteller at skjermen hjelper, men ikke erstatter"
                     " besøket.",
        "heading_time": "Tiden som ikke strekker til",
        "quote_u1": "Jeg har aldri tid nok … det er ingen tid til å prate",
        "preunderstanding": "Jeg forventer å finne tidspress.",
        "aside": "handler om intervjuerens spørsmål",
        "valid_time": "Leste alle tre intervjuene på nytt. Beskrivelsen holder; ingen motsier den.",
        "valid_tech": "Leste I2 og I3 på nytt. Ola er mer skeptisk enn teksten sier; justert.",
    },
    "en": {
        "themes": ["Time", "Technology", "Relations", "Joy of work"],
        "time": "Time and routines", "tech": "Technology",
        "rush": "Time pressure", "tired": "Getting tired",
        "codes": ["time pressure", "tiredness", "tablet"],
        "cond_rush": "I never have enough time. We run from patient to patient, and I miss"
                     " getting to know them.",
        "cond_tired": "I get tired, but I like the job.",
        "cond_tech": "The screen gives me an overview, but it does not replace the visit.",
        "desc_time": "The participants describe days in which time is never enough.",
        "desc_rush": "All participants tell of time pressure. One of them puts it so:\n\n"
                     "[U1]\n\nThe pressure takes the time for talking.",
        "desc_tired": "One of the participants describes how the pressure tires her.",
        "desc_tech": "Two of three participants find the screen helps, but it does not"
                     " replace the visit.",
        "heading_time": "Time that is never enough",
        "quote_u1": "I never have enough time … there is no time to talk",
        "preunderstanding": "I expect to find time pressure.",
        "aside": "about the interviewer's question",
        "valid_time": "Read all three interviews again. The description holds; nothing"
                      " contradicts it.",
        "valid_tech": "Read P2 and P3 again. Ben is more sceptical than the text says; adjusted.",
    },
}


def write_interviews(folder: Path, language: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for doc, text in INTERVIEWS[language].items():
        path = folder / f"{doc}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def coded_project(run: Any, root: Path, language: str) -> dict[str, Any]:
    """Steps 1 and 2 done: transcripts, a pre-understanding, four themes, six units in two
    code groups. Returns the names used. Units: U1 (doc 1, the rush), U2 (doc 1, the
    interviewer's question, to set aside), U3 (doc 1, tired), U4 (doc 2, rush), U5 (doc 2,
    tablet), U6 (doc 3, screen), U7 (doc 3, rush)."""
    w = WORDS[language]
    docs = list(INTERVIEWS[language])
    paths = write_interviews(root.parent / f"transcripts-{language}", language)
    run("init", str(root), "--language", language, "--title", f"Demo {language}")
    p = ["--project", str(root)]
    run("import", *map(str, paths), "--speakers", "I=interviewer", *p)
    run("memo", "add", "--kind", "preunderstanding", "-m", w["preunderstanding"], *p)
    for theme in w["themes"]:
        run("theme", "add", theme, *p)
    rush, tired, tablet = w["codes"]
    run("code", f"{docs[0]}:2-3", rush, *p)
    run("code", f"{docs[0]}:5", rush, "--allow-interviewer", *p)
    run("code", f"{docs[0]}:6-7", tired, *p)
    run("code", f"{docs[1]}:2-4", rush, *p)
    run("code", f"{docs[1]}:6", tablet, *p)
    run("code", f"{docs[2]}:2-3", tablet, *p)
    run("code", f"{docs[2]}:5-6", rush, *p)
    run("group", rush, tired, "--into", w["time"], *p)
    run("group", tablet, "--into", w["tech"], *p)
    return w


def analysed_project(run: Any, root: Path, language: str) -> dict[str, Any]:
    """All four steps done: `stc check` passes."""
    w = coded_project(run, root, language)
    p = ["--project", str(root)]
    time, tech = w["time"], w["tech"]
    run("subgroup", "add", time, w["rush"], *p)
    run("subgroup", "add", time, w["tired"], *p)
    run("sort", "U1", "U4", "U7", "--into", f"{time}/{w['rush']}", *p)
    run("sort", "U3", "--into", f"{time}/{w['tired']}", *p)
    run("set-aside", "U2", "--why", w["aside"], *p)
    run("condense", f"{time}/{w['rush']}", "-m", w["cond_rush"], *p)
    run("condense", f"{time}/{w['tired']}", "-m", w["cond_tired"], *p)
    run("condense", tech, "-m", w["cond_tech"], *p)
    run("nugget", "U1", "--quote", w["quote_u1"], *p)
    run("nugget", "U3", *p)
    run("nugget", "U5", *p)
    run("describe", time, "-m", w["desc_time"], "--heading", w["heading_time"], *p)
    run("describe", f"{time}/{w['rush']}", "-m", w["desc_rush"], *p)
    run("describe", f"{time}/{w['tired']}", "-m", w["desc_tired"], *p)
    run("describe", tech, "-m", w["desc_tech"], *p)
    run("validate", time, "-m", w["valid_time"], *p)
    run("validate", tech, "-m", w["valid_tech"], *p)
    return w


def stable_trail(root: Path, author: str = "tester") -> None:
    """Give every change a fixed time and re-chain the hashes.

    The trail stamps each change with the clock, so two builds of the same fixture differ in
    their change times and hence in the trail hash that every report prints. Golden files need
    the same bytes on every run, so the fixture's trail is rewritten here to times one second
    apart from a fixed start, with each hash recomputed: the result is a valid project (`stc
    verify` passes) whose reports are the same on every machine. The reports themselves read no
    clock; this only makes the fixture's history repeatable."""
    conn = sqlite3.connect(root / "stc.db")
    prev = "0" * 64
    rows = conn.execute("SELECT seq, kind, payload, why, command, label FROM trail"
                        " ORDER BY seq").fetchall()
    for seq, kind, payload, why, command, label in rows:
        at = f"2026-01-15T09:{seq // 60:02d}:{seq % 60:02d}.000000Z"
        digest = record_hash(seq, at, author, kind, payload, why, prev, command, label)
        conn.execute("UPDATE trail SET at = ?, author = ?, prev = ?, hash = ? WHERE seq = ?",
                     (at, author, prev, digest, seq))
        prev = digest
    conn.commit()
    conn.close()
