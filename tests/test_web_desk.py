"""Steps 1 and 4, the validation, the comments, what changed since, the report and the trail in
the workbench, over HTTP (Starlette's TestClient): every new write refused from another origin,
without its token or from a view of an earlier state, the project unchanged; each write one
command with its label; what each page shows."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from stc.web import recontext, report, step1, step4, supervision
from stc.web.app import create_app
from stc.web.security import REPORT_POLICY
from tests import workbench
from tests.conftest import Run
from tests.samples import snapshot
from tests.test_web_board import trail
from tests.workbench import (
    COLLEAGUES,
    CONDENSATE,
    COPING,
    PORT,
    SUPPORT,
    TOKEN,
    Tab,
    app,
    hidden,
    message,
    open_tab,
    study,
)

__all__ = ["app", "study"]  # fixtures shared with the other workbench tests (tests.workbench)

START = "Å ta i bruk"
NEW_WRITES = sorted({**step1.WRITES, **step4.WRITES, **recontext.WRITES, **supervision.WRITES,
                     **report.WRITES})


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return workbench.build_once(tmp_path_factory.mktemp("desk"), step3=True)




def page(app: Any, path: str, **params: str) -> Tab:
    opened = open_tab(app, "tab-desk0001", path)
    if params:
        assert opened.get(path, **params).status_code == 200
    return opened


def text_of(html: str, ident: str) -> str:
    """The words of the element with id `ident` (up to the end of its tag's first close)."""
    found = re.search(rf'id="{ident}"[^>]*>(.*?)</(?:section|div|nav|article)>', html, re.S)
    assert found, ident
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()


# -- every new write: Origin, CSRF, and a view of an earlier state -------------------------------

FIELDS = {"kind": "preunderstanding", "text": "Jeg venter meg tidspress.", "name": "Tid",
          "theme": "Tid", "new": "Tiden", "why": "fordi", "section": COLLEAGUES,
          "heading": "Hjelp", "group": SUPPORT, "ref": "U4", "comment": "C1", "which": "results"}


@pytest.mark.parametrize("path", NEW_WRITES)
def test_every_new_write_is_refused_from_another_origin_without_the_token_or_as_of(
        run: Run, study: Path, app: Any, path: str) -> None:
    tab = page(app, "/step1")
    before = snapshot(run, study)
    refused = tab.post(path, FIELDS, origin="http://evil.example")
    assert refused.status_code == 403 and "[E712]" in refused.text
    refused = tab.post(path, FIELDS, **{"x-csrf-token": "forged"})
    assert refused.status_code == 403 and "[E713]" in refused.text
    refused = tab.post(path, {**FIELDS, "as_of": "5"})
    assert refused.status_code == 400 and "[E740]" in message(refused.text)
    assert snapshot(run, study) == before
    assert not list((study / "reports").iterdir())


def test_a_page_of_an_earlier_state_offers_no_change_at_all(app: Any) -> None:
    for path in ("/step1", "/step4", "/recontext", "/comments", "/report"):
        shown = page(app, path, as_of="19").page
        assert "The project as it was after change #19" in shown, path
        main = shown[shown.index("<main"):]
        assert "hx-post" not in main and "<textarea" not in main, path
        assert 'id="undo-button"' not in shown, path
    # the board's groups at change #19: Støtte's subgroups, before U4 was sorted
    assert "Fra kolleger" in page(app, "/step4", as_of="19").page
    assert f"The project as it was after change #{19}" in page(app, "/step4", as_of="19").page


# -- step 1 ------------------------------------------------------------------------------------

def test_step1_records_the_pre_understanding_impressions_and_themes(run: Run, app: Any) -> None:
    tab = page(app, "/step1")
    assert "Coding began in change #" in text_of(tab.page, "preunderstanding")
    done = tab.post("/step1/memo", {"kind": "preunderstanding",
                                    "text": "Jeg tror nettbrettet sparer tid."})
    assert message(done.text).startswith("M1 written: the pre-understanding")
    assert "Jeg tror nettbrettet sparer tid." in text_of(done.text, "preunderstanding")
    assert trail(run)[-1]["label"] == "workbench: memo add --kind preunderstanding -m …"
    done = tab.post("/step1/memo", {"kind": "impression", "on": "I2", "text": "Kort og travelt."})
    assert "Kort og travelt." in text_of(done.text, "impression-I2")
    assert trail(run)[-1]["label"] == "workbench: memo add --kind impression --on I2 -m …"
    assert "[E723]" in message(tab.post("/step1/memo", {"kind": "note", "text": " "}).text)
    # themes, with Malterud's 4 to 8
    for name in ("Tid", "Støtte", "Mestring"):
        done = tab.post("/step1/theme/add", {"name": name})
    assert "3 themes; Malterud suggests 4 to 8" in text_of(done.text, "themes")
    assert trail(run)[-1]["label"] == "workbench: theme add Mestring"
    done = tab.post("/step1/theme/add", {"name": "Opplæring"})
    assert "4 themes: within Malterud's 4 to 8" in text_of(done.text, "themes")
    assert "[E720]" in message(tab.post("/step1/theme/rename", {"theme": "Tid",
                                                                 "new": "Tiden"}).text)
    done = tab.post("/step1/theme/rename", {"theme": "Tid", "new": "Tiden", "why": "presist"})
    assert message(done.text) == "Theme Tid renamed Tiden."
    assert trail(run)[-1]["label"] == "workbench: theme rename Tid Tiden --why …"
    # its history, in the trail panel, under both names
    panel = tab.get("/step1", on="theme:Tiden").text
    assert "theme &#39;Tid&#39; renamed &#39;Tiden&#39;" in panel and "Why: presist" in panel
    done = tab.post("/step1/theme/drop", {"theme": "Opplæring", "why": "for tidlig"})
    assert "Opplæring" not in text_of(done.text, "themes")
    assert [t["name"] for t in json.loads(run("themes", "--json").stdout)["themes"]] == [
        "Tiden", "Støtte", "Mestring"]


def test_frequent_words_lead_to_where_they_are_said(app: Any) -> None:
    tab = page(app, "/step1")
    terms = tab.client.get("/step1/terms").text
    assert '<a href="/search?q=alarmene"' in terms and '&amp;doc=I2"' in terms
    found = tab.get("/search", q="alarm").text
    assert "2 places where a form of “alarm” is said." in found
    assert '<a href="/transcripts/I2#s2">I2:2</a>' in found
    exact = tab.get("/search", q="alarm", exact="1").text
    assert "0 places where the form “alarm” is said." in exact


# -- step 4 ------------------------------------------------------------------------------------

def test_step4_outlines_the_categories_and_records_an_analytic_text_from_its_draft(
        run: Run, app: Any) -> None:
    tab = page(app, "/step4", section=COLLEAGUES)
    outline = text_of(tab.page, "outline")
    assert outline.index(START) < outline.index(SUPPORT) < outline.index("Fra kolleger")
    assert "1 unit, 1 of 2 participants: en av informantene" in outline
    assert CONDENSATE in text_of(tab.page, "material")
    state = dict(hidden(tab.page, "text-state"))
    assert state["section"] == COLLEAGUES and state["loaded"] == ""
    # typed: kept as a draft, offered back to another tab, not recorded
    kept = tab.post("/step4/text/draft", {**state, "text": "En informant forteller om hjelp.",
                                          "heading": "Hjelp fra kolleger"})
    assert kept.status_code == 200 and "Draft kept at" in kept.text
    again = open_tab(app, "tab-another1", "/step4")
    again.get("/step4", section=COLLEAGUES)
    assert "En informant forteller om hjelp." in again.page and "is not recorded yet" in again.page
    assert trail(run)[-1]["label"].startswith("stc condense")
    # recorded: one command, its label, and the report beside it shows it
    done = tab.post("/step4/text", {**state, "text": "En informant forteller om hjelp.",
                                    "heading": "Hjelp fra kolleger"})
    assert message(done.text) == "Analytic text of Støtte/Fra kolleger recorded."
    last = trail(run)[-2:]
    assert last[0]["label"] == "workbench: describe 'Støtte/Fra kolleger' -m … --heading …"
    assert last[1]["command"] == last[0]["seq"]
    assert "Hjelp fra kolleger" in text_of(done.text, "outline")
    preview = tab.client.get("/report/view/results").text
    assert '<h3 id="subgroup-1">3.2.1 Hjelp fra kolleger</h3>' in preview
    assert "<p>En informant forteller om hjelp.</p>" in preview


def test_an_analytic_text_rewritten_elsewhere_is_shown_beside_hers_never_written_over(
        run: Run, study: Path, app: Any) -> None:
    tab = page(app, "/step4", section=COLLEAGUES)
    state = dict(hidden(tab.page, "text-state"))
    tab.post("/step4/text/draft", {**state, "text": "Min tekst.", "heading": ""})
    run("describe", COLLEAGUES, "-m", "Terminalens tekst.")
    shown = tab.get("/step4", section=COLLEAGUES, base=state["base"], loaded=state["loaded"]).text
    assert "Rewritten elsewhere" in text_of(shown, "text-conflict")
    assert "Terminalens tekst." in text_of(shown, "text-conflict")
    before = snapshot(run, study)
    refused = tab.post("/step4/text", {**state, "text": "Min tekst.", "heading": ""})
    assert refused.status_code == 409 and "[E726]" in message(refused.text)
    assert snapshot(run, study) == before
    digest = re.search(r'"record_over": "([0-9a-f]+)"', shown)
    assert digest is not None
    done = tab.post("/step4/text", {**state, "text": "Min tekst.", "heading": "",
                                    "record_over": digest.group(1)})
    assert done.status_code == 200
    assert "<p>Min tekst.</p>" in tab.client.get("/report/view/results").text


def test_a_heading_with_quotes_keeps_the_conflict_buttons_working(run: Run, app: Any) -> None:
    heading = 'Å "stå i det" \\ sammen</p>\''
    run("describe", COLLEAGUES, "-m", "Først.", "--heading", heading)
    tab = page(app, "/step4", section=COLLEAGUES)
    state = dict(hidden(tab.page, "text-state"))
    tab.post("/step4/text/draft", {**state, "text": "Min tekst.", "heading": heading})
    run("describe", COLLEAGUES, "-m", "Terminalens tekst.")
    shown = tab.get("/step4", section=COLLEAGUES, base=state["base"], loaded=state["loaded"]).text
    values = [json.loads(html.unescape(v)) for v in re.findall(r"hx-vals='([^']*)'", shown)]
    assert {"heading_over": heading}.items() <= next(
        v for v in values if "heading_over" in v).items()


def test_categories_and_subcategories_are_put_in_order(run: Run, app: Any) -> None:
    tab = page(app, "/step4")
    done = tab.post("/step4/order", [("kind", "group"), ("names", SUPPORT), ("names", START)])
    assert message(done.text) == f"Categories in order: {SUPPORT}, {START}."
    assert trail(run)[-1]["label"] == "workbench: order groups 'Støtte' 'Å ta i bruk'"
    outline = text_of(done.text, "outline")
    assert outline.index(SUPPORT) < outline.index(START)
    done = tab.post("/step4/order", [("kind", "subgroup"), ("group", SUPPORT),
                                     ("names", "Mestring"), ("names", "Fra kolleger")])
    assert message(done.text) == f"Subcategories of {SUPPORT} in order: Mestring, Fra kolleger."
    assert trail(run)[-1]["label"] == \
        "workbench: order subgroups --group 'Støtte' Mestring 'Fra kolleger'"
    assert "[E513]" in message(tab.post("/step4/order", [("kind", "group"),
                                                         ("names", "Finnes ikke")]).text)


def test_quotations_are_offered_for_placing_and_placed_ones_marked(run: Run, app: Any) -> None:
    run("nugget", "U4", "--quote", "viste meg alt")
    run("describe", COLLEAGUES, "-m", "En forteller:\n\n[U4]")
    material = text_of(page(app, "/step4", section=COLLEAGUES).page, "material")
    assert "U4 · placed in the text" in material and "«viste meg alt»" in material


# -- the validation ------------------------------------------------------------------------------

def test_the_validation_view_shows_the_category_in_every_transcript_and_records_it(
        run: Run, app: Any) -> None:
    tab = page(app, "/recontext", group=SUPPORT, words="alarmene")
    shown = tab.page
    assert '<span class="stretch k-in" data-unit="U4">' in shown
    assert '<span class="stretch k-other" data-unit' not in shown
    assert re.search(r'<article class="transcript recontext" aria-labelledby="I2-title"', shown)
    assert '<mark class="hit">Alarmene</mark>' in shown  # Ola's uncoded speech in I2
    assert "1 place in uncoded speech" in shown
    assert "Not validated yet." in text_of(shown, "validation")
    assert "[E723]" in message(tab.post("/recontext/validate", {"text": " "}).text)
    done = tab.post("/recontext/validate", {"text": "Leste I1 og I2 igjen; holder."})
    assert message(done.text).startswith("Støtte validated against the transcripts (M1, change #")
    assert "Validated in change #" in text_of(done.text, "validation")
    assert trail(run)[-1]["label"] == "workbench: validate 'Støtte' -m …"
    checks = {c["id"]: c for c in json.loads(run("check", "--json", code=1).stdout)}
    assert "Støtte" not in " ".join(checks["validated"]["failures"])


# -- comments ------------------------------------------------------------------------------------

def test_comments_are_added_on_units_places_and_texts_listed_and_resolved(
        run: Run, study: Path, app: Any) -> None:
    tab = page(app, "/recontext", group=SUPPORT)
    done = tab.post("/comments/add", {"ref": "U4", "text": "Er dette støtte eller opplæring?"})
    assert message(done.text) == "C1 added on U4."
    assert trail(run)[-1]["label"] == "workbench: comment add U4 -m …"
    assert "Er dette støtte eller opplæring?" in text_of(done.text, "section-comments")
    tab.post("/comments/add", {"ref": "I1:6-7", "text": "Se hele svaret."})
    tab.post("/comments/add", {"ref": f"text:{COLLEAGUES}", "text": "Hvor mange?"})
    before = snapshot(run, study)
    assert "[E560]" in message(tab.post("/comments/add", {"ref": "U4", "text": " "}).text)
    assert "[E506]" in message(tab.post("/comments/add", {"ref": "U99", "text": "x"}).text)
    assert snapshot(run, study) == before
    listing = page(app, "/comments")
    assert '<a href="/transcripts/I1#s6">Read it in I1, segment 6</a>' in listing.page
    assert "Open Støtte/Fra kolleger in step 4" in listing.page
    done = listing.post("/comments/resolve", {"comment": "C2", "note": "Lest."})
    assert message(done.text) == "C2 resolved."
    assert trail(run)[-1]["label"] == "workbench: comment resolve C2 -m …"
    assert [c["open"] for c in json.loads(run("comments", "--json").stdout)] == [True, False,
                                                                                  True]
    assert "[E562]" in message(listing.post("/comments/resolve", {"comment": "C2"}).text)
    step4_page = page(app, "/step4", section=COLLEAGUES).page
    assert "Hvor mange?" in text_of(step4_page, "section-comments")


# -- since our meeting ---------------------------------------------------------------------------

def test_what_changed_since_a_change_a_date_or_a_seal_in_plain_words(run: Run, app: Any,
                                                                      study: Path) -> None:
    run("condense", COLLEAGUES, "-m", "Jeg fikk mye hjelp av en erfaren kollega.",
        "--why", "nærmere ordene")
    tab = page(app, "/since", since="21")
    shown = text_of(tab.page, "since-changes")
    assert "Since change #21: 1 change to 1 object." in shown
    assert "Why: nærmere ordene" in shown
    assert "<ins>mye</ins>" in tab.page
    assert "Since change #0" in text_of(tab.get("/since", since="2000-01-01").text,
                                        "since-changes")
    refused = tab.get("/since", since=str(study / "stc.toml"))
    assert refused.status_code == 400 and "[E564]" in refused.text


# -- the report ----------------------------------------------------------------------------------

def test_the_report_is_previewed_with_its_own_policy_and_written_on_request(
        run: Run, study: Path, app: Any) -> None:
    tab = page(app, "/report")
    assert '<iframe title="The results chapter" src="/report/view/results?v=21" sandbox>' \
        in tab.page
    shown = tab.client.get("/report/view/results")
    assert shown.headers["content-security-policy"] == REPORT_POLICY
    assert shown.headers["x-frame-options"] == "SAMEORIGIN"
    assert shown.headers.get_list("content-security-policy") == [REPORT_POLICY]
    audit = tab.client.get("/report/view/audit")
    assert audit.status_code == 200 and "Revisjonsspor" in audit.text
    assert tab.client.get("/report/view/nothing").status_code == 400
    before = trail(run)
    done = tab.post("/report/write", {"which": "results"})
    assert message(done.text).startswith("3 report files written into")
    written = text_of(done.text, "written")
    assert str(study / "reports" / "results.html") in written
    assert (study / "reports" / "results.html").read_text(encoding="utf-8") == \
        tab.client.get("/report/view/results").text
    assert trail(run) == before  # writing reports changes nothing in the project


# -- the trail -------------------------------------------------------------------------------------

def test_the_trail_lists_the_latest_changes_and_each_leads_to_its_state(run: Run,
                                                                        app: Any) -> None:
    run("rename", "subgroup", COPING, "Å mestre", "--why", "tydeligere")
    tab = page(app, "/trail")
    changes = text_of(tab.page, "changes")
    assert changes.startswith("#22")
    assert "Why: tydeligere" in changes
    assert '<a href="/step4?as_of=21"' in tab.page
    panel = page(app, "/step4", section=f"{SUPPORT}/Å mestre").page
    history = text_of(panel, "trail-panel")
    assert "History of subgroup:Støtte/Å mestre" in history
    assert "subgroup &#39;Støtte/Mestring&#39; added" in panel or "Mestring" in history
    assert "Why: tydeligere" in history


# -- the language of the pages ---------------------------------------------------------------------

def test_the_pages_speak_the_projects_language_and_english_when_asked(
        run: Run, study: Path, tmp_path: Path) -> None:
    norsk = open_tab(create_app(study, TOKEN, port=PORT, author="tester"), "tab-desk0001",
                     "/step1")
    assert '<html lang="nb">' in norsk.page
    assert "Trinn 1: helhetsinntrykk" in norsk.page and ">Sorteringstavle</a>" in norsk.page
    assert "Kodingen begynte i endring #" in text_of(norsk.page, "preunderstanding")
    done = norsk.post("/step1/theme/add", {"name": "Tid"})
    assert message(done.text) == "Foreløpig tema Tid lagt til."
    assert "1 tema; Malterud foreslår 4 til 8" in text_of(done.text, "themes")
    english = open_tab(create_app(study, TOKEN, port=PORT, interface="en"), "tab-desk0002",
                       "/step1")
    assert '<html lang="en">' in english.page and "Step 1: total impression" in english.page
    # a language the workbench does not speak: English
    run("init", str(tmp_path / "svensk"), "--language", "sv", "--title", "Studie")
    swedish = open_tab(create_app(tmp_path / "svensk", TOKEN, port=PORT), "tab-desk0003",
                       "/step1")
    assert '<html lang="en">' in swedish.page and "Step 1: total impression" in swedish.page


# what the pages said in English before they spoke Norwegian: none may reach a Norwegian page
ENGLISH = [
    "Coverage", "Meaning units", "words)", "Code group", "all groups", "all codes", "Coders",
    "Selections snap to whole words", "Select words with the mouse", "Code the selection",
    "Add the code", "Done", "(no speaker)", "no group",
    "Meaning unit", "Made by", "Every change to it", "After the question", "Save the note",
    "Move its boundaries", "Set it aside, because", "Take the code", "Close (Esc)",
    "Sorting board", "sorting board · step 3", "Open its board", "On a card", "No card selected",
    "Move them to", "Not sorted", "Set aside", "Why do they stay out", "Cancel", " units",
    "No condensate yet", "Condensate written", "Write", "Edit", "Change", "New subgroup",
    "Drag to another column", "Quote", "Condensate of", "Written from", "Record the condensate",
    "In the first person", "Illustrative quotation", "Press Quote", "Checks of step 3",
    "Rename, merge or move", "New name", "Why (the trail keeps it)", "Merge into",
    "Step 4: synthesis", "Categories, in the report's order", "Drag a category",
    "Analytic text of", "Heading in the report", "In the third person", "Record the analytic",
    "What it is written from", "placed in the text", "not placed", "The results chapter",
    "Write the report files", "Comments", "open", "Add a comment", "History", "The project's",
    "Validation: back to the transcripts", "Recontextualisation", "In the transcripts below",
    "Validated against", "Not validated yet", "Its words in uncoded speech",
    "Search the uncoded speech", "Comment on", "the category as a whole", "its analytic text",
    "Supervisor's comments", "A comment stands on", "No open comment", "Resolved",
    "A comment by reference", "Add the comment", "What changed since our meeting", "Since (",
    "Show the changes", "Since change", "Why:", "The report", "Write the results chapter",
    "Write every report", "Open the audit report", "Open the method chapter", "The files go",
    "The trail", "Every change is in the trail", "undone", "Command:", "See the project",
    "The project as it was after change", "read-only view", "back to the project",
    "Where it is said", "Word or phrase", "every transcript", "this form only", " at ",
    "Not shown", "Back to the transcripts", "Refused:", "The workbench does not",
]
VISIBLE_ATTRIBUTES = ("aria-label", "title", "placeholder", "hx-confirm", "data-none", "data-one",
                      "data-many", "data-some", "data-say", "data-lost")


class Visible(HTMLParser):
    """The words a person sees or hears on a page: its text (not its scripts) and the
    attributes a screen reader speaks or a script shows."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.script = tag in ("script", "style")
        self.words += [value for name, value in attrs if name in VISIBLE_ATTRIBUTES and value]

    def handle_endtag(self, tag: str) -> None:
        self.script = False

    def handle_data(self, data: str) -> None:
        if not self.script:
            self.words.append(data)


def visible(page: str) -> str:
    parser = Visible()
    parser.feed(page)
    return re.sub(r"\s+", " ", " ".join(parser.words))


def test_every_page_of_a_norwegian_project_speaks_norwegian(run: Run, study: Path) -> None:
    run("comment", "add", "U4", "-m", "Hvorfor her?")
    run("validate", SUPPORT, "-m", "Holder i I1.")
    norsk = open_tab(create_app(study, TOKEN, port=PORT, author="tester"), "tab-desk0001", "/")
    shown = {}
    for path, params in [
            ("/", {}), ("/transcripts/I1", {"unit": "U4"}),
            ("/transcripts/I1/unit", {"unit": "U2"}),
            ("/transcripts/I1/selection", {"start": "0", "end": "12"}),
            ("/board", {"group": SUPPORT, "edit": COLLEAGUES, "unit": "U4"}),
            ("/board", {"group": START}), ("/codes", {}), ("/step1", {}),
            ("/search", {"q": "passord"}), ("/step4", {"section": COLLEAGUES}), ("/step4", {}),
            ("/recontext", {"group": SUPPORT, "on": "U4"}), ("/comments", {}),
            ("/since", {"since": "1"}), ("/report", {}), ("/trail", {}),
            ("/step4", {"as_of": "19"}), ("/transcripts/I9", {})]:
        answer = norsk.get(path, **params)
        assert answer.status_code in (200, 400, 404), path
        shown[f"{path} {params}"] = visible(answer.text)
    norsk.get("/board", group=SUPPORT)
    said = norsk.post("/board/sort", {"units": "U5", "into": COPING})
    shown["after a sort"] = visible(said.text)
    assert message(said.text) == f"U5 sortert i {COPING}."
    english = {where: [phrase for phrase in ENGLISH
                       if re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", words)]
               for where, words in shown.items()}
    assert {where: found for where, found in english.items() if found} == {}
    assert "Meningsbærende enhet U4" in shown["/transcripts/I1 {'unit': 'U4'}"]
    assert "I intervjuer" in shown["/transcripts/I1 {'unit': 'U4'}"]  # a speaker's role
    assert "A Satt til side" in shown["after a sort"]  # the column, not the button
    assert " kl. " in shown["/comments {}"]


STRING = r'"((?:[^"\\]|\\.)+)"'
MSGID = re.compile(rf"(?:\b_\(|ngettext\(|say\(\s*request,|translate\(\w+,)\s*{STRING}")
PLURAL = re.compile(rf"ngettext\({STRING},\s*{STRING}")
CONTEXT = re.compile(rf"pgettext\({STRING},\s*{STRING}")


def test_every_string_of_the_pages_is_in_the_norwegian_catalogue_with_its_blanks() -> None:
    web = Path(step1.__file__).parent
    sources = [path.read_text(encoding="utf-8")
               for path in [*web.glob("templates/*.html"), *web.glob("*.py")]]
    used = {found.replace('\\"', '"') for source in sources
            for found in [*MSGID.findall(source), *(many for _, many in PLURAL.findall(source)),
                          *(f"{context}|{text}" for context, text in CONTEXT.findall(source))]}
    assert len(used) > 50
    nb = json.loads((web / "locales" / "nb.json").read_text(encoding="utf-8"))
    assert sorted(used - set(nb)) == []  # every string translated
    assert sorted(set(nb) - used) == []  # and nothing left over from strings since removed
    blanks = re.compile(r"%\((\w+)\)s")
    assert [k for k, v in nb.items() if sorted(blanks.findall(k)) != sorted(blanks.findall(v))
            ] == []
