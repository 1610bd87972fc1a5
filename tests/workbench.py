"""A small coded project for the workbench tests, built through the public commands.

The transcript is written with decomposed letters (NFD: `a` + combining ring for å, `e` +
combining acute for é) and emoji of one, two and four code points, so that every offset the
pages carry is checked against code points of the NFC text the store holds; and with a
`<script>` element in a participant's speech, which the pages must show as characters.
"""

from __future__ import annotations

import html
import re
import shutil
import signal
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from starlette.testclient import TestClient

RING, ACUTE = "\u030a", "\u0301"
NURSE = "\U0001f469\u200d\u2695\ufe0f"  # woman health worker: four code points, six UTF-16 units

INTERVIEW = (
    "I: Hvordan var den første uka med nettbrettet?\n"
    "Kari: Den første uka var kaotisk 😅. Jeg glemte passordet to ganger, og sjefen sa"
    f" \"<script>alert('x')</script>\" pa{RING} spøk. Men etter en stund ble det bedre 👍🏽.\n"
    "I: Hva gjorde forskjellen?\n"
    f"Kari: Kollegaen min, en erfaren sykepleier {NURSE}, viste meg alt pa{RING}"
    f" kafe{ACUTE}en. Na{RING} bruker jeg det hver dag, og jeg blir mindre sliten.\n"
)
SECOND = (
    "I: Hva tenker du om alarmene?\n"
    "Ola: Alarmene går hele tida. Jeg rekker ikke alt.\n"
)

# what the project holds: U1-U5 in I1, nothing coded in I2
UNITS = {
    "U1": ("I1:2-4", ["oppstart"]),
    "U2": ("I1:3", ["passord"], "Jeg glemte passordet to ganger"),
    "U3": ("I1:3", ["humor"], "to ganger, og sjefen"),
    "U4": ("I1:6", ["kollegastøtte"]),
    "U5": ("I1:7", ["mestring"], "Nå bruker jeg det hver dag"),
}
GROUPS = {"Å ta i bruk": ["oppstart", "passord"], "Støtte": ["kollegastøtte", "mestring"]}

# step 3 begun (`board`): Støtte has two subgroups, U4 sorted into the first, which has a
# condensate; U5 waits to be sorted; Å ta i bruk has no subgroups (U1, U2 under its own
# condensate, none yet)
SUPPORT, COLLEAGUES, COPING = "Støtte", "Støtte/Fra kolleger", "Støtte/Mestring"
CONDENSATE = "Jeg fikk hjelp av en erfaren kollega, og nå bruker jeg det hver dag."


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def build(run: Any, folder: Path) -> Path:
    """The project in `folder`/study; returns its root."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "I1.txt").write_text(INTERVIEW, encoding="utf-8")
    (folder / "I2.txt").write_text(SECOND, encoding="utf-8")
    root = folder / "study"
    run("init", str(root), "--language", "nb", "--title", "Nettbrett i hjemmetjenesten")
    p = ["--project", str(root)]
    run("import", str(folder / "I1.txt"), "--participant", "Kari", "--speakers",
        "I=interviewer", *p)
    run("import", str(folder / "I2.txt"), "--participant", "Ola", "--speakers", "I=interviewer",
        *p)
    for ref, codes, *quote in UNITS.values():
        run("code", ref, *codes, *(["--quote", quote[0]] if quote else []), *p)
    for group, codes in GROUPS.items():
        run("group", *codes, "--into", group, *p)
    return root


def board(run: Any, root: Path) -> Path:
    """Step 3 begun on the project `build` made (see COLLEAGUES above); returns its root."""
    p = ["--project", str(root)]
    for ref in (COLLEAGUES, COPING):
        run("subgroup", "add", SUPPORT, ref.split("/")[1], *p)
    run("sort", "U4", "--into", COLLEAGUES, *p)
    run("condense", COLLEAGUES, "-m", CONDENSATE, *p)
    return root


def build_once(folder: Path, step3: bool = False) -> Path:
    """`build` (and `board`, with `step3`) outside a test's own fixtures: for a project that a
    module's tests share."""
    from click.testing import CliRunner

    from stc.cli import main

    runner = CliRunner()

    def run(*args: str) -> None:
        result = runner.invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == 0, f"stc {' '.join(args)}: {result.output}"

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STC_AUTHOR", "tester")
        patch.delenv("STC_PROJECT", raising=False)
        root = build(run, folder)
        return board(run, root) if step3 else root


def screenshot_folder(request: pytest.FixtureRequest) -> Path:
    """Where the README's pictures go (`--workbench-screenshots DIR`); without it the test
    is skipped."""
    target = request.config.getoption("--workbench-screenshots")
    if not target:
        pytest.skip("screenshots are written only with --workbench-screenshots DIR")
    out = Path(target).resolve()
    out.mkdir(parents=True, exist_ok=True)
    return out


@contextmanager
def serving(root: Path, *options: str, interface: str = "en", browser: str | None = None
            ) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`stc serve --no-browser --port 0` as a process in `root`, its pages in `interface`'s
    language, and the link it printed; with `browser` (a command line as $BROWSER takes it) it
    opens the link in that browser."""
    process = subprocess.Popen(
        [sys.executable, "-m", "stc", "serve", *([] if browser else ["--no-browser"]),
         "--port", "0", "--interface", interface, *options], cwd=root,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={"STC_AUTHOR": "tester", "PATH": "", **({"BROWSER": browser} if browser else {})})
    try:
        assert process.stdout is not None
        yield process, process.stdout.readline().strip()
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


@contextmanager
def signed_in_copy(template: Path, tmp_path: Path, page: Any, path: str = ""
                   ) -> Iterator[tuple[Path, str]]:
    """A fresh copy of `template` (the tests write) served by `stc serve`, `page` signed in
    and at `path`; yields the copy and the server's address, and stops it with Ctrl-C."""
    root = tmp_path / "study"
    shutil.copytree(template, root)
    with serving(root) as (process, url):
        page.goto(url)
        base = url.split("?")[0].rstrip("/")
        if path:
            page.goto(base + path)
        yield root, base
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)


# -- the workbench over HTTP (Starlette's TestClient), as a browser tab uses it ------------------

PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
TOKEN = "printed-token-0123456789abcdefghijklmnopqrstuv"


@pytest.fixture
def study(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the module's own `template` (a `build_once` project) for each test, the
    tests write; they run in it."""
    root = tmp_path / "study"
    shutil.copytree(template, root)
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def app(study: Path) -> Any:
    """The workbench on `study`, its pages in English, its author `tester`."""
    from stc.web.app import create_app

    return create_app(study, TOKEN, port=PORT, author="tester", interface="en")


class Tab:
    """A browser tab on the workbench: its session, its tab id, and the page it shows."""

    def __init__(self, client: TestClient, tab: str) -> None:
        self.client, self.tab = client, tab
        self.page = ""

    def get(self, path: str, **params: str) -> httpx.Response:
        response = self.client.get(path, params=params, headers={"x-stc-tab": self.tab})
        if response.status_code == 200:
            self.page = response.text
        return response

    @property
    def seen(self) -> str:
        found = re.search(r'id="live" hidden data-seen="(\d+)"', self.page)
        assert found, self.page[:500]
        return found.group(1)

    @property
    def csrf(self) -> str:
        found = re.search(r'<meta name="csrf-token" content="([^"]+)">', self.page)
        assert found
        return found.group(1)

    def post(self, path: str, data: dict[str, Any] | list[tuple[str, str]] | None = None,
             **headers: str) -> httpx.Response:
        """A write as the page's htmx sends it: Origin, CSRF header, tab id, the page's state
        (`#page-state`) and `based_on` the change the page shows, unless the test says
        otherwise."""
        given = list(data.items()) if isinstance(data, dict) else list(data or [])
        names = {k for k, _ in given}
        fields = hidden(self.page, "page-state")
        if not names & {"base", "quote_base"}:  # an editor's writes are based on its own
            fields.append(("based_on", self.seen))
        fields = [f for f in fields if f[0] not in names] + [
            (k, v) for k, value in given for v in (value if isinstance(value, list) else [value])]
        sent = {"origin": BASE, "x-csrf-token": self.csrf, "x-stc-tab": self.tab, **headers}
        response = self.client.post(path, data=dict(_multi(fields)), headers=sent)
        if 'id="live"' not in response.text:  # a refusal before the page, or a fragment
            return response
        if "<html" in response.text:  # the page
            self.page = response.text
        else:  # the parts a write changed: the page follows them
            for part in (r'<div id="page-state" hidden>.*?</div>', r'<div id="live"[^>]*></div>'):
                found = re.search(part, response.text, re.S)
                if found:
                    new = found.group(0)
                    self.page = re.sub(part, lambda _, new=new: new, self.page, count=1,
                                       flags=re.S)
        return response


def _multi(fields: list[tuple[str, str]]) -> Iterator[tuple[str, str | list[str]]]:
    grouped: dict[str, list[str]] = {}
    for key, value in fields:
        grouped.setdefault(key, []).append(value)
    for key, values in grouped.items():
        yield key, values if len(values) > 1 else values[0]


def hidden(page: str, ident: str) -> list[tuple[str, str]]:
    """The fields of the hidden block `ident` (`page-state`, `editor-state`, `quote-state`)."""
    found = re.search(rf'<div id="{ident}" hidden>(.*?)</div>', page, re.S)
    assert found, ident
    return [(k, html.unescape(v)) for k, v in
            re.findall(r'name="(\w+)" value="([^"]*)"', found.group(1))]


def open_tab(app: Any, tab: str = "tab-aaaaaaaa", path: str = "/board",
             **params: str) -> Tab:
    client = TestClient(app, base_url=BASE, follow_redirects=False)
    assert client.get(f"/?token={TOKEN}").status_code == 303
    opened = Tab(client, tab)
    assert opened.get(path, **({"group": SUPPORT} if path == "/board" else {}),
                      **params).status_code == 200
    return opened


def message(page: str) -> str:
    found = re.search(r'<div id="messages" class="messages">(.*?)</div>', page, re.S)
    assert found
    return html.unescape(re.sub(r"<[^>]+>|\s+", " ", found.group(1))).strip()


