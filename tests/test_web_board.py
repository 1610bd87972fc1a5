"""The sorting board, its editors, undo and the code list over HTTP (Starlette's TestClient):
every write refused without the page's Origin and CSRF token, refused when based on a stale
view, recorded as one command with its label, undone per tab; drafts kept and cleared."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from stc.project import open_project
from stc.stages import board
from stc.web.app import WRITES
from tests import workbench
from tests.conftest import Run
from tests.samples import snapshot
from tests.workbench import (
    COLLEAGUES,
    CONDENSATE,
    COPING,
    SUPPORT,
    Tab,
    app,
    hidden,
    message,
    open_tab,
    study,
)

__all__ = ["app", "study"]  # fixtures shared with the other workbench tests (tests.workbench)

START = "Å ta i bruk"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return workbench.build_once(tmp_path_factory.mktemp("board"), step3=True)




@pytest.fixture
def tab(app: Any) -> Tab:
    return open_tab(app)


def units(run: Run) -> dict[str, dict[str, Any]]:
    return {u["unit"]: u for u in json.loads(run("units", "--json").stdout)}


def trail(run: Run) -> list[dict[str, Any]]:
    return list(json.loads(run("log", "--json").stdout))


def column(page: str, hook: str) -> list[str]:
    """The cards in the column with that hook (`data-subgroup="G/S"`, `data-aside`)."""
    found = re.search(rf'<section class="column[^"]*" id="column-\d+" {re.escape(hook)}[ >]'
                      r'(.*?)</section>', page, re.S)
    assert found, hook
    return re.findall(r'<article class="card[^"]*" id="card-U\d+" data-unit="(U\d+)"',
                      found.group(1))


# -- every write: Origin and CSRF, and nothing changes when refused ----------------------------

@pytest.mark.parametrize("path", sorted(WRITES))
def test_every_write_is_refused_from_another_origin_or_without_the_csrf_token(
        run: Run, study: Path, tab: Tab, path: str) -> None:
    before = snapshot(run, study)
    fields = {"units": "U5", "into": COPING, "group": SUPPORT, "name": "Ny", "why": "fordi",
              "subgroup": COLLEAGUES, "new": "Nytt", "names": "Mestring", "target": COLLEAGUES,
              "text": "Jeg", "unit": "U5", "quote": "Nå bruker jeg", "code": "mestring"}
    refused = tab.post(path, fields, origin="http://evil.example")
    assert refused.status_code == 403 and "[E712]" in refused.text
    refused = tab.post(path, fields, **{"x-csrf-token": "forged"})
    assert refused.status_code == 403 and "[E713]" in refused.text
    assert snapshot(run, study) == before


# -- the board -----------------------------------------------------------------------------------

def test_the_board_shows_columns_and_cards_with_their_hooks(tab: Tab) -> None:
    page = tab.page
    assert column(page, f'data-subgroup="{COLLEAGUES}"') == ["U4"]
    assert column(page, f'data-subgroup="{COPING}"') == []
    assert column(page, "data-unsorted") == ["U5"]
    assert column(page, "data-aside") == []
    assert re.search(r'data-subgroup="Støtte/Fra kolleger" data-key="1"', page)
    assert 'data-aside data-key="A"' in page and 'data-unsorted data-key="0"' in page
    assert '<p class="words" lang="nb" spellcheck="false">Nå bruker jeg det hver dag</p>' in page
    assert 'href="/transcripts/I1#s7"' in page  # the card's place in the reading view
    assert "The question before it: </span>Hva gjorde forskjellen?</p>" in page  # as context
    # the editor of the first subgroup beside it, with the units it rests on
    assert CONDENSATE in page and 'id="condensate-text"' in page
    assert re.search(r'Written from 1 unit:\s*<a href="#card-U4">U4</a>', page)
    # the step-3 checks, each linking to its card or editor
    assert '<a href="#card-U5">U5 i &#39;Støtte&#39; er ikke i noen subgruppe' in page
    assert 'edit=St%C3%B8tte/Mestring#editor"' in page


def test_a_group_without_subgroups_is_one_column_with_its_own_condensate(tab: Tab) -> None:
    page = tab.get("/board", group=START).text
    assert column(page, f'data-group="{START}"') == ["U1", "U2"]
    assert 'data-unsorted' not in page
    assert f"Condensate of {START}</h2>" in page


def test_sorting_several_cards_is_one_command_with_its_label(run: Run, tab: Tab) -> None:
    response = tab.post("/board/sort", {"units": ["U4", "U5"], "into": COPING,
                                        "group": SUPPORT})
    assert response.status_code == 200
    assert message(response.text) == "U4, U5 sorted into Støtte/Mestring."
    assert column(response.text, f'data-subgroup="{COPING}"') == ["U4", "U5"]
    assert {u: units(run)[u]["subgroup"] for u in ("U4", "U5")} == {"U4": "Mestring",
                                                                     "U5": "Mestring"}
    changes = trail(run)[-2:]
    assert changes[0]["label"] == "workbench: sort U4 U5 --into 'Støtte/Mestring'"
    assert changes[0]["command"] == changes[1]["command"] == changes[0]["seq"]
    assert changes[0]["author"] == "tester"


def test_setting_aside_needs_a_reason_and_the_cards_come_back(run: Run, study: Path,
                                                              tab: Tab) -> None:
    before = snapshot(run, study)
    refused = tab.post("/board/aside", {"units": "U5", "why": "  ", "group": SUPPORT})
    assert refused.status_code == 400 and "[E720]" in message(refused.text)
    assert snapshot(run, study) == before
    done = tab.post("/board/aside", {"units": "U5", "why": "om noe annet", "group": SUPPORT})
    assert column(done.text, "data-aside") == ["U5"]
    assert "Set aside:</span> om noe annet" in done.text
    assert units(run)["U5"]["aside"] == "om noe annet"
    assert trail(run)[-1]["label"] == "workbench: set-aside U5 --why …"
    back = tab.post("/board/unsort", {"units": "U5", "group": SUPPORT})
    assert column(back.text, "data-unsorted") == ["U5"] and units(run)["U5"]["aside"] is None
    assert trail(run)[-1]["label"] == "workbench: unsort U5"


def test_a_write_based_on_a_stale_view_is_refused_and_shows_the_board_as_it_is(
        run: Run, study: Path, tab: Tab) -> None:
    stale = tab.seen
    run("sort", "U5", "--into", COLLEAGUES)  # a terminal, after the page was rendered
    before = snapshot(run, study)
    refused = tab.post("/board/sort", {"units": "U5", "into": COPING, "group": SUPPORT,
                                       "based_on": stale})
    assert refused.status_code == 409
    assert refused.headers["hx-reswap"] == "none"
    assert "[E323]" in message(refused.text) and "U5 in #" in message(refused.text)
    assert snapshot(run, study) == before
    assert column(refused.text, f'data-subgroup="{COLLEAGUES}"') == ["U4", "U5"]  # as it is
    # units nobody changed since are moved
    assert tab.post("/board/sort", {"units": "U4", "into": COPING, "group": SUPPORT,
                                    "based_on": stale}).status_code == 200


def test_bad_form_values_are_refused_with_a_message(run: Run, study: Path, tab: Tab) -> None:
    before = snapshot(run, study)
    for fields, code in (({"units": "", "into": COPING}, "E725"),
                         ({"units": "U5", "into": COPING, "based_on": "x"}, "E722"),
                         ({"units": "U5", "into": ""}, "E723"),
                         ({"units": "U1", "into": COPING}, "E507"),
                         ({"units": "U99", "into": COPING}, "E506")):
        refused = tab.post("/board/sort", {**fields, "group": SUPPORT})
        assert refused.status_code == 400 and f"[{code}]" in message(refused.text), fields
    assert snapshot(run, study) == before


def test_subgroups_are_added_renamed_merged_and_ordered_with_reasons(run: Run,
                                                                     tab: Tab) -> None:
    done = tab.post("/board/subgroup/add", {"group": SUPPORT, "name": "Fra ledelsen"})
    assert 'data-subgroup="Støtte/Fra ledelsen"' in done.text
    assert trail(run)[-1]["label"] == "workbench: subgroup add 'Støtte' 'Fra ledelsen'"
    refused = tab.post("/board/subgroup/rename", {"subgroup": "Støtte/Fra ledelsen",
                                                  "new": "Ledelsen", "group": SUPPORT})
    assert "[E720]" in message(refused.text)
    done = tab.post("/board/subgroup/rename", {"subgroup": "Støtte/Fra ledelsen",
                                               "new": "Ledelsen", "why": "kortere",
                                               "group": SUPPORT})
    assert 'data-subgroup="Støtte/Ledelsen"' in done.text
    assert trail(run)[-1]["why"] == "kortere"
    order = [r["subgroup"] for r in json.loads(run("subgroups", "--json").stdout)]
    assert order == ["Fra kolleger", "Mestring", "Ledelsen"]
    tab.post("/board/subgroup/order", [("group", SUPPORT), ("names", "Ledelsen"),
                                       ("names", "Fra kolleger")])
    order = [r["subgroup"] for r in json.loads(run("subgroups", "--json").stdout)]
    assert order == ["Ledelsen", "Fra kolleger", "Mestring"]
    assert trail(run)[-1]["label"] == ("workbench: order subgroups --group 'Støtte' Ledelsen"
                                       " 'Fra kolleger'")
    done = tab.post("/board/subgroup/merge", {"subgroup": "Støtte/Ledelsen", "into": COPING,
                                              "why": "for lite", "group": SUPPORT})
    assert 'data-subgroup="Støtte/Ledelsen"' not in done.text
    assert message(done.text) == "Støtte/Ledelsen merged into Støtte/Mestring."


def test_the_board_renders_each_move_menu_with_the_next_order(tab: Tab) -> None:
    forms = re.findall(r'<form hx-post="/board/subgroup/order".*?</form>', tab.page, re.S)
    orders = [(re.findall(r'name="names" value="([^"]+)"', f),
               re.search(r"Move (left|right)", f).group(1)) for f in forms]  # type: ignore[union-attr]
    assert orders == [(["Mestring", "Fra kolleger"], "right"),
                      (["Mestring", "Fra kolleger"], "left")]


# -- undo and redo: this tab's own commands ----------------------------------------------------

def test_undo_and_redo_reach_only_this_tabs_commands(run: Run, study: Path, app: Any) -> None:
    first, second = open_tab(app, "tab-first1"), open_tab(app, "tab-second")
    first.post("/board/sort", {"units": ["U4", "U5"], "into": COPING, "group": SUPPORT})
    second.get("/board", group=START)
    second.post("/board/aside", {"units": "U2", "why": "om passord", "group": START})
    undone = first.post("/undo", {"group": SUPPORT})
    assert undone.status_code == 200
    assert message(undone.text) == ("Undone: \"workbench: sort U4 U5 --into 'Støtte/Mestring'\""
                                    f" (#{int(first.seen) - 3}-{int(first.seen) - 2}:"
                                    " 2 changes).")
    now = units(run)
    assert (now["U4"]["subgroup"], now["U5"]["subgroup"]) == ("Fra kolleger", None)
    assert now["U2"]["aside"] == "om passord"  # the other tab's change stays
    assert trail(run)[-1]["label"] == "workbench: undo"
    # a tab that made nothing has nothing to undo
    third = open_tab(app, "tab-third3")
    before = snapshot(run, study)
    assert "[E301]" in message(third.post("/undo", {"group": SUPPORT}).text)
    # redo belongs to the tab that undid
    assert "[E322]" in message(second.post("/redo", {"group": START}).text)
    assert snapshot(run, study) == before
    redone = first.post("/redo", {"group": SUPPORT})
    assert redone.status_code == 200 and units(run)["U5"]["subgroup"] == "Mestring"


def test_undo_is_refused_when_a_later_change_rests_on_it(run: Run, study: Path, app: Any
                                                        ) -> None:
    first, second = open_tab(app, "tab-first1"), open_tab(app, "tab-second")
    first.post("/board/subgroup/add", {"group": SUPPORT, "name": "Ny"})
    second.get("/board", group=SUPPORT)
    second.post("/board/sort", {"units": "U5", "into": "Støtte/Ny", "group": SUPPORT})
    before = snapshot(run, study)
    refused = first.post("/undo", {"group": SUPPORT})
    assert refused.status_code == 400 and "[E321]" in message(refused.text)
    assert "cannot be undone: later changes rest on it" in message(refused.text)
    assert snapshot(run, study) == before


# -- the condensate editor and its drafts ------------------------------------------------------

def editor_state(page: str) -> dict[str, str]:
    return dict(hidden(page, "editor-state"))


def textarea(page: str, ident: str) -> str:
    found = re.search(rf'<textarea id="{ident}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found
    return found.group(1)


def test_a_draft_is_kept_on_the_server_offered_back_and_cleared_when_recorded(
        run: Run, app: Any, study: Path) -> None:
    tab = open_tab(app)
    state = editor_state(tab.page)
    written = "Jeg fikk hjelp av en kollega <b>"
    draft = "Jeg fikk hjelp av en kollega &lt;b&gt;"  # escaped in the page
    kept = tab.post("/board/condensate/draft", {**state, "text": written})
    assert kept.status_code == 200 and "Draft kept at" in kept.text
    assert "It speaks in the first person" in kept.text
    hint = tab.post("/board/condensate/draft", {**state, "text": "Hun fikk hjelp"})
    assert "Hint: a condensate speaks in the first person" in hint.text
    tab.post("/board/condensate/draft", {**state, "text": written})
    # nothing recorded; the draft stays out of the trail and the browser
    assert trail(run)[-1]["label"].startswith("stc condense")
    # reloaded, or in a new tab after the old one closed: offered back in the editor
    again = open_tab(app, "tab-another")
    assert textarea(again.page, "condensate-text") == draft
    assert "is not recorded yet; it is in the editor" in again.page
    assert editor_state(again.page)["replaces"] == "tab-aaaaaaaa"
    # recorded: in the trail, the draft gone
    done = again.post("/board/condensate", {**editor_state(again.page),
                                            "text": "Jeg fikk hjelp av en kollega."})
    assert message(done.text) == ("Condensate of Støtte/Fra kolleger recorded, resting on"
                                  " U4.")
    assert trail(run)[-1]["label"] == "workbench: condense 'Støtte/Fra kolleger' -m …"
    project = open_project(study)
    try:
        assert project.conn.execute("SELECT COUNT(*) FROM drafts").fetchone()[0] == 0
    finally:
        project.close()
    assert "is not recorded yet" not in open_tab(app, "tab-third3").page


def test_a_draft_needs_the_tabs_id_and_can_be_discarded(run: Run, study: Path, app: Any
                                                        ) -> None:
    tab = open_tab(app)
    state = editor_state(tab.page)
    before = snapshot(run, study)
    refused = tab.post("/board/condensate/draft", {**state, "text": "Jeg"},
                       **{"x-stc-tab": ""})
    assert refused.status_code == 400 and "[E721]" in refused.text
    assert snapshot(run, study) == before  # no draft kept either
    tab.post("/board/condensate/draft", {**state, "text": "Jeg prøver"})
    discarded = tab.post("/board/condensate/discard", state)
    assert message(discarded.text) == "Draft of the condensate of Støtte/Fra kolleger discarded."
    assert textarea(discarded.text, "condensate-text") == CONDENSATE
    assert "is not recorded yet" not in open_tab(app, "tab-another").page


def test_a_condensate_rewritten_elsewhere_is_shown_beside_hers_never_written_over(
        run: Run, study: Path, app: Any) -> None:
    tab = open_tab(app)
    state = editor_state(tab.page)
    tab.post("/board/condensate/draft", {**state, "text": "Jeg lærte det av henne."})
    run("condense", COLLEAGUES, "-m", "Jeg fikk hjelp i starten.")  # another tab or a terminal
    # the page's poll: its editor's state goes with it; it shows both side by side
    polled = tab.get("/board", group=SUPPORT, edit=COLLEAGUES, seen=tab.seen, **state)
    assert polled.status_code == 200
    both = re.search(r'<div id="conflict">(.*?)</div>\s*<div id="editor-body"', polled.text,
                     re.S)
    assert both
    shown = re.findall(r"<blockquote[^>]*>(.*?)</blockquote>", both.group(1))
    assert shown == ["Jeg fikk hjelp i starten.", "Jeg lærte det av henne."]
    # the poll swaps in what shows the project, never the editor she types in
    live = re.search(r'<div id="live"[^>]*hx-select-oob="([^"]+)"', polled.text)
    assert live and "#conflict" in live.group(1) and "#editor-body" not in live.group(1)
    # recording over a version she has not seen is refused, nothing written over
    before = snapshot(run, study)
    refused = tab.post("/board/condensate", {**state, "text": "Jeg lærte det av henne."})
    assert refused.status_code == 409 and "[E726]" in message(refused.text)
    assert refused.headers["hx-reswap"] == "none"  # the editor keeps what she wrote
    assert snapshot(run, study) == before
    # her own work on the board since she opened the editor is no reason to refuse: a card
    # sorted, the subgroup renamed (the editor follows it)
    tab.post("/board/sort", {"units": "U5", "into": COLLEAGUES})
    renamed = tab.post("/board/subgroup/rename", {"subgroup": COLLEAGUES,
                                                  "new": "Fra kollegene", "why": "flertall"})
    state = {**state, "target": editor_state(renamed.text)["target"]}
    assert state["target"] == "Støtte/Fra kollegene"
    # "Record mine instead": over the version she now sees beside hers
    seen = re.search(r'hx-vals=\'\{"record_over": "([0-9a-f]{64})"\}\'', refused.text)
    assert seen
    done = tab.post("/board/condensate", {**state, "text": "Jeg lærte det av henne.",
                                          "record_over": seen.group(1)})
    assert done.status_code == 200 and "Rewritten elsewhere" not in done.text
    project = open_project(study)
    try:
        assert board.condensate_editor(project.conn, "Støtte/Fra kollegene").recorded == \
            "Jeg lærte det av henne."
    finally:
        project.close()


def test_polling_answers_204_until_the_project_changes(run: Run, tab: Tab) -> None:
    seen = tab.seen
    for path, params in (("/board", {"group": SUPPORT}), ("/", {}), ("/codes", {}),
                         ("/transcripts/I1", {})):
        assert tab.client.get(path, params={**params, "seen": seen}).status_code == 204
    run("sort", "U5", "--into", COPING)
    changed = tab.get("/board", group=SUPPORT, seen=seen)
    assert changed.status_code == 200
    assert column(changed.text, f'data-subgroup="{COPING}"') == ["U5"]
    assert tab.seen == str(int(seen) + 1)


# -- the quotation editor -------------------------------------------------------------------------

def test_a_quotation_is_made_from_a_selection_previewed_and_recorded(run: Run, tab: Tab) -> None:
    text = "Kollegaen min, en erfaren sykepleier 👩\u200d⚕️, viste meg alt på kaféen."
    at = text.index("viste")
    picked = tab.get("/board", group=SUPPORT, unit="U4",
                     pieces=f"0-8 {at}-{at + 9}")  # code points, emoji counted as four
    assert textarea(picked.text, "quote-text") == "Kollegaen … viste meg …"
    assert "«Kollegaen (…) viste meg (…)»" in picked.text
    assert 'hx-trigger="input changed delay:500ms, load"' in picked.text  # kept as a draft
    state = dict(hidden(picked.text, "quote-state"))
    preview = tab.post("/board/quotation/draft", {**state, "quote": "viste meg … kaféen"})
    assert "«viste meg (…) kaféen»" in preview.text and "Draft kept at" in preview.text
    wrong = tab.post("/board/quotation/draft", {**state, "quote": "kaféen … viste"})
    assert "[E510]" in wrong.text and "In the report" not in wrong.text
    done = tab.post("/board/quotation", {**state, "quote": "viste meg … kaféen"})
    assert message(done.text) == "U4: illustrative quotation recorded."
    assert units(run)["U4"]["nugget"] is True
    assert trail(run)[-1]["label"] == "workbench: nugget U4 --quote …"
    assert "Quotation:</span> <span lang=\"nb\">viste meg … kaféen</span>" in done.text
    cleared = tab.post("/board/quotation/clear", {"unit": "U4"})
    assert message(cleared.text) == "U4 is no longer an illustrative quotation."
    assert units(run)["U4"]["nugget"] is False


def test_a_selection_that_is_no_stretch_is_refused(tab: Tab) -> None:
    response = tab.get("/board", group=SUPPORT, unit="U4", pieces="3-x")
    assert response.status_code == 400 and "[E724]" in response.text


# -- the code list ---------------------------------------------------------------------------------

def test_codes_are_renamed_merged_and_moved_with_reasons(run: Run, study: Path,
                                                         app: Any) -> None:
    tab = open_tab(app, path="/codes")
    assert re.search(r'<tr data-code="kollegastøtte">', tab.page)
    before = snapshot(run, study)
    for path, fields in (("/codes/rename", {"code": "humor", "new": "spøk"}),
                         ("/codes/merge", {"code": "humor", "into": "mestring"}),
                         ("/codes/move", {"code": "humor", "group": SUPPORT})):
        refused = tab.post(path, {"page": "codes", **fields, "why": ""})
        assert refused.status_code == 400 and "[E720]" in message(refused.text)
    assert snapshot(run, study) == before
    done = tab.post("/codes/rename", {"page": "codes", "code": "humor", "new": "spøk",
                                      "why": "klarere"})
    assert message(done.text) == "Code humor renamed spøk." and 'data-code="spøk"' in done.text
    assert trail(run)[-1]["label"] == "workbench: rename code humor 'spøk' --why …"
    done = tab.post("/codes/move", {"page": "codes", "code": "spøk", "group": "Stemning",
                                    "why": "en egen gruppe"})
    assert message(done.text) == "Code spøk moved into Stemning."
    codes = json.loads(run("codes", "--json").stdout)
    assert [c["name"] for c in codes if c["name"] == "Stemning"]
    done = tab.post("/codes/merge", {"page": "codes", "code": "spøk", "into": "passord",
                                     "why": "hører sammen"})
    assert message(done.text) == "Code spøk merged into passord."
    assert "U3" in [u for u, v in units(run).items() if "passord" in v["codes"]]
    assert trail(run)[-1]["why"] == "hører sammen"



def test_the_code_list_shows_each_codes_definition_escaped(run: Run, study: Path,
                                                           app: Any) -> None:
    run("define", "humor", "-m", "Når de ler av <det> som er vanskelig.")
    page = open_tab(app, path="/codes").page
    row = page[page.index('<tr data-code="humor">'):]
    row = row[:row.index("</tr>")]
    assert '<p class="definition">Når de ler av &lt;det&gt; som er vanskelig.</p>' in row
