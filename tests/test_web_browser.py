"""The workbench in a real browser: Debian's Chromium, driven by pytest-playwright, against
`stc serve` running as its own process. Few tests, on what only a browser shows; the breadth is
in test_web.py.

`pytest -m browser --workbench-screenshots docs/img` also writes the README's screenshots.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Dialog, Page, expect

from stc.project import open_project
from stc.units import load_doc
from tests import workbench
from tests.conftest import CHROMIUM, CORPORA

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"Debian's Chromium is not installed at {CHROMIUM}"
                              " (apt-get install chromium); .ci/run installs it"),
]

AXE_VERSION = "4"


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return workbench.build_once(tmp_path_factory.mktemp("browser"), step3=True)


@pytest.fixture(scope="module")
def link(study: Path) -> Iterator[str]:
    with workbench.serving(study) as (process, url):
        yield url
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)


@pytest.fixture
def watched(page: Page) -> Iterator[tuple[Page, list[str]]]:
    """The page, and every console error, page error or dialog it shows."""
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    def dialog(opened: Dialog) -> None:
        problems.append(f"dialog: {opened.message}")
        opened.dismiss()

    page.on("dialog", dialog)
    yield page, problems


def test_the_reading_view_shows_units_overlaps_and_hooks(
        watched: tuple[Page, list[str]], link: str, study: Path) -> None:
    page, problems = watched
    page.goto(link)
    assert page.url == link.split("?")[0]  # the token left the address bar
    expect(page.locator("tr[data-doc]")).to_have_count(2)
    page.get_by_role("link", name="I1").click()
    expect(page.locator("[data-seg]")).to_have_count(7)
    assert page.locator("article.transcript").get_attribute("spellcheck") == "false"

    # every unit highlighted where it lies; a unit's highlights hold exactly its text
    units = json.loads(_stc(study, "units", "--json"))
    for unit in units:
        if "-" not in unit["segments"]:  # inside one segment, so no gap between pieces
            assert _text_of(page, f'[data-unit="{unit["unit"]}"]') == unit["text"]
    # overlaps: three depths of shading, each its own colour
    shades = page.evaluate("""() => [1, 2, 3].map(d => getComputedStyle(
        document.querySelector('.piece.depth-' + d)).backgroundColor)""")
    assert len(set(shades)) == 3 and "rgba(0, 0, 0, 0)" not in shades
    expect(page.locator(".piece.depth-3")).to_have_text("to ganger")
    # the transcript's own characters, shown as characters; no script of theirs ran
    expect(page.locator('[data-seg="I1:3"]')).to_contain_text("<script>alert('x')</script>")

    # data-start counts code points: what phase 2 needs to turn a selection into offsets
    pieces = page.evaluate("""() => Array.from(document.querySelectorAll('.piece')).map(
        p => [Number(p.dataset.start), Array.from(p.textContent).length, p.textContent])""")
    project = open_project(study)
    try:
        stored = load_doc(project.conn, "I1").text
    finally:
        project.close()
    assert all(stored[start:start + length] == text for start, length, text in pieces)
    assert any(length < len(text.encode("utf-16-le")) // 2 for _, length, text in pieces)

    # the filter, swapped in by htmx: one code's units only, the address follows
    page.get_by_label("Code", exact=True).select_option("mestring")
    page.wait_for_url("**code=mestring**")
    expect(page.locator("[data-unit]")).to_have_count(1)
    expect(page.locator('[data-unit="U5"]')).to_have_text("Nå bruker jeg det hver dag")
    assert problems == []  # no CSP violation, no script error, no dialog


def _text_of(page: Page, selector: str) -> str:
    return str(page.evaluate(
        "s => Array.from(document.querySelectorAll(s)).map(e => e.textContent).join('')",
        selector))


def _stc(root: Path, *args: str) -> str:
    import sys

    done = subprocess.run([sys.executable, "-m", "stc", *args], cwd=root, text=True,
                          capture_output=True, check=True, env={"STC_AUTHOR": "tester",
                                                                "PATH": ""})
    return done.stdout


def test_the_stop_button_sends_its_csrf_token_through_htmx(page: Page, study: Path) -> None:
    """A write from the page as htmx makes it (header X-CSRF-Token, the browser's Origin) is
    accepted: the server stops, cleanly."""
    with workbench.serving(study) as (process, url):
        page.goto(url)
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Stop the workbench").click()
        expect(page.get_by_role("heading", name="The workbench has stopped")).to_be_visible()
        _, err = process.communicate(timeout=30)
        assert process.returncode == 0 and err == ""


# -- the sorting board -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def board_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return workbench.build_once(tmp_path_factory.mktemp("board"), step3=True)


@pytest.fixture
def board(board_template: Path, tmp_path: Path, watched: tuple[Page, list[str]]
          ) -> Iterator[tuple[Page, Path, list[str]]]:
    """The board of Støtte in a page, on a fresh copy of the project: the tests write."""
    page, problems = watched
    board_page = "/board?group=St%C3%B8tte"
    with workbench.signed_in_copy(board_template, tmp_path, page, board_page) as (root, _):
        yield page, root, problems


def _units(root: Path) -> dict[str, dict[str, Any]]:
    return {u["unit"]: u for u in json.loads(_stc(root, "units", "--json"))}


def _log(root: Path) -> list[dict[str, Any]]:
    return list(json.loads(_stc(root, "log", "--json")))


def _cards(page: Page, hook: str) -> Any:
    return page.locator(f"[{hook}] [data-unit]")


COLLEAGUES, COPING = '[data-subgroup="Støtte/Fra kolleger"]', '[data-subgroup="Støtte/Mestring"]'


def test_cards_move_by_drag_and_by_keys_one_command_each_and_undo_in_the_page(
        board: tuple[Page, Path, list[str]]) -> None:
    page, root, problems = board
    # drag a card into another subgroup
    page.locator('[data-unit="U4"]').drag_to(page.locator(COPING))
    expect(page.locator(f'{COPING} [data-unit="U4"]')).to_be_visible()
    # keys: pick two cards with Space, move both with the column's number
    page.locator('[data-unit="U4"]').focus()
    page.keyboard.press("Space")
    page.locator('[data-unit="U5"]').focus()
    page.keyboard.press("Space")
    expect(page.locator("#selection")).to_have_text("2 cards selected: U4, U5")
    page.keyboard.press("1")
    expect(page.locator(f"{COLLEAGUES} [data-unit]")).to_have_count(2)
    expect(page.locator('[data-unit="U5"]')).to_be_focused()  # the card keeps the focus
    units = _units(root)
    assert (units["U4"]["subgroup"], units["U5"]["subgroup"]) == ("Fra kolleger",) * 2
    last = _log(root)[-2:]
    assert last[0]["label"] == "workbench: sort U4 U5 --into 'Støtte/Fra kolleger'"
    assert last[1]["command"] == last[0]["seq"]  # one command for the whole move
    # Ctrl+Z undoes that command of this page, both cards at once
    page.keyboard.press("Control+z")
    expect(page.locator(f'{COPING} [data-unit="U4"]')).to_be_visible()
    expect(page.locator('[data-unsorted] [data-unit="U5"]')).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("Undone: \"workbench: sort U4 U5")
    assert _log(root)[-1]["label"] == "workbench: undo"
    # set aside by key: it asks the reason
    page.locator('[data-unit="U5"]').focus()
    page.keyboard.press("a")
    expect(page.locator("#aside-dialog")).to_be_visible()
    expect(page.locator("#aside-why")).to_be_focused()
    page.keyboard.type("handler om noe annet")
    page.keyboard.press("Enter")
    expect(page.locator('[data-aside] [data-unit="U5"]')).to_contain_text(
        "Set aside: handler om noe annet")
    assert _units(root)["U5"]["aside"] == "handler om noe annet"
    # and back, dragged to the units waiting
    page.locator('[data-unit="U5"]').drag_to(page.locator("[data-unsorted]"))
    expect(page.locator('[data-unsorted] [data-unit="U5"]')).to_be_visible()
    assert _units(root)["U5"]["aside"] is None
    # a change from a terminal appears without a reload
    _stc(root, "sort", "U5", "--into", "Støtte/Mestring")
    expect(page.locator(f'{COPING} [data-unit="U5"]')).to_be_visible(timeout=6000)
    assert problems == []


def test_a_drag_of_one_picked_card_moves_every_picked_card_in_one_command(
        board: tuple[Page, Path, list[str]]) -> None:
    page, root, problems = board
    for unit in ("U4", "U5"):
        page.locator(f'[data-unit="{unit}"]').focus()
        page.keyboard.press("Space")
    expect(page.locator("#selection")).to_have_text("2 cards selected: U4, U5")
    page.locator('[data-unit="U5"]').drag_to(page.locator(COPING))
    expect(page.locator(f"{COPING} [data-unit]")).to_have_count(2)
    units = _units(root)
    assert (units["U4"]["subgroup"], units["U5"]["subgroup"]) == ("Mestring",) * 2
    last = _log(root)[-2:]
    assert last[0]["label"] == "workbench: sort U4 U5 --into 'Støtte/Mestring'"
    assert last[1]["command"] == last[0]["seq"]  # one command for the whole drag
    assert problems == []


def test_a_condensate_is_kept_as_a_draft_through_a_reload_and_recorded(
        board: tuple[Page, Path, list[str]]) -> None:
    page, root, problems = board
    editor = page.locator("#condensate-text")
    editor.fill("Jeg fikk hjelp av en kollega, og nå klarer jeg meg.")
    expect(page.locator("#draft-status")).to_contain_text("It speaks in the first person")
    editor.fill("Hun fikk hjelp")
    expect(page.locator("#draft-status")).to_contain_text("Hint: a condensate speaks in the")
    editor.fill("Jeg fikk hjelp av en kollega, og nå klarer jeg meg selv.")
    expect(page.locator("#draft-status")).to_contain_text("It speaks in the first person")
    assert _log(root)[-1]["label"].startswith("stc condense")  # nothing recorded yet
    assert page.evaluate("localStorage.length") == 0
    page.reload()
    expect(page.locator("#condensate-text")).to_have_value(
        "Jeg fikk hjelp av en kollega, og nå klarer jeg meg selv.")
    expect(page.locator(".offered")).to_contain_text("not recorded yet")
    page.get_by_role("button", name="Record the condensate").click()
    expect(page.locator("#messages")).to_contain_text(
        "Condensate of Støtte/Fra kolleger recorded, resting on U4")
    assert _log(root)[-1]["label"] == "workbench: condense 'Støtte/Fra kolleger' -m …"
    expect(page.locator(".offered")).to_have_count(0)
    assert problems == []
    # typed, and the tab closed at once: what the editor held is kept as the page goes
    address = page.url
    page.locator("#condensate-text").fill("Jeg skrev dette rett før jeg lukket fanen.")
    page.close(run_before_unload=True)
    _wait_for_draft(root, "Jeg skrev dette rett før jeg lukket fanen.")
    again = page.context.new_page()
    again.goto(address)
    expect(again.locator("#condensate-text")).to_have_value(
        "Jeg skrev dette rett før jeg lukket fanen.")


def _wait_for_draft(root: Path, body: str, seconds: float = 10.0) -> None:
    """Until the project keeps `body` as a draft: a closing page's request may land late."""
    import time

    from stc import drafts

    deadline = time.monotonic() + seconds
    while True:
        project = open_project(root)
        try:
            found = drafts.newest(project.conn, "condensate:subgroup:1")
        finally:
            project.close()
        if found is not None and found.body == body:
            return
        assert time.monotonic() < deadline, f"no draft {body!r}, but {found}"
        time.sleep(0.05)


def test_a_condensate_changed_elsewhere_is_shown_beside_hers_not_written_over(
        board: tuple[Page, Path, list[str]]) -> None:
    page, root, problems = board
    page.locator("#condensate-text").fill("Jeg lærte alt av henne.")
    expect(page.locator("#draft-status")).to_contain_text("Draft kept at")
    _stc(root, "condense", "Støtte/Fra kolleger", "-m", "Jeg fikk hjelp i starten.")
    conflict = page.locator("#conflict .conflict")
    expect(conflict).to_be_visible(timeout=6000)  # within the page's 2-second poll
    expect(conflict.locator("blockquote")).to_have_text(["Jeg fikk hjelp i starten.",
                                                         "Jeg lærte alt av henne."])
    expect(page.locator("#condensate-text")).to_have_value("Jeg lærte alt av henne.")
    page.get_by_role("button", name="Record the condensate").click()  # on the old view
    expect(page.locator("#messages")).to_contain_text("[E726]")
    expect(page.locator("#condensate-text")).to_have_value("Jeg lærte alt av henne.")
    page.get_by_role("button", name="Record mine instead").click()
    expect(page.locator("#messages")).to_contain_text("Condensate of Støtte/Fra kolleger recorded")
    expect(page.locator("#conflict .conflict")).to_have_count(0)
    project = open_project(root)
    try:
        from stc.stages.board import condensate_editor

        assert condensate_editor(project.conn, "Støtte/Fra kolleger").recorded == \
            "Jeg lærte alt av henne."
    finally:
        project.close()
    assert [p for p in problems if "409" not in p] == []  # the refusal, as the page shows it


def _select(page: Page, selector: str, start: int, end: int) -> None:
    """Select characters start..end of the element's text (UTF-16, as the page counts, across
    its highlights) with the mouse."""
    points = page.evaluate("""([selector, start, end]) => {
        const root = document.querySelector(selector);
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        const nodes = []; let length = 0;
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            nodes.push([n, length]); length += n.data.length; }
        const at = (i) => {
            const [node, from] = nodes[nodes.findLastIndex(([, s]) => s <= i)];
            const r = document.createRange(); r.setStart(node, i - from);
            r.setEnd(node, i - from + 1); return r.getBoundingClientRect(); };
        const a = at(start), z = at(end - 1);
        return [a.left + 1, (a.top + a.bottom) / 2, z.right - 1, (z.top + z.bottom) / 2]; }""",
                           [selector, start, end])
    page.mouse.move(points[0], points[1])
    page.mouse.down()
    page.mouse.move(points[2], points[3], steps=5)
    page.mouse.up()


def _select_words(page: Page, seg: str, words: str) -> None:
    """Select `words` in the segment `seg` with the mouse."""
    selector = f'[data-seg="{seg}"]'
    text = page.locator(selector).text_content() or ""
    at = text.index(words)
    _select(page, selector, at, at + len(words.encode("utf-16-le")) // 2)


def test_a_quotation_with_a_cut_is_made_by_selecting_two_pieces(
        board: tuple[Page, Path, list[str]]) -> None:
    page, root, problems = board
    page.get_by_role("button", name="Quote from U4").click()  # its words become selectable
    expect(page.locator('[data-unit="U4"]')).to_have_class(re.compile(r"\bquoting\b"))
    expect(page.locator('[data-unit="U4"]')).not_to_have_attribute("draggable", "true")
    words = '[data-unit="U4"] .words'
    text = page.locator(words).text_content() or ""
    _select(page, words, 0, text.index(","))  # "Kollegaen min"
    expect(page.locator("#quote-text")).to_have_value("Kollegaen min …")
    at = text.index("viste")
    _select(page, words, at, at + len("viste meg"))  # a second piece: the words between cut
    expect(page.locator("#quote-text")).to_have_value("Kollegaen min … viste meg …")
    expect(page.locator("#quote-preview .printed")).to_have_text(
        "«Kollegaen min (…) viste meg (…)»")
    page.get_by_role("button", name="Record the quotation").click()
    expect(page.locator("#messages")).to_contain_text("U4: illustrative quotation recorded")
    expect(page.locator('[data-unit="U4"] .nugget')).to_contain_text(
        "Kollegaen min … viste meg …")
    assert _units(root)["U4"]["nugget"] is True
    assert _log(root)[-1]["label"] == "workbench: nugget U4 --quote …"
    assert problems == []


# -- the reading view: coding by selection, working on a unit ----------------------------------

SELECT_PHRASE = (Path(__file__).resolve().parents[1] / "benchmarks" / "select_phrase.js"
                 ).read_text(encoding="utf-8")


@pytest.fixture
def reading(board_template: Path, tmp_path: Path, watched: tuple[Page, list[str]]
            ) -> Iterator[tuple[Page, Path, list[str]]]:
    """The reading view of I1 in a page, on a fresh copy of the project: the tests write."""
    page, problems = watched
    with workbench.signed_in_copy(board_template, tmp_path, page, "/transcripts/I1") as (root, _):
        yield page, root, problems


def _code(page: Page, *names: str, close: bool = True) -> None:
    """Type each code into the open picker and press Enter; then close it."""
    field = page.locator("#picker-code")
    expect(field).to_be_focused()
    for name in names:
        page.keyboard.type(name)
        page.keyboard.press("Enter")
        expect(page.locator("#picker-status")).to_contain_text(name)
        expect(field).to_have_value("")
    if close:
        page.keyboard.press("Escape")
        expect(page.locator("#picker")).not_to_be_visible()


def test_a_selection_becomes_a_unit_with_exactly_its_text(
        reading: tuple[Page, Path, list[str]]) -> None:
    page, root, problems = reading
    # with the mouse, on a line written with decomposed letters, after an emoji
    _select_words(page, "I1:3", "på spøk")
    expect(page.locator("#picker-preview blockquote")).to_have_text("på spøk")
    expect(page.locator("#picker-preview .question")).to_contain_text(
        "Hvordan var den første uka med nettbrettet?")  # the question before it
    _code(page, "spøk", close=False)  # a new code
    page.keyboard.type("hum")  # one that exists, found as she types, with its group
    expect(page.locator("#picker-code-list [role=option]")).to_have_text(["humor no group"])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#picker-status")).to_contain_text("humor added")
    page.keyboard.press("Escape")
    made = _units(root)["U6"]
    assert (made["text"], made["codes"]) == ("på spøk", ["humor", "spøk"])
    expect(page.locator('mark[data-unit="U6"]')).to_have_text("på spøk")
    # a selection a script makes (a Range on the text, then the mouse let go), across an
    # emoji of four code points inside another unit's highlight
    page.evaluate(SELECT_PHRASE, ["I1:6", f"erfaren sykepleier {workbench.NURSE}"])
    _code(page, "sykepleier", close=False)
    assert _units(root)["U7"]["text"] == f"erfaren sykepleier {workbench.NURSE}"
    expect(page.locator('mark[data-unit="U7"]')).to_have_text(
        f"erfaren sykepleier {workbench.NURSE}")
    assert _log(root)[-1]["label"] is None  # the command's label is on its first change
    labels = [c["label"] for c in _log(root) if c["label"]]
    assert labels[-1] == "workbench: code I1 sykepleier --quote …"
    # the interviewer's words alone, selected with the picker still open (it takes the new
    # selection): refused with the library's message, unless on purpose
    page.evaluate(SELECT_PHRASE, ["I1:5", "Hva gjorde forskjellen?"])
    expect(page.locator("#picker-preview blockquote")).to_have_text("Hva gjorde forskjellen?")
    expect(page.locator("#picker-preview")).to_contain_text("only the interviewer speaks")
    page.keyboard.type("spørsmål")  # Enter all the same: refused, the name kept to try again
    page.keyboard.press("Enter")
    expect(page.locator("#picker-status .error")).to_contain_text("Refused")
    expect(page.locator("#picker-code")).to_have_value("spørsmål")
    assert problems == ["Failed to load resource: the server responded with a status of 400"
                        " (Bad Request)"]  # the refusal's answer, as the browser notes it
    problems.clear()
    page.get_by_label("Code the interviewer's words on purpose").check()
    expect(page.locator("#picker-preview .error")).to_have_count(0)
    expect(page.locator("#picker-code")).to_be_focused()  # the focus is back in the field
    page.keyboard.press("Enter")
    expect(page.locator("#picker-status .done")).to_contain_text("spørsmål")
    page.keyboard.press("Escape")
    assert _units(root)["U8"]["interviewer"] is True
    # the closing's own event comes a moment late, when a new selection has opened the picker
    # again (as when selections follow each other quickly): the picker keeps the selection and
    # the focus in its field
    page.evaluate(SELECT_PHRASE, ["I1:7", "hver dag"])
    page.evaluate("document.getElementById('picker').dispatchEvent(new Event('close'))")
    _code(page, "hverdag")
    assert _units(root)["U9"]["text"] == "hver dag"
    assert problems == []


# eight stretches of Kari's words, each with its own code: coded one right after another
IN_TURN = [("I1:2", "første uka", "start"), ("I1:2", "var kaotisk", "kaos"),
           ("I1:3", "glemte passordet", "glemsel"), ("I1:4", "etter en stund", "tid"),
           ("I1:4", "ble det bedre", "bedring"), ("I1:6", "Kollegaen min", "kollega"),
           ("I1:6", "viste meg alt", "opplæring"), ("I1:7", "mindre sliten", "slitenhet")]


def test_selections_coded_in_quick_succession_on_a_slow_machine(
        reading: tuple[Page, Path, list[str]]) -> None:
    """On a browser four times slower than this one, selections made as a script makes them
    (an external test, a quick hand), one right after another: after some the picker is
    closed and the next opens it again at once (the event of the closing may come after
    that), after others the next is made with the picker still open. Every name typed
    reaches its own selection."""
    page, root, problems = reading
    page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 4})
    for number, (seg, words, name) in enumerate(IN_TURN):
        page.evaluate(SELECT_PHRASE, [seg, words])
        _code(page, name, close=number % 2 == 1)
    made = [(u["text"], u["codes"]) for u in _units(root).values()][len(workbench.UNITS):]
    assert made == [(words, [name]) for _, words, name in IN_TURN]
    assert problems == []


def test_coding_by_keys_alone(reading: tuple[Page, Path, list[str]]) -> None:
    page, root, problems = reading
    for _ in range(30):  # Tab through the page into the transcript
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('article.transcript')"):
            break
    for _ in range(7):  # down to the seventh segment
        page.keyboard.press("ArrowDown")
    expect(page.locator('[data-seg="I1:7"]')).to_be_focused()
    page.keyboard.down("Shift")
    page.keyboard.press("Control+ArrowRight")
    page.keyboard.press("Control+ArrowRight")
    page.keyboard.up("Shift")  # letting go of Shift opens the picker
    expect(page.locator("#picker-preview blockquote")).to_have_text("Nå bruker")
    _code(page, "hverdag")
    assert _units(root)["U6"]["text"] == "Nå bruker"
    expect(page.locator('[data-seg="I1:7"]')).to_be_focused()  # back where she was
    assert problems == []


def test_a_unit_is_worked_on_in_its_panel(reading: tuple[Page, Path, list[str]]) -> None:
    page, root, problems = reading
    page.locator('mark[data-unit="U2"]').first.click()
    panel = page.locator("#unit-panel")
    expect(panel).to_contain_text("Jeg glemte passordet to ganger")
    expect(panel).to_contain_text("Made by tester")
    expect(page.locator("#unit-title")).to_be_focused()
    # a code added, then one taken off: each as the command line records it
    panel.get_by_label("Add a code").fill("glemsel")
    panel.get_by_label("Add a code").press("Enter")
    expect(panel.locator(".codes")).to_contain_text("glemsel")
    panel.get_by_role("button", name="Take the code passord off U2").click()
    expect(panel.locator(".codes li")).to_have_count(1)
    assert _units(root)["U2"]["codes"] == ["glemsel"]
    assert [c["label"] for c in _log(root) if c["label"]][-2:] == [
        "workbench: code I1 glemsel --quote …", "workbench: uncode U2 passord"]
    # the boundaries moved by selecting the new stretch
    panel.get_by_role("button", name="Move its boundaries").click()
    _select_words(page, "I1:3", "glemte passordet")
    expect(panel).to_contain_text("U2 moved")
    assert _units(root)["U2"]["text"] == "glemte passordet"
    expect(page.locator('mark[data-unit="U2"]')).to_have_text("glemte passordet")
    # deleted with a reason, and the deletion undone with Ctrl+Z
    panel.get_by_label("Delete U2, because").fill("kodet to ganger")
    panel.get_by_role("button", name="Delete U2").click()
    expect(page.locator('mark[data-unit="U2"]')).to_have_count(0)
    expect(panel).to_contain_text("U2 is no longer there")
    assert "U2" not in _units(root)
    page.locator("article.transcript").focus()
    page.keyboard.press("Control+z")
    expect(page.locator('mark[data-unit="U2"]')).to_have_text("glemte passordet")
    assert _log(root)[-1]["label"] == "workbench: undo" and "U2" in _units(root)
    # and redone with Ctrl+Shift+Z: deleted again
    page.locator("article.transcript").focus()
    page.keyboard.press("Control+Shift+z")
    expect(page.locator('mark[data-unit="U2"]')).to_have_count(0)
    assert _log(root)[-1]["label"] == "workbench: redo" and "U2" not in _units(root)
    assert problems == []


def test_two_coders_highlights_each_with_a_toggle(reading: tuple[Page, Path, list[str]]
                                                 ) -> None:
    page, root, problems = reading
    # a unit from another coder, made in a terminal, appears without a reload
    _stc(root, "code", "I1:6", "kollega", "--quote", "Kollegaen min", "--author", "Anna")
    expect(page.locator(".piece.by-1.by-2")).to_have_text("Kollegaen min", timeout=6000)
    shades = page.evaluate("""() => ['.piece.by-1:not(.by-2)', '.piece.by-2.by-1']
        .map(s => getComputedStyle(document.querySelector(s)).backgroundImage
                  + getComputedStyle(document.querySelector(s)).backgroundColor)""")
    assert shades[0] != shades[1]
    page.get_by_label("tester").uncheck()  # only Anna's units now
    expect(page.locator("article mark[data-unit]")).to_have_count(1)
    expect(page.locator('mark[data-unit="U6"]')).to_have_text("Kollegaen min")
    page.get_by_label("tester").check()
    page.get_by_label("Anna").uncheck()
    expect(page.locator('mark[data-unit="U6"]')).to_have_count(0)
    expect(page.locator("article mark[data-unit]")).not_to_have_count(0)
    assert problems == []


# -- accessibility -----------------------------------------------------------------------------

@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core from the npm registry, kept in a cache folder outside the repository."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "stc-tests"
    script = cache / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed, so axe-core cannot be fetched for the"
                        " accessibility check")
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--prefix", str(cache), "--no-save", "--no-audit",
                        "--no-fund", "--loglevel=error", f"axe-core@{AXE_VERSION}"],
                       check=True, capture_output=True, timeout=300)
    return script.read_text(encoding="utf-8")


def test_no_serious_accessibility_violation(page: Page, link: str, axe_source: str) -> None:
    page.goto(link)
    for path in ("/", "/transcripts/I1", "/transcripts/I1?group=St%C3%B8tte",
                 "/board?group=St%C3%B8tte&unit=U4", "/board", "/codes",
                 "/transcripts/I1?unit=U2"):
        page.goto(link.split("?")[0].rstrip("/") + path)
        _axe(page, axe_source, path)
    # the code picker open, with a selection's preview in it
    page.goto(link.split("?")[0] + "transcripts/I1")
    page.evaluate(SELECT_PHRASE, ["I1:6", "Kollegaen min"])
    expect(page.locator("#picker-preview blockquote")).to_be_visible()
    _axe(page, axe_source, "the code picker")
    page.keyboard.press("Escape")
    # a unit's panel open from its highlight
    page.locator('mark[data-unit="U4"]').click()
    expect(page.locator("#unit-panel")).to_contain_text("Made by")
    _axe(page, axe_source, "a unit's panel")


def _axe(page: Page, axe_source: str, where: str) -> None:
    page.evaluate(axe_source)  # devtools evaluation: the page's CSP does not apply
    result: dict[str, Any] = page.evaluate("() => axe.run(document)")
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], where
    assert result["passes"], where  # axe did run its checks


# -- screenshots for the README ----------------------------------------------------------------

def test_screenshots(page: Page, request: pytest.FixtureRequest,
                     tmp_path_factory: pytest.TempPathFactory) -> None:
    out = workbench.screenshot_folder(request)
    root = _sample_study(tmp_path_factory.mktemp("shots"))
    with workbench.serving(root) as (process, url):
        page.set_viewport_size({"width": 1280, "height": 500})
        page.goto(url)
        page.screenshot(path=str(out / "workbench-transcripts.png"))
        page.set_viewport_size({"width": 1280, "height": 820})
        page.goto(url.split("?")[0] + "transcripts/I1")
        deepest = page.locator(".piece.depth-3").first  # the question before, then the answer
        deepest.evaluate("e => e.closest('.turn').previousElementSibling.scrollIntoView()")
        page.screenshot(path=str(out / "workbench-reading.png"))
        # the code picker: a stretch selected with the mouse, coded, a second code typed
        _select_words(page, "I1:111", "én gang var det strømbrudd i [bydel] en hel natt")
        expect(page.locator("#picker-preview .question")).to_be_visible()
        page.keyboard.type("strømbrudd")
        page.keyboard.press("Enter")
        expect(page.locator("#picker-status .done")).to_be_visible()
        page.keyboard.type("svikt")  # the codes that match, with their groups
        expect(page.locator("#picker-code-list [role=option]").first).to_be_visible()
        page.keyboard.press("ArrowDown")
        page.screenshot(path=str(out / "workbench-picker.png"))
        page.keyboard.press("Escape")  # the list of codes closes
        page.keyboard.press("Escape")  # and the picker
        expect(page.locator("#picker")).not_to_be_visible()
        # a unit's panel, opened from its highlight
        deepest.locator("mark mark").first.click()
        expect(page.locator("#unit-panel")).to_contain_text("Made by")
        page.mouse.move(0, 0)  # no hover on the page
        page.screenshot(path=str(out / "workbench-unit.png"))
        # the board of a group half sorted: new units waiting, one picked, a condensate being
        # rewritten beside its units, a quotation cut from a card
        page.set_viewport_size({"width": 1440, "height": 1000})
        page.goto(url.split("?")[0] + "board?group=Trygghet%20for%20hvem"
                  "&edit=Trygghet%20for%20hvem/F%C3%A6rre%20feil%20og%20nye%20risikoer")
        waiting = page.locator("[data-unsorted] [data-unit]").first
        waiting.focus()
        page.keyboard.press("Space")
        editor = page.locator("#condensate-text")
        editor.press("Control+End")
        editor.type(" Men jeg vet ikke alltid hva som er feil.")
        expect(page.locator("#draft-status")).to_contain_text("It speaks in the first person")
        quoted = page.locator("[data-unsorted] .card").nth(2).get_attribute("data-unit")
        page.get_by_role("button", name=f"Quote from {quoted}").click()
        expect(page.locator(f'[data-unit="{quoted}"].quoting')).to_be_visible()
        words = f'[data-unit="{quoted}"] .words'
        text = page.locator(words).text_content() or ""
        for piece, quote in SHOT_PIECES:
            at = text.index(piece)
            _select(page, words, at, at + len(piece))
            expect(page.locator("#quote-text")).to_have_value(quote)
        expect(page.locator("#quote-preview .printed")).to_be_visible()
        editor.evaluate("e => { e.scrollTop = e.scrollHeight; }")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(out / "workbench-board.png"))
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)


SHOT_PIECES = (("avhengige vi har blitt", "avhengige vi har blitt …"),
               ("ingen plan B", "avhengige vi har blitt … ingen plan B"))


def _sample_study(folder: Path) -> Path:
    """The sample corpus analysed from its matrices up to step 3 (with the revisions in
    between), and three overlapping units added to a group, not yet sorted."""
    corpus = CORPORA / "nb-hjemmetjeneste"
    analysis = corpus / "analysis"
    root = folder / "studie"
    _stc(folder, "init", str(root), "--language", "nb", "--title",
         "Sykepleieres erfaringer med velferdsteknologi i hjemmetjenesten")
    people = dict(line.split(",")[:2] for line in
                  (corpus / "deltakere.csv").read_text(encoding="utf-8").splitlines()[1:])
    for doc, pseudonym in sorted(people.items()):
        source = next(corpus.glob(f"{doc}.*"))
        _stc(root, "import", str(source), "--participant", pseudonym, "--speakers",
             "I=interviewer")
    _stc(root, "matrix", "import", str(analysis / "koding.csv"), "--why", "koding")
    for line in (analysis / "revisjoner.txt").read_text(encoding="utf-8").splitlines():
        if line.strip():
            _stc(root, *shlex.split(line))
    _stc(root, "matrix", "import", str(analysis / "kondensering.csv"), "--why", "kondensering")
    for quote, code in (
            ("Men det viste jo liksom hvor avhengige vi har blitt av at det virker.",
             "avhengighet av teknologi"),
            ("Det finnes ingen plan B, egentlig, annet enn at vi løper fortere.",
             "ingen reserveplan"),
            ("avhengige vi har blitt av at det virker. Det finnes ingen plan B", "sårbarhet")):
        _stc(root, "code", "I1", code, "--quote", quote, "--group", "Trygghet for hvem")
    return root
