"""The workbench in a real browser: Debian's Chromium, driven by pytest-playwright, against
`stc serve` running as its own process. Few tests, on what only a browser shows; the breadth is
in test_web.py.

`pytest -m browser --workbench-screenshots docs/img` also writes the README's screenshots.
"""

from __future__ import annotations

import json
import os
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
    return workbench.build_once(tmp_path_factory.mktemp("browser"))


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
    for path in ("/", "/transcripts/I1", "/transcripts/I1?group=St%C3%B8tte"):
        page.goto(link.split("?")[0].rstrip("/") + path)
        page.evaluate(axe_source)  # devtools evaluation: the page's CSP does not apply
        result: dict[str, Any] = page.evaluate("() => axe.run(document)")
        serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                   for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], path
        assert result["passes"], path  # axe did run its checks


# -- screenshots for the README ----------------------------------------------------------------

def test_screenshots(page: Page, request: pytest.FixtureRequest,
                     tmp_path_factory: pytest.TempPathFactory) -> None:
    target = request.config.getoption("--workbench-screenshots")
    if not target:
        pytest.skip("screenshots are written only with --workbench-screenshots DIR")
    out = Path(target).resolve()
    out.mkdir(parents=True, exist_ok=True)
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
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)


def _sample_study(folder: Path) -> Path:
    """The sample corpus coded from its coding matrix, with three overlapping units added."""
    corpus = CORPORA / "nb-hjemmetjeneste"
    root = folder / "studie"
    _stc(folder, "init", str(root), "--language", "nb", "--title",
         "Sykepleieres erfaringer med velferdsteknologi i hjemmetjenesten")
    people = dict(line.split(",")[:2] for line in
                  (corpus / "deltakere.csv").read_text(encoding="utf-8").splitlines()[1:])
    for doc, pseudonym in sorted(people.items()):
        source = next(corpus.glob(f"{doc}.*"))
        _stc(root, "import", str(source), "--participant", pseudonym, "--speakers",
             "I=interviewer")
    _stc(root, "matrix", "import", str(corpus / "analysis" / "koding.csv"), "--why", "koding")
    for quote, code in (
            ("Men det viste jo liksom hvor avhengige vi har blitt av at det virker.",
             "avhengighet av teknologi"),
            ("Det finnes ingen plan B, egentlig, annet enn at vi løper fortere.",
             "ingen reserveplan"),
            ("avhengige vi har blitt av at det virker. Det finnes ingen plan B", "sårbarhet")):
        _stc(root, "code", "I1", code, "--quote", quote, "--group", "Trygghet og risiko")
    return root
