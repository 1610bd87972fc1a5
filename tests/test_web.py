"""The workbench over HTTP (Starlette's TestClient): every refusal a local server holding
transcripts owes its user, and the pages as a browser receives them."""

from __future__ import annotations

import ast
import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from stc.web.app import create_app
from stc.web.security import CONTENT_SECURITY_POLICY
from stc.web.server import DEFAULT_PORT, listen
from tests import workbench
from tests.conftest import Run
from tests.samples import snapshot

PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"
TOKEN = "printed-token-0123456789abcdefghijklmnopqrstuv"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return workbench.build_once(tmp_path_factory.mktemp("web"))


class Workbench:
    """The application, and whether a page asked it to stop."""

    def __init__(self, root: Path) -> None:
        self.stopped = 0
        self.app = create_app(root, TOKEN, port=PORT, on_quit=self.stop, interface="en")

    def stop(self) -> None:
        self.stopped += 1

    def client(self, **headers: str) -> TestClient:
        return TestClient(self.app, base_url=BASE, headers=headers, follow_redirects=False)


@pytest.fixture
def bench(study: Path) -> Workbench:
    return Workbench(study)


@pytest.fixture
def signed_in(bench: Workbench) -> TestClient:
    """A client that opened the printed link: it holds the session cookie."""
    client = bench.client()
    assert client.get(f"/?token={TOKEN}").status_code == 303
    return client


def csrf_of(page: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)">', page)
    assert found, page
    return found.group(1)


def refused(response: object, code: str, status: int = 403) -> None:
    assert getattr(response, "status_code") == status  # noqa: B009
    assert f"[{code}]" in getattr(response, "text")  # noqa: B009


# -- the token and the session -----------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/transcripts/I1", "/static/workbench.css",
                                  "/static/htmx.min.js", "/nothing",
                                  "/transcripts/I1/selection?start=50&end=60",
                                  "/transcripts/I1/unit?unit=U1"])
def test_without_the_token_or_the_cookie_every_path_is_refused(bench: Workbench,
                                                               path: str) -> None:
    response = bench.client().get(path)
    refused(response, "E710")
    assert "Nettbrett" not in response.text and "Kari" not in response.text


def test_a_wrong_token_is_refused(bench: Workbench) -> None:
    client = bench.client()
    for token in ("", TOKEN[:-1], TOKEN[:-1] + "x", TOKEN + "x", "ø" * 10):
        refused(client.get("/", params={"token": token}), "E710")
    assert not client.cookies


def test_the_token_is_exchanged_for_a_strict_httponly_cookie(bench: Workbench) -> None:
    client = bench.client()
    response = client.get("/transcripts/I1", params={"code": "passord", "token": TOKEN})
    assert response.status_code == 303
    assert response.headers["location"] == "/transcripts/I1?code=passord"  # token dropped
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"stc-workbench-{PORT}=")
    assert {"HttpOnly", "Path=/", "SameSite=strict"} <= {p.strip() for p in cookie.split(";")}
    assert TOKEN not in cookie
    page = client.get("/transcripts/I1?code=passord")
    assert page.status_code == 200 and 'data-unit="U2"' in page.text
    # the link once more, with the cookie: sent on without the token again
    again = client.get(f"/?token={TOKEN}")
    assert (again.status_code, again.headers["location"]) == (303, "/")


def test_a_cookie_the_server_did_not_give_is_refused(bench: Workbench) -> None:
    client = bench.client()
    client.cookies.set(f"stc-workbench-{PORT}", "made-up")
    refused(client.get("/"), "E710")


def test_the_token_is_not_accepted_with_a_write(bench: Workbench) -> None:
    client = bench.client(origin=BASE)
    refused(client.post(f"/quit?token={TOKEN}"), "E710")
    assert bench.stopped == 0


# -- the Host header (DNS rebinding) -----------------------------------------------------------

@pytest.mark.parametrize("host", ["evil.example:8765", "evil.example", "127.0.0.1:9999",
                                  "192.168.1.20:8765", "127.0.0.1.evil.example:8765",
                                  "localhost:notaport", ""])
def test_a_foreign_host_header_is_refused_even_with_the_token(bench: Workbench,
                                                               host: str) -> None:
    client = bench.client(host=host)
    refused(client.get(f"/?token={TOKEN}"), "E711")
    assert not client.cookies


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "LOCALHOST:8765",
                                  "[::1]:8765"])
def test_the_loopback_names_are_answered(bench: Workbench, host: str) -> None:
    client = bench.client(host=host)
    assert client.get(f"/?token={TOKEN}").status_code == 303


def test_a_foreign_host_is_refused_with_a_valid_session(signed_in: TestClient) -> None:
    assert signed_in.get("/").status_code == 200
    refused(signed_in.get("/", headers={"host": "attacker.example:8765"}), "E711")


# -- writes: Origin and CSRF -------------------------------------------------------------------

def test_a_write_with_origin_and_csrf_header_is_done(signed_in: TestClient,
                                                     bench: Workbench) -> None:
    token = csrf_of(signed_in.get("/").text)
    response = signed_in.post("/quit", headers={"origin": BASE, "x-csrf-token": token})
    assert response.status_code == 200 and "has stopped" in response.text
    assert bench.stopped == 1


def test_a_write_with_the_form_field_and_a_referer_is_done(signed_in: TestClient,
                                                           bench: Workbench) -> None:
    token = csrf_of(signed_in.get("/").text)
    response = signed_in.post("/quit", data={"csrf_token": token},
                            headers={"referer": f"{BASE}/transcripts/I1"})
    assert response.status_code == 200
    assert bench.stopped == 1


def test_a_write_without_the_csrf_token_is_refused(signed_in: TestClient,
                                                   bench: Workbench) -> None:
    other = "not-" + csrf_of(signed_in.get("/").text)
    for attempt in ({}, {"x-csrf-token": ""}, {"x-csrf-token": other}):
        refused(signed_in.post("/quit", headers={"origin": BASE, **attempt}), "E713")
    refused(signed_in.post("/quit", data={"csrf_token": other}, headers={"origin": BASE}), "E713")
    refused(signed_in.post("/quit", content=json.dumps({"csrf_token": other}),
                         headers={"origin": BASE, "content-type": "application/json"}), "E713")
    assert bench.stopped == 0


def test_another_sessions_csrf_token_is_refused(bench: Workbench) -> None:
    first, second = bench.client(), bench.client()
    for client in (first, second):
        client.get(f"/?token={TOKEN}")
    token = csrf_of(first.get("/").text)
    assert token != csrf_of(second.get("/").text)
    refused(second.post("/quit", headers={"origin": BASE, "x-csrf-token": token}), "E713")
    assert bench.stopped == 0


@pytest.mark.parametrize("headers", [
    {"origin": "http://evil.example"},
    {"origin": "http://127.0.0.1:9999"},
    {"origin": "https://127.0.0.1:8765"},
    {"origin": "null"},
    {"referer": "http://evil.example/page"},
    {},
], ids=["foreign", "other-port", "other-scheme", "null", "foreign-referer", "none"])
def test_a_write_from_another_origin_is_refused(signed_in: TestClient, bench: Workbench,
                                                headers: dict[str, str]) -> None:
    token = csrf_of(signed_in.get("/").text)
    refused(signed_in.post("/quit", headers={"x-csrf-token": token, **headers}), "E712")
    assert bench.stopped == 0


def test_a_write_that_is_too_large_is_refused(signed_in: TestClient, bench: Workbench) -> None:
    refused(signed_in.post("/quit", content=b"csrf_token=" + b"x" * 1_100_000,
                         headers={"origin": BASE,
                                  "content-type": "application/x-www-form-urlencoded"}),
            "E714", 413)
    assert bench.stopped == 0


def test_refusals_leave_the_project_unchanged(run: Run, study: Path, bench: Workbench,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(study)
    before = snapshot(run, study)
    client = bench.client(origin="http://evil.example")
    client.get(f"/?token={TOKEN}")
    for path in ("/quit", "/transcripts/I1", "/"):
        assert client.post(path).status_code == 403
    assert snapshot(run, study) == before and bench.stopped == 0


# -- headers on every answer -------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/transcripts/I1", "/transcripts/NOPE", "/board",
                                  "/codes", "/static/workbench.css", "/static/workbench.js",
                                  "/transcripts/I1/selection?start=50&end=60",
                                  "/transcripts/I1/unit?unit=U1"])
def test_every_answer_carries_the_security_headers(signed_in: TestClient, path: str) -> None:
    response = signed_in.get(path)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    # what the policy says, directive by directive: scripts and styles only from the
    # workbench's own files (no inline script, no eval), never framed, no other origin at all
    policy = {d.split()[0]: set(d.split()[1:]) for d in CONTENT_SECURITY_POLICY.split(";")}
    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == {"'self'"}
    assert policy["frame-ancestors"] == {"'none'"} and policy["base-uri"] == {"'none'"}
    assert policy["form-action"] == {"'self'"}
    assert set().union(*policy.values()) <= {"'self'", "'none'", "data:"}
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"


def test_a_refusal_carries_them_too(bench: Workbench) -> None:
    response = bench.client().get("/")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["cache-control"] == "no-store"


def test_pages_have_no_inline_script_or_style(signed_in: TestClient) -> None:
    for path in ("/", "/transcripts/I1", "/transcripts/I2", "/transcripts/NOPE", "/board",
                 "/board?group=St%C3%B8tte&unit=U5", "/codes", "/transcripts/I1?unit=U2"):
        page = signed_in.get(path).text
        scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", page, re.S)
        assert scripts and all(body == "" for body in scripts)
        assert all('src="/static/' in tag for tag in re.findall(r"<script\b[^>]*>", page))
        assert "<style" not in page and " style=" not in page
        assert not re.search(r"\son[a-z]+=", page)  # no onclick= and the like


# -- the pages ---------------------------------------------------------------------------------

def test_the_transcript_list(signed_in: TestClient) -> None:
    page = signed_in.get("/").text
    rows = re.findall(r'<tr data-doc="([^"]+)">(.*?)</tr>', page, re.S)
    assert [doc for doc, _ in rows] == ["I1", "I2"]
    cells = {doc: [re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in
                   re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for doc, row in rows}
    assert cells["I1"][:4] == ["I1", "Kari", "7", "5"]
    assert cells["I1"][4].startswith("89 %")
    assert "(42 of 47 words)" in cells["I1"][4]
    assert cells["I2"][:4] == ["I2", "Ola", "3", "0"] and cells["I2"][4].startswith("0 %")
    assert '<a href="/transcripts/I1">' in page


def test_the_reading_view_marks_segments_and_units(run: Run, study: Path,
                                                   signed_in: TestClient) -> None:
    page = signed_in.get("/transcripts/I1").text
    listed = json.loads(run("show", "I1", "--json", "--project", str(study)).stdout)
    assert re.findall(r'data-seg="([^"]+)"', page) == [
        f"I1:{s['n']}" for s in listed["segments"]]
    assert sorted(set(re.findall(r'data-unit="(U\d+)"', page))) == [f"U{n}" for n in range(1, 6)]
    assert len(re.findall(r'class="piece depth-3"', page)) == 1
    assert re.search(r'data-start="\d+"><mark data-unit="U1"[^>]*><mark data-unit="U2"[^>]*>'
                     r'<mark data-unit="U3"[^>]*>to ganger</mark></mark></mark>', page)
    assert 'spellcheck="false"' in page and 'lang="nb"' in page
    # the margin: codes written beside their group's name, coloured by the group
    assert re.search(r'<li class="g1"><span class="group">Å ta i bruk:</span> passord</li>', page)
    assert re.search(r'<li class="g2"><span class="group">Støtte:</span> mestring</li>', page)
    assert re.search(r'<li class="g0"><span class="group">no group:</span> humor</li>', page)
    assert "Kari" in page and "interviewer" in page


def test_transcript_text_is_escaped(signed_in: TestClient) -> None:
    page = signed_in.get("/transcripts/I1").text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<script>alert" not in page


def test_the_filter_keeps_one_codes_units(signed_in: TestClient) -> None:
    page = signed_in.get("/transcripts/I1", params={"group": "støtte"}).text
    assert sorted(set(re.findall(r'data-unit="(U\d+)"', page))) == ["U4", "U5"]
    assert "2 of 5 meaning units shown" in page
    assert '<option value="Støtte" selected>' in page


@pytest.mark.parametrize(("path", "code"), [
    ("/transcripts/I9", "E202"), ("/transcripts/I1?code=nothing", "E401"),
    ("/transcripts/I1?group=nothing", "E401"), ("/no/such/page", "E715")])
def test_unknown_names_give_a_page_saying_so(signed_in: TestClient, path: str, code: str) -> None:
    response = signed_in.get(path)
    refused(response, code, 404)
    assert 'href="/"' in response.text


def test_a_read_only_path_refuses_a_write_as_no_page(signed_in: TestClient) -> None:
    token = csrf_of(signed_in.get("/").text)
    refused(signed_in.post("/transcripts/I1", headers={"origin": BASE, "x-csrf-token": token}),
            "E715", 405)


def test_htmx_is_vendored_pinned_to_2_0_with_its_licence() -> None:
    """No CDN and no build step: the file the README of static/ names, byte for byte."""
    import hashlib

    static = ROOT / "web" / "static"
    script = (static / "htmx.min.js").read_bytes()
    noted = (static / "README.md").read_text(encoding="utf-8")
    found = re.search(r"htmx (2\.0\.\d+), .*?sha256 `([0-9a-f]{64})`", noted, re.S)
    assert found, noted
    assert hashlib.sha256(script).hexdigest() == found.group(2)
    assert f'version:"{found.group(1)}"'.encode() in script
    assert "Zero-Clause BSD" in noted and "Permission to use" in (
        static / "htmx.LICENSE").read_text(encoding="utf-8")


# -- the web layer stays thin ------------------------------------------------------------------

def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_the_web_layer_holds_no_sql_and_no_method_logic() -> None:
    for path in sorted((ROOT / "web").rglob("*.py")):
        imports = _imports(path)
        assert not {m for m in imports if m.split(".")[0] == "sqlite3"}, path
        assert not {m for m in imports if m.startswith("stc.cli")}, path
        library = {m for m in imports if m.startswith("stc.") or m == "stc"}
        # the reports too: a page shows them as `stc report` writes them
        assert library <= {"stc", "stc.errors", "stc.project", "stc.stages", "stc.reports"}, (
            path, library)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = {n.func.attr for n in ast.walk(tree)
                 if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)}
        assert not calls & {"execute", "executemany", "executescript", "cursor"}, path
        assert not re.search(r"\b(SELECT|INSERT|UPDATE|DELETE)\s", path.read_text()), path


def test_the_library_never_imports_the_web_layer() -> None:
    for folder in ("stc", "stages", "reports"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "cli" in path.relative_to(ROOT).parts:
                continue
            assert not {m for m in _imports(path) if m.startswith("stc.web")}, path


# -- stc serve ---------------------------------------------------------------------------------

def test_serve_refuses_an_address_other_computers_reach(run: Run, study: Path) -> None:
    for host in ("0.0.0.0", "192.168.1.20", "::"):
        result = run("serve", "--no-browser", "--host", host, "--project", str(study), code=1)
        assert result.stderr.startswith("Error: ") and "[E700]" in result.stderr
        assert "--allow-remote" in result.stderr


def test_serve_refuses_a_port_in_use(run: Run, study: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", "--no-browser", "--port", str(port), "--project", str(study),
                     code=1)
    assert "[E701]" in result.stderr and str(port) in result.stderr


def test_without_a_port_a_busy_default_gives_way_to_a_free_one() -> None:
    with socket.socket() as taken:
        try:
            taken.bind(("127.0.0.1", DEFAULT_PORT))
            taken.listen()
        except OSError:
            pass  # something else has it already: just as busy
        chosen = listen("127.0.0.1", None)
        try:
            assert chosen.getsockname()[1] not in (DEFAULT_PORT, 0)
        finally:
            chosen.close()


@pytest.fixture
def served(study: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    with workbench.serving(study) as server:
        yield server


def test_serve_prints_one_link_serves_it_and_stops_on_ctrl_c(
        served: tuple[subprocess.Popen[str], str]) -> None:
    process, url = served
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?token=[\w-]{43}", url), url
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with opener.open(url, timeout=30) as response:
        assert response.status == 200 and response.url == url.split("?")[0]
        assert "I1" in response.read().decode("utf-8")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert (out, err) == ("", "")  # the link was the one line; nothing after it


def test_without_no_browser_the_link_is_opened_in_the_default_browser(
        study: Path, tmp_path: Path) -> None:
    """The browser is the one $BROWSER names, as Python's webbrowser finds it: here a script
    that writes down the link it was asked to open."""
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser.py"
    browser.write_text(f"#!{sys.executable}\nimport pathlib, sys\n"
                       f"pathlib.Path({str(opened)!r}).write_text(sys.argv[1])\n",
                       encoding="utf-8")
    browser.chmod(0o755)
    with workbench.serving(study, browser=f"{browser} %s") as (process, url):
        deadline = time.monotonic() + 30
        while not opened.exists():
            assert time.monotonic() < deadline and process.poll() is None, "no browser opened"
            time.sleep(0.05)
        assert opened.read_text() == url and url.startswith("http://127.0.0.1:")


def test_another_address_is_served_only_with_allow_remote_and_a_warning(study: Path) -> None:
    with workbench.serving(study, "--host", "0.0.0.0", "--allow-remote") as (process, url):
        assert re.fullmatch(r"http://0\.0\.0\.0:\d+/\?token=[\w-]{43}", url), url
        assert process.stderr is not None
        warning = process.stderr.readline()
    assert warning.startswith("Warning: the workbench listens on 0.0.0.0: other computers")
    assert "anyone who sees the link, can read the transcripts" in warning


def test_forged_writes_to_the_running_server_are_refused(
        run: Run, study: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Coding a selection, sent to `stc serve` itself without the session, from another
    Host or Origin, or without the CSRF token: each refused, the project unchanged; the same
    request from the page is done."""
    import shutil

    root = tmp_path / "study"
    shutil.copytree(study, root)
    monkeypatch.chdir(root)
    with workbench.serving(root) as (_, url):
        _forge(run, root, url)


def _forge(run: Run, study: Path, url: str) -> None:
    import urllib.error

    base = url.split("/?")[0]
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    with opener.open(url, timeout=30) as response:
        token = csrf_of(response.read().decode("utf-8"))
    body = b"doc=I1&start=240&end=253&name=forged&page=transcript"
    own = {"Origin": base, "X-CSRF-Token": token,
           "Content-Type": "application/x-www-form-urlencoded"}
    before = snapshot(run, study)
    for headers, code, session in (
            (own, "E710", False),
            ({**own, "Host": "evil.example:8765"}, "E711", True),
            ({**own, "Origin": "http://evil.example"}, "E712", True),
            ({**own, "X-CSRF-Token": "forged"}, "E713", True)):
        send = opener.open if session else urllib.request.urlopen
        with pytest.raises(urllib.error.HTTPError) as refused:
            send(urllib.request.Request(f"{base}/units/code", data=body, headers=headers,
                                        method="POST"), timeout=30)
        assert refused.value.code == 403 and f"[{code}]" in refused.value.read().decode()
    assert snapshot(run, study) == before
    with opener.open(urllib.request.Request(f"{base}/units/code", data=body, headers=own,
                                            method="POST"), timeout=30) as response:
        assert "U6 made at I1:6, coded forged" in response.read().decode("utf-8")


def test_the_stop_button_ends_the_server(served: tuple[subprocess.Popen[str], str]) -> None:
    process, url = served
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(url, timeout=30) as response:
        token = csrf_of(response.read().decode("utf-8"))
    base = url.split("/?")[0]
    request = urllib.request.Request(f"{base}/quit", data=f"csrf_token={token}".encode(),
                                     headers={"Origin": base}, method="POST")
    with opener.open(request, timeout=30) as response:
        assert "has stopped" in response.read().decode("utf-8")
    _, err = process.communicate(timeout=30)
    assert process.returncode == 0 and err == ""


def test_another_address_is_answered_only_when_asked_for(study: Path) -> None:
    from stc.errors import StcError
    from stc.web.server import allowed_hosts, check_host

    with pytest.raises(StcError):
        check_host("10.0.0.5", allow_remote=False)
    assert check_host("10.0.0.5", allow_remote=True) == "10.0.0.5"
    assert check_host("localhost", allow_remote=False) == "127.0.0.1"
    assert check_host("[::1]", allow_remote=False) == "::1"
    hosts = allowed_hosts("10.0.0.5")
    assert hosts is not None and "10.0.0.5" in hosts and "evil.example" not in hosts
    assert allowed_hosts("0.0.0.0") is None  # every address: any name, the token still needed
    remote = create_app(study, TOKEN, port=PORT, hosts=allowed_hosts("10.0.0.5"),
                        interface="en")
    client = TestClient(remote, base_url=f"http://10.0.0.5:{PORT}", follow_redirects=False)
    assert client.get(f"/?token={TOKEN}").status_code == 303
    refused(client.get("/", headers={"host": f"evil.example:{PORT}"}), "E711")
    anywhere = TestClient(create_app(study, TOKEN, port=PORT, hosts=None, interface="en"),
                          base_url=f"http://my-laptop.local:{PORT}", follow_redirects=False)
    refused(anywhere.get("/"), "E710")
    assert anywhere.get(f"/?token={TOKEN}").status_code == 303
