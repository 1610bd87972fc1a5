"""The workbench on a long transcript (20,000 words, 300 meaning units; `make bench-web`):

- rendering its reading view in the server (`stc serve`, a GET of the page over HTTP) against
  the floor of `stc show T1 --json`, the same transcript printed by the command line: <= 3x;
- coding by selection through a real browser (Debian's Chromium, driven by Playwright): a
  stretch selected in the text -> the code picker ready (its preview in, the focus in its
  field), and Enter -> the unit recorded -> its highlight in the page; the median of 20
  selections spread over the whole transcript (its end too: nothing is virtualised away)
  must stay under 150 ms. The typing of the code's name is a person's time and left out.
"""

from __future__ import annotations

import http.cookiejar
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from common import FULL, QUICK, STC, Row, Settings, copy_project, interleaved_runs, ratio
from web_project import UNITS, WORDS, web_project

RENDER_TARGET = 3.0
CODING_MS = 150.0
SELECTIONS = 20
CHROMIUM = "/usr/bin/chromium"


def sizes(settings: Settings) -> tuple[int, int, int]:
    """Words, units and selections: the issue's sizes; for the quick run a tenth of the text
    and its units, and three selections."""
    full = settings.words >= 10_000
    return (WORDS, UNITS, SELECTIONS) if full else (WORDS // 10, UNITS // 10, 3)


class Server:
    """`stc serve --no-browser --port 0` on a project, with a session opened."""

    def __init__(self, root: Path) -> None:
        self.process = subprocess.Popen([STC, "serve", "--no-browser", "--port", "0"],
                                        cwd=root, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.link = self.process.stdout.readline().strip()
        self.base = self.link.split("/?")[0]
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        self.get(self.link)

    def get(self, url: str) -> float:
        began = time.perf_counter()
        with self.opener.open(url, timeout=60) as response:
            response.read()
        return time.perf_counter() - began

    def stop(self) -> None:
        self.process.terminate()
        self.process.communicate(timeout=30)


def render(settings: Settings, root: Path, words: int, units: int) -> Row:
    label = f"workbench: reading view, {words:,} words, {units} units"
    server = Server(root)
    try:
        page = f"{server.base}/transcripts/T1"
        server.get(page)  # warm
        shown = [server.get(page) for _ in range(settings.repeats)]
    finally:
        server.stop()
    floor = statistics.median(c.seconds for c in interleaved_runs(
        [[STC, "--project", str(root), "show", "T1", "--json"]], settings.repeats)[0])
    seconds = statistics.median(shown)
    share = ratio(seconds, floor)
    return Row(label, seconds, floor, share, f"<= {RENDER_TARGET:g}x", share <= RENDER_TARGET,
               f"floor: stc show T1 --json; medians of {settings.repeats}")


# select `phrase` in segment `seg` (across highlights) as a script would, then let go of the
# mouse: what opens the picker. The page notes the times (performance.now) of the selection,
# of the picker ready (its preview in, the focus in its field), of Enter, and of the frame after
# a new highlight came in: the measures are taken in the browser, not through Playwright's
# polling.
WATCH = """() => {
  const now = () => performance.now();
  window.times = {};
  document.addEventListener('htmx:afterSwap', (event) => {
    if (event.detail.target.id === 'picker-preview') window.times.ready = now();
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && event.target.id === 'picker-code') window.times.enter = now();
  }, true);
  new MutationObserver((changes) => {
    for (const change of changes) for (const node of change.addedNodes) {
      if (!node.querySelectorAll) continue;
      for (const mark of node.querySelectorAll('mark[data-unit]')) {
        const unit = mark.dataset.unit;
        requestAnimationFrame(() => { window.times[unit] = window.times[unit] || now(); });
      }
    }
  }).observe(document.body, {childList: true, subtree: true});
}"""
SELECT = (Path(__file__).parent / "select_phrase.js").read_text(encoding="utf-8")
READY = """() => document.activeElement && document.activeElement.id === 'picker-code'
  && window.times.ready !== undefined"""


def phrases(root: Path, count: int) -> list[tuple[str, str]]:
    """(segment, the words that open it) in participants' segments spread over the text."""
    import json

    shown = json.loads(subprocess.run([STC, "--project", str(root), "show", "T1", "--json"],
                                      capture_output=True, text=True, check=True).stdout)
    spoken = [s for s in shown["segments"] if s["role"] == "participant"
              and len(s["text"].split()) >= 6]
    step = max(1, len(spoken) // count)
    picked = [*spoken[::step][:count - 1], spoken[-1]]  # the very end of the text too
    return [(f"T1:{s['n']}", " ".join(s["text"].split()[1:5])) for s in picked]


def coding(settings: Settings, root: Path, words: int, units: int, selections: int) -> Row:
    label = f"workbench: selection -> unit -> highlight, {words:,} words (median of {selections})"
    if not Path(CHROMIUM).exists():
        return Row(label, None, None, None, f"< {CODING_MS:g} ms", None,
                   f"not measured: no Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return Row(label, None, None, None, f"< {CODING_MS:g} ms", None,
                   "not measured: Playwright is not installed")
    work = copy_project(root, settings.data / "projects" / "web-coding")
    chosen = phrases(work, selections)
    server = Server(work)
    times: list[float] = []
    phases: list[tuple[float, float]] = []  # selection -> picker ready, Enter -> highlight
    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(server.link)
            page.goto(f"{server.base}/transcripts/T1")
            page.wait_for_selector("[data-seg]")
            page.evaluate(WATCH)
            for number, (seg, phrase) in enumerate(chosen, start=units + 1):
                page.evaluate(SELECT, [seg, phrase])
                page.wait_for_function(READY)
                page.keyboard.type(f"selected {number % 5}")  # her typing: not timed
                page.keyboard.press("Enter")
                unit = f"U{number}"
                page.wait_for_function(f"() => window.times.{unit} !== undefined")
                at = page.evaluate("window.times")
                phases.append(((at["ready"] - at["began"]) / 1000, (at[unit] - at["enter"]) / 1000))
                times.append(sum(phases[-1]))
                page.keyboard.press("Escape")
                page.wait_for_function("() => !document.querySelector('dialog[open]')")
            browser.close()
    finally:
        server.stop()
    median = statistics.median(times)
    ready, shown = (statistics.median(p[i] for p in phases) * 1000 for i in (0, 1))
    return Row(label, median, None, None, f"< {CODING_MS:g} ms", median * 1000 < CODING_MS,
               f"picker ready {ready:.0f} ms + Enter to highlight {shown:.0f} ms (medians);"
               f" slowest {max(times) * 1000:.0f} ms")


def run(settings: Settings) -> list[Row]:
    words, units, selections = sizes(settings)
    root = web_project(settings, words, units)
    return [render(settings, root, words, units),
            coding(settings, root, words, units, selections)]


if __name__ == "__main__":
    from report_table import print_table

    print_table(run(QUICK if "--quick" in sys.argv else FULL))
