"""Steps 1 and 4, the validation, the comments, what changed since, the report and the trail in a
real browser: Debian's Chromium, driven by pytest-playwright, against `stc serve` running as its
own process. Few tests, on what only a browser shows (keys, drags, selections, frames, zoom);
the breadth is in test_web_desk.py.

`pytest -m browser --workbench-screenshots docs/img` also writes the README's screenshots.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from tests import workbench
from tests.conftest import CHROMIUM
from tests.test_web_browser import _sample_study, _select, _stc, axe_source, watched
from tests.workbench import COLLEAGUES, SUPPORT

__all__ = ["axe_source", "watched"]  # fixtures shared with the reading view's and board's tests

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"Debian's Chromium is not installed at {CHROMIUM}"
                              " (apt-get install chromium); .ci/run installs it"),
]

PAGES = ("/step1", "/step4", "/step4?section=St%C3%B8tte/Fra%20kolleger", "/recontext",
         "/comments", "/since?since=10", "/report", "/trail", "/search?q=alarm",
         "/step4?as_of=20")
# the pages of reading and sorting, with their panels open: a unit's, the code picker, the
# condensate's and the quotation's editors
WORK_PAGES = ("/", "/transcripts/I1?unit=U4", "/codes",
              "/board?group=St%C3%B8tte&edit=St%C3%B8tte/Fra%20kolleger&unit=U4",
              "/board?group=%C3%85%20ta%20i%20bruk")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = workbench.build_once(tmp_path_factory.mktemp("desk-browser"), step3=True)
    _stc(root, "nugget", "U4", "--quote", "viste meg alt")  # a quotation to place in step 4
    return root


@pytest.fixture
def desk(template: Path, tmp_path: Path, watched: tuple[Page, list[str]]
         ) -> Iterator[tuple[Page, Path, str, list[str]]]:
    """A page signed in to the workbench on a fresh copy of the project, and its address."""
    page, problems = watched
    with workbench.signed_in_copy(template, tmp_path, page) as (root, base):
        yield page, root, base, problems


def _log(root: Path) -> list[dict[str, Any]]:
    return list(json.loads(_stc(root, "log", "--json")))


def _comments(root: Path) -> list[dict[str, Any]]:
    return list(json.loads(_stc(root, "comments", "--json")))


def test_step1_memos_themes_and_frequent_words_leading_into_the_transcripts(
        desk: tuple[Page, Path, str, list[str]]) -> None:
    page, root, base, problems = desk
    page.goto(base + "/step1")
    expect(page.locator("#preunderstanding .warn")).to_contain_text("Coding began in change #")
    page.get_by_label("What do you expect to find").fill("Jeg tror nettbrettet sparer tid.")
    page.get_by_role("button", name="Record the pre-understanding").click()
    expect(page.locator("#preunderstanding .memo-body")).to_have_text(
        "Jeg tror nettbrettet sparer tid.")
    assert _log(root)[-1]["label"] == "workbench: memo add --kind preunderstanding -m …"
    page.get_by_label("A new preliminary theme").fill("Tid")
    page.keyboard.press("Enter")
    expect(page.locator("#themes")).to_contain_text("1 theme; Malterud suggests 4 to 8")
    # the frequent words come after the page; one leads to where it is said, and on into the
    # reading view at that segment
    page.locator("#terms").get_by_role("link", name="alarmene").first.click()
    expect(page.locator("#hits")).to_contain_text("2 places where a form of “alarmene” is said")
    page.get_by_role("link", name="I2:2").click()
    page.wait_for_url("**/transcripts/I2#s2")
    expect(page.locator('[data-seg="I2:2"]')).to_contain_text("Alarmene går hele tida.")
    assert problems == []


def test_step4_order_by_keys_and_drag_a_quotation_placed_a_draft_kept_and_the_chapter_beside(
        desk: tuple[Page, Path, str, list[str]]) -> None:
    page, root, base, problems = desk
    page.goto(base + "/step4?section=" + COLLEAGUES)
    categories = page.locator('ol[data-order="group"] > li')
    expect(categories).to_have_count(2)
    # keys: the first category down one place, the focus stays on it
    page.locator("#section-group-1").focus()
    page.keyboard.press("Alt+ArrowDown")
    expect(categories.first).to_have_attribute("data-name", SUPPORT)
    expect(page.locator("#section-group-1")).to_be_focused()
    assert _log(root)[-1]["label"] == "workbench: order groups 'Støtte' 'Å ta i bruk'"
    # a drag: the second subcategory above the first
    page.locator("#section-subgroup-2").drag_to(page.locator("#section-subgroup-1"),
                                                target_position={"x": 20, "y": 4})
    subcategories = page.locator('ol[data-order="subgroup"] > li')
    expect(subcategories.first).to_have_attribute("data-name", "Mestring")
    assert _log(root)[-1]["label"] == \
        "workbench: order subgroups --group 'Støtte' Mestring 'Fra kolleger'"
    # typed, a quotation placed at the cursor: kept as a draft as she goes
    text = page.locator("#analytic-text")
    text.fill("Én informant forteller at en kollega lærte henne opp:")
    page.get_by_role("button", name="Place U4 at the cursor").click()
    expect(text).to_have_value("Én informant forteller at en kollega lærte henne opp:\n\n[U4]")
    expect(page.locator("#text-draft-status")).to_contain_text("Draft kept at")
    page.reload()
    expect(page.locator("#analytic-text")).to_have_value(
        "Én informant forteller at en kollega lærte henne opp:\n\n[U4]")
    expect(page.locator("#text-body .offered")).to_contain_text("not recorded yet")
    assert _log(root)[-1]["label"].startswith("workbench: order subgroups")  # nothing recorded
    page.get_by_label("Heading in the report").fill("Hjelp fra en kollega")
    page.get_by_role("button", name="Record the analytic text").click()
    expect(page.locator("#messages")).to_contain_text(
        "Analytic text of Støtte/Fra kolleger recorded")
    text_set, heading_set = _log(root)[-2:]  # one command: the text, then the heading
    assert text_set["label"] == "workbench: describe 'Støtte/Fra kolleger' -m … --heading …"
    assert heading_set["command"] == text_set["seq"]
    # the results chapter beside it, rendered anew: the heading, the text, the quotation placed
    chapter = page.frame_locator("#preview iframe")
    expect(chapter.locator("#subgroup-1")).to_have_text("3.1.2 Hjelp fra en kollega")
    expect(chapter.locator("blockquote")).to_contain_text("«viste meg alt»")
    expect(page.locator("#material .placeable")).to_contain_text("placed in the text")
    assert page.evaluate("localStorage.length") == 0
    assert problems == []


def test_a_category_validated_against_the_transcripts_with_comments_on_a_place_and_a_unit(
        desk: tuple[Page, Path, str, list[str]]) -> None:
    page, root, base, problems = desk
    page.goto(base + "/recontext?group=" + SUPPORT)
    expect(page.locator('[data-doc="I1"] .k-in[data-unit="U4"]')).to_be_visible()
    expect(page.locator('[data-seg="I2:2"] .k-uncoded')).to_have_text(
        "Alarmene går hele tida.")
    # a place selected in a transcript: a comment on it
    page.locator('[data-seg="I2:2"]').scroll_into_view_if_needed()
    _select(page, '[data-seg="I2:2"] .k-uncoded', 0, len("Alarmene går hele tida."))
    place = page.locator("#comment-place")
    expect(place).to_have_text("Comment on I2:2")
    place.click()
    expect(page.locator("#comment-body")).to_be_focused()
    page.keyboard.type("Motsier dette at kollegaene hjelper?")
    page.get_by_role("button", name="Add the comment").click()
    expect(page.locator("#messages")).to_contain_text("C1 added on I2:2")
    # and on a unit, from its note in the margin
    page.get_by_role("button", name="Comment on U4").click()
    expect(page.locator("#comment-on")).to_have_value("U4")
    page.keyboard.type("Godt eksempel.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#section-comments")).to_contain_text("Godt eksempel.")
    assert [(c["ref"], c["open"]) for c in _comments(root)] == [("I2:2", True), ("U4", True)]
    assert _log(root)[-1]["label"] == "workbench: comment add U4 -m …"
    # the validation, dated by the trail
    page.get_by_label("What you read again").fill("Leste I1 og I2; I2:2 står mot, se C1.")
    page.get_by_role("button", name="Record: validated against the transcripts").click()
    expect(page.locator("#validation")).to_contain_text("Validated in change #")
    checks = {c["id"]: c for c in json.loads(_stc_ok(root, "check", "--json"))}
    assert not any("Støtte" in f for f in checks["validated"]["failures"])
    # resolved on the list of comments
    page.goto(base + "/comments")
    comment = page.locator('[data-comment="C1"]')
    comment.locator("summary").click()
    comment.get_by_label("How it was resolved").fill("Drøftet i veiledning.")
    comment.get_by_role("button", name="Mark C1 resolved").click()
    expect(page.locator("#messages")).to_contain_text("C1 resolved")
    assert [(c["comment"], c["open"]) for c in _comments(root)] == [("C1", False), ("C2", True)]
    assert problems == []


def _stc_ok(root: Path, *args: str) -> str:
    """`stc ARGS`, whatever its exit code (stc check fails while any check fails)."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "stc", *args], cwd=root, text=True,
                          capture_output=True, env={"STC_AUTHOR": "tester", "PATH": ""}).stdout


def test_since_our_meeting_the_trail_and_a_read_only_earlier_state(
        desk: tuple[Page, Path, str, list[str]]) -> None:
    page, root, base, problems = desk
    meeting = _log(root)[-1]["seq"]
    _stc(root, "condense", COLLEAGUES, "-m", "Jeg fikk mye hjelp av en erfaren kollega.",
         "--why", "nærmere ordene")
    page.goto(base + "/since")
    page.get_by_label("Since").fill(str(meeting))
    page.get_by_role("button", name="Show the changes").click()
    changes = page.locator("#since-changes")
    expect(changes).to_contain_text(f"Since change #{meeting}: 1 change to 1 object.")
    expect(changes.locator("ins")).to_have_text(["mye", "kollega."])
    expect(changes.locator("del")).to_have_text(["kollega, og nå bruker jeg det hver dag."])
    expect(changes).to_contain_text("Why: nærmere ordene")
    # the trail: the change before, as a read-only page
    page.goto(base + "/trail")
    page.get_by_role("link", name=f"#{meeting}", exact=True).click()
    expect(page.locator(".as-of")).to_contain_text(f"after change #{meeting}")
    expect(page.locator("main textarea")).to_have_count(0)
    expect(page.locator("main [hx-post]")).to_have_count(0)
    expect(page.locator("#undo-button")).to_have_count(0)
    before = _log(root)
    page.keyboard.press("Control+z")
    page.wait_for_timeout(300)
    assert _log(root) == before
    assert problems == []


def test_the_report_written_from_the_page_and_the_audit_opened_from_it(
        desk: tuple[Page, Path, str, list[str]]) -> None:
    page, root, base, problems = desk
    page.goto(base + "/report")
    expect(page.frame_locator("#preview-full iframe").locator("h1")).to_have_text(
        "3 Resultater")
    page.get_by_role("button", name="Write every report").click()
    expect(page.locator("#written")).to_contain_text(str(root / "reports" / "audit.html"))
    assert (root / "reports" / "results.docx").is_file()
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Open the audit report").click()
    audit = opened.value
    expect(audit.locator("h1")).to_contain_text("Revisjonsspor")
    assert problems == []


def test_every_page_at_200_percent_zoom_without_serious_accessibility_violations(
        page: Page, template: Path, axe_source: str) -> None:
    with workbench.serving(template, interface="nb") as (process, url):
        page.goto(url)
        base = url.split("?")[0].rstrip("/")
        page.set_viewport_size({"width": 640, "height": 450})  # 1280 × 900 at 200 %
        for path in (*WORK_PAGES, *PAGES):
            page.goto(base + path)
            expect(page.locator("html")).to_have_attribute("lang", "nb")
            if path.startswith("/transcripts/"):  # the code picker, open beside the panel
                page.evaluate("document.getElementById('picker').show()")
                expect(page.locator("#picker h2")).to_have_text("Kod markeringen")
            wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert wide <= 1, (path, wide)  # no sideways scrolling
            page.evaluate(axe_source)
            result: dict[str, Any] = page.evaluate("() => axe.run(document)")
            serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                       for v in result["violations"] if v["impact"] in ("serious", "critical")]
            assert serious == [], path
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)


# -- screenshots for the README ----------------------------------------------------------------

def test_screenshots_of_steps_1_and_4_the_validation_and_since(
        page: Page, request: pytest.FixtureRequest,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    out = workbench.screenshot_folder(request)
    root = _sample_study(tmp_path_factory.mktemp("desk-shots"))
    _supervised(root)
    with workbench.serving(root) as (process, url):
        base = url.split("?")[0].rstrip("/")
        page.goto(url)
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(base + "/step1")
        expect(page.locator("#terms .terms").first).to_be_visible(timeout=30000)
        page.screenshot(path=str(out / "workbench-step1.png"))
        page.set_viewport_size({"width": 1600, "height": 1000})
        page.goto(base + "/step4?section=" + quote(SHOT_SECTION))
        page.locator("#analytic-text").press("Control+End")
        expect(page.frame_locator("#preview iframe").locator("h1")).to_be_visible()
        page.screenshot(path=str(out / "workbench-step4.png"))
        page.set_viewport_size({"width": 1440, "height": 1000})
        page.goto(base + "/recontext?group=" + quote(SHOT_SECTION.split("/")[0]))
        page.locator('[data-note]').first.scroll_into_view_if_needed()
        page.screenshot(path=str(out / "workbench-validation.png"))
        page.goto(base + f"/since?since={_meeting(root)}")
        page.screenshot(path=str(out / "workbench-since.png"))
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)


SHOT_SECTION = "Nærhet og relasjon/Det man ser i døra"


def _meeting(root: Path) -> int:
    return int((root / "meeting.txt").read_text(encoding="utf-8"))


def _supervised(root: Path) -> None:
    """The sample study with a step 1 written, a supervision meeting noted, and changes and
    comments after it."""
    _stc(root, "memo", "add", "--kind", "preunderstanding", "-m",
         "Jeg har selv jobbet i hjemmetjenesten og venter at teknologien sparer tid, men at"
         " sykepleierne opplever den som kontroll.")
    _stc(root, "memo", "add", "--on", "I1", "-m",
         "Kari snakker mest om tid: kjøringen som forsvant, og oppgavene som kom i stedet.")
    _stc(root, "memo", "add", "--on", "I2", "-m",
         "Torunn er opptatt av brukerne som ikke får besøk lenger; mye om ensomhet.")
    (root / "meeting.txt").write_text(str(_log(root)[-1]["seq"]), encoding="utf-8")
    _stc(root, "condense", SHOT_SECTION, "-m",
         "Når jeg står i døra ser jeg hvordan de har det: om det er ryddig, om de har spist."
         " Det ser jeg ikke på skjermen.", "--why", "nærmere ordene")
    _stc(root, "comment", "add", f"text:{SHOT_SECTION}", "-m",
         "Hvor mange sier dette? Skriv det i ord.")
    _stc(root, "comment", "add", "I3:14-15", "-m", "Motsier dette kategorien?")
