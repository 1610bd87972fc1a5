"""What each change did, said in the report language: every change kind's wording in every
catalogue (stc/locales: `change_summaries`, `change_words`), a Norwegian audit whose history
says it in Norwegian, the workbench's trail in the language of its pages, `stc log` in
English."""

from __future__ import annotations

import html
import re
import string
from pathlib import Path
from typing import Any

import pytest

from stc.changes import CHANGE_KINDS
from stc.changes.analysis import MEMO_KINDS
from stc.phrases import LANGUAGES, phrases
from stc.stages.coders import KIND_WORDS
from stc.trail import REDO, UNDO
from stc.web.app import create_app
from tests import workbench
from tests.conftest import module_cli
from tests.workbench import COPING, PORT, SUPPORT, TOKEN, message, open_tab, study

__all__ = ["study"]  # the fixture shared with the other workbench tests (tests.workbench)

OTHERS = [language for language in LANGUAGES if language != "en"]


def forms(entry: str | dict[str, str]) -> dict[str, str]:
    """A kind's templates by form ("" for a kind said in one way)."""
    return entry if isinstance(entry, dict) else {"": entry}


def blanks(template: str) -> list[tuple[str, str]]:
    """The {fields} of a template with their format specs. Not their conversions: English
    quotes a name as Python does ('x', as `stc log` always has), the other languages in
    their own quotation marks («x»)."""
    return sorted((name, spec or "")
                  for _, name, spec, _ in string.Formatter().parse(template)
                  if name is not None)


def own_words(template: str) -> set[str]:
    """The words a template says itself, outside its fields."""
    return {w.lower() for literal, *_ in string.Formatter().parse(template)
            for w in re.findall(r"[^\W\d_]+", literal)}


def test_every_change_kind_is_worded_in_every_catalogue_with_the_english_fields() -> None:
    english = phrases("en")["change_summaries"]
    kinds = {*CHANGE_KINDS, UNDO, REDO}
    assert sorted(kinds - set(english)) == []  # every kind has its English wording
    assert sorted(set(english) - kinds) == []  # none left over from a kind removed
    for language in OTHERS:
        said = phrases(language)["change_summaries"]
        assert sorted(set(said) ^ set(english)) == [], language
        for kind, entry in english.items():
            theirs = forms(said[kind])
            assert sorted(theirs) == sorted(forms(entry)), (language, kind)
            assert [form for form, template in forms(entry).items()
                    if blanks(theirs[form]) != blanks(template)] == [], (language, kind)
            # said in the language: a kind with words of its own says some of them otherwise
            if any(own_words(t) for t in forms(entry).values()):
                assert any(theirs[form] != template for form, template in forms(entry).items()
                           ), (language, kind)


def test_every_catalogue_has_every_word_and_english_says_what_stc_always_said() -> None:
    words = phrases("en")["change_words"]
    for language in OTHERS:
        assert set(phrases(language)["change_words"]) == set(words), language
    # the kinds of place two coders disagree on, as a merge has always recorded them
    assert {kind: words[kind] for kind in KIND_WORDS} == KIND_WORDS
    # the named objects (renamed, dropped, merged, ordered) and the kinds of memo
    named = [w for kind in ("theme", "code", "group", "subgroup")
             for w in (kind, f"{kind}s", f"{kind} order")]
    assert sorted(set(named) - set(words)) == sorted(set(MEMO_KINDS) - set(words)) == []


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """The Norwegian demo project (`stc demo`) with a code renamed without a reason, a theme
    added and that undone, and the runner that made it."""
    root = tmp_path_factory.mktemp("wording") / "demo"
    stc = module_cli()

    stc("demo", str(root))
    stc("--project", str(root), "rename", "code", "samtykke", "samtykke gitt")
    stc("--project", str(root), "theme", "add", "Midlertidig")
    stc("--project", str(root), "undo", "--why", "prøvde bare")
    return root, stc


def history_cells(audit: str) -> dict[int, str]:
    """Change number → the text of its "What" cell in the audit's history table."""
    rows = re.findall(r'<tr id="c(\d+)">(.*?)</tr>', audit, re.S)
    return {int(seq): html.unescape(re.findall(r"<td>(.*?)</td>", row, re.S)[3])
            for seq, row in rows}


def test_a_norwegian_audit_says_what_each_change_did_in_norwegian(demo: tuple[Path, Any]
                                                                  ) -> None:
    root, stc = demo
    stc("--project", str(root), "report", "audit", "--format", "html")
    audit = (root / "reports" / "audit.html").read_text(encoding="utf-8")
    cells = history_cells(audit)
    log = stc("--project", str(root), "log")
    assert len(cells) == len(re.findall(r"^#\d+", log, re.M)) > 200
    # no English wording: no word only the English templates say
    english, norwegian = ({w for e in phrases(language)["change_summaries"].values()
                           for t in forms(e).values() for w in own_words(t)}
                          for language in ("en", "nb"))
    words = re.compile(r"\b(" + "|".join(sorted(english - norwegian)) + r")\b")
    # references (group:NAME) and command lines («stc theme add …») stay as they are written
    written = re.compile(r"\b(?:theme|code|group|subgroup):|«stc [^»]*»")
    assert {seq: cell for seq, cell in cells.items() if words.search(written.sub("", cell))
            } == {}
    assert "kode «samtykke» lagt til" in cells.values()
    assert "U1 fra I1:25-28 kodet tid foran skjermen" in cells.values()
    assert "kodegruppe «Frigjort tid» lagt til" in cells.values()
    assert "kode «tid foran skjermen» omdøpt til «skjermarbeid»" in cells.values()
    assert "tema «Midlertidig» lagt til" in cells.values()
    assert any(cell.startswith("angret «stc theme add") for cell in cells.values())
    # the check that asks a reason for each revision names it in Norwegian too
    assert ("(kode «samtykke» omdøpt til «samtykke gitt») har ingen begrunnelse"
            in html.unescape(audit))


def test_stc_log_stays_english_in_a_norwegian_project(demo: tuple[Path, Any]) -> None:
    root, stc = demo
    said = [line.split(maxsplit=4)[4] for line in stc("--project", str(root), "log"
                                                       ).splitlines() if line.startswith("#")]
    assert "code 'samtykke' added" in said
    assert "U1 from I1:25-28 coded tid foran skjermen" in said
    assert "code group 'Frigjort tid' added" in said
    assert "code 'tid foran skjermen' renamed 'skjermarbeid'" in said
    assert "imported I1 (174 segments; participant P1)" in said
    assert said[-1].startswith('undid "stc theme add')


def text_of(page: str) -> str:
    """What a page says, without its tags."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return workbench.build_once(tmp_path_factory.mktemp("wording-web"), step3=True)


def test_the_workbench_says_the_changes_in_the_language_of_its_pages(template: Path) -> None:
    norsk = open_tab(create_app(template, TOKEN, port=PORT, author="tester"), "tab-words001")
    english = open_tab(create_app(template, TOKEN, port=PORT, author="tester", interface="en"),
                       "tab-words002")
    trail = text_of(norsk.get("/trail").text)
    assert "kode «oppstart» lagt til" in trail and "code 'oppstart' added" not in trail
    assert "code 'oppstart' added" in text_of(english.get("/trail").text)
    since, since_en = (tab.get("/since", since="0").text for tab in (norsk, english))
    assert "koder oppstart, passord lagt i kodegruppe «Å ta i bruk»" in text_of(since)
    assert "codes oppstart, passord into group 'Å ta i bruk'" in text_of(since_en)
    headings = [re.findall(r'<h2 id="object-\d+">(.*?)</h2>', html.unescape(page))
                for page in (since, since_en)]
    assert "kodegruppe «Å ta i bruk»" in headings[0] and "kode «oppstart»" in headings[0]
    assert "group 'Å ta i bruk'" in headings[1]
    panel = text_of(norsk.get("/step1", on="U1").text)
    assert "U1 fra I1:2-4 kodet oppstart" in panel


def test_an_undo_on_the_workbench_says_what_it_undid_in_the_language_of_its_pages(
        study: Path) -> None:
    norsk = open_tab(create_app(study, TOKEN, port=PORT, author="tester"), "tab-words003")
    norsk.post("/board/sort", {"units": ["U5"], "into": COPING, "group": SUPPORT})
    undone = message(norsk.post("/undo", {"group": SUPPORT}).text)
    assert undone.startswith("Angret: ") and "U5 sortert i «Støtte/Mestring»" in undone
    norsk.post("/board/sort", {"units": ["U4", "U5"], "into": COPING, "group": SUPPORT})
    assert message(norsk.post("/undo", {"group": SUPPORT}).text).endswith(": 2 endringer).")
