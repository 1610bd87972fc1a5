"""A small, deterministic fuzz corpus over every kind of file stc reads, and its runner.

`cases(n)` makes n cases from valid seeds (a transcript in each format stc imports, a coding
matrix as .xlsx and .csv, a REFI-QDA project and codebook, a participants table, a Taguette
codebook, stc.toml, a pseudonymisation names list) by mutations chosen in turn: byte flips,
truncations, control characters and NUL bytes, huge lines, deep nesting and entity
declarations in XML, damaged zip entries (bad checksum, bad deflate data, the encryption
flag, a missing entry), and spreadsheets whose few cells claim a million rows or columns. The
same n gives the same cases, byte for byte.

`Corpus.run(case)` runs the command that reads the case's file on a copy of a small analysed
project and says what went wrong, if anything: stc must answer with success (exit 0) or one
`Error: … [CODE]` line (exit 1), never `unexpected`; a refusal leaves the project as it was;
and `stc verify` passes afterwards. `make fuzz` runs a few hundred cases, the test suite a tenth
of that (tests/test_fuzz.py).
"""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import struct
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from stc.cli import main
from tests.samples import make_docx, make_odt, make_pdf

INTERVIEW = ["I: Hvordan opplever du arbeidsdagen?",
             "Kari: Jeg føler meg trygg når kollegene er der.",
             "I: Og når de ikke er der?",
             "Kari: Da blir det ensomt, og jeg savner fellesskapet."]
TEXT = "\n".join(INTERVIEW) + "\n"

Mutation = Callable[[bytes, random.Random], bytes]


# -- mutations of any bytes --------------------------------------------------------------------

def flip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(max(1, len(out) // 200)):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(1, max(2, len(data)))]


CONTROLS = [b"\x00", b"\x01", b"\x07", b"\x08", b"\x0b", b"\x0c", b"\x1b", b"\x7f",
            "\u202e".encode(), "\u2066".encode(), "\u200b".encode(), "\x85".encode()]


def controls(data: bytes, rng: random.Random) -> bytes:
    """Control characters, NUL bytes, direction overrides, zero-width spaces put in."""
    out = data
    for _ in range(8):
        at = rng.randrange(len(out) + 1)
        out = out[:at] + rng.choice(CONTROLS) + out[at:]
    return out


def huge_line(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data) + 1)
    word = rng.choice([b"ord ", b"x", b"\xc3\xa6", b"Kari: "])
    return data[:at] + word * (300_000 // len(word)) + data[at:]


def empty(data: bytes, rng: random.Random) -> bytes:
    return b"" if rng.random() < 0.5 else b"\n \t\n"


# -- mutations of XML text ---------------------------------------------------------------------

def entities(data: bytes, rng: random.Random) -> bytes:
    """An entity declaration: expanding ones, or one naming a file on the machine."""
    doctype = rng.choice([
        b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'])
    body = re.sub(rb"^<\?xml[^>]*\?>", b"", data.lstrip())
    return b'<?xml version="1.0" encoding="UTF-8"?>' + doctype + body.replace(b">", b">&c;", 1)


def nesting(data: bytes, rng: random.Random) -> bytes:
    """Thousands of elements inside each other, where a document's XML holds text or codes."""
    depth = rng.choice([3_000, 20_000])
    if b"<Codes>" in data:  # a REFI-QDA code tree
        deep = b"".join(b'<Code guid="%08d-0000-4000-8000-000000000000" name="c%d">' % (n, n)
                        for n in range(depth)) + b"</Code>" * depth
        return data.replace(b"<Codes>", b"<Codes>" + deep, 1)
    return re.sub(rb"(<(?:w|text):p[ >])", lambda m: b"<a>" * depth + b"</a>" * depth
                  + m.group(1), data, count=1)


def xml_controls(data: bytes, rng: random.Random) -> bytes:
    """Character references XML 1.0 forbids, inside text."""
    return re.sub(rb">([^<\s][^<]*)<", lambda m: b">" + m.group(1) + b"&#27;&#0;<", data,
                  count=2)


# -- mutations of zip archives -----------------------------------------------------------------

def _entries(data: bytes) -> list[zipfile.ZipInfo]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.infolist()


def _data_span(data: bytes, info: zipfile.ZipInfo) -> tuple[int, int]:
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:
                                                    info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    return start, start + info.compress_size


def _biggest(data: bytes) -> zipfile.ZipInfo:
    return max(_entries(data), key=lambda i: i.compress_size)


def bad_crc(data: bytes, rng: random.Random) -> bytes:
    """One bit of an entry changed: its data no longer matches its checksum."""
    start, end = _data_span(data, _biggest(data))
    out = bytearray(data)
    out[rng.randrange(start, max(start + 1, end))] ^= 0x10
    return bytes(out)


def bad_deflate(data: bytes, rng: random.Random) -> bytes:
    """An entry's compressed data overwritten with what deflate cannot read."""
    start, end = _data_span(data, _biggest(data))
    junk = bytes([0xFF] * min(16, end - start))
    return data[:start] + junk + data[start + len(junk):]


def encrypted(data: bytes, rng: random.Random) -> bytes:
    """The flag that says an entry is encrypted, in its local and central headers."""
    out = bytearray(data)
    info = rng.choice(_entries(data))
    out[info.header_offset + 6] |= 1
    for m in re.finditer(rb"PK\x01\x02", data):
        name_len = struct.unpack("<H", data[m.start() + 28:m.start() + 30])[0]
        if data[m.start() + 46:m.start() + 46 + name_len] == info.filename.encode():
            out[m.start() + 8] |= 1
    return bytes(out)


def _rezip(data: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            body = change(info.filename, old.read(info.filename))
            if body is not None:
                new.writestr(info.filename, body)
    return out.getvalue()


def drop_entry(data: bytes, rng: random.Random) -> bytes:
    gone = rng.choice(_entries(data)).filename
    return _rezip(data, lambda name, body: None if name == gone else body)


def _in_xml(mutation: Mutation) -> Mutation:
    def mutate(data: bytes, rng: random.Random) -> bytes:
        xml = [i.filename for i in _entries(data) if i.filename.endswith((".xml", ".qde"))]
        chosen = max(xml, key=lambda n: ("document" in n or "content" in n or "sheet1" in n
                                         or n.endswith(".qde"), n))
        return _rezip(data, lambda name, body: mutation(body, rng) if name == chosen
                      else body)

    mutate.__name__ = f"{mutation.__name__} in the XML"
    return mutate


def claimed_size(data: bytes, rng: random.Random) -> bytes:
    """A spreadsheet whose first sheet holds one more cell, far out (at the sheet's last row,
    its last column, or both), and declares no size or a million rows and columns."""
    cell = rng.choice(["XFD1048576", "A1048576", "XFD2"])
    row = (f'<row r="{cell.lstrip("ADFX")}"><c r="{cell}" t="inlineStr"><is><t>x</t></is>'
           "</c></row>").encode()
    dimension = rng.choice([b"", b'<dimension ref="A1:XFD1048576"/>'])

    def change(name: str, body: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return body
        body = re.sub(rb"<dimension [^>]*/>", dimension, body)
        return body.replace(b"</sheetData>", row + b"</sheetData>")

    return _rezip(data, change)


BYTES: list[Mutation] = [flip, truncate, controls, huge_line, empty]
XML: list[Mutation] = [entities, nesting, xml_controls, flip, truncate, controls]
ZIP: list[Mutation] = [bad_crc, bad_deflate, encrypted, drop_entry, truncate, flip,
                       _in_xml(entities), _in_xml(nesting), _in_xml(xml_controls),
                       _in_xml(flip), _in_xml(truncate), _in_xml(controls)]
SHEET: list[Mutation] = [*ZIP, claimed_size]


# -- the cases ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Kind:
    """A kind of file stc reads: its file name, how its mutations are chosen, its command."""

    name: str
    filename: str
    mutations: list[Mutation]
    command: Callable[[str], list[str]]


def _import(path: str) -> list[str]:
    return ["import", path]


KINDS = [
    Kind("txt", "fuzz.txt", BYTES, _import),
    Kind("md", "fuzz.md", BYTES, _import),
    Kind("rtf", "fuzz.rtf", BYTES, _import),
    Kind("vtt", "fuzz.vtt", BYTES, _import),
    Kind("srt", "fuzz.srt", BYTES, _import),
    Kind("docx", "fuzz.docx", ZIP, _import),
    Kind("odt", "fuzz.odt", ZIP, _import),
    Kind("pdf", "fuzz.pdf", [flip, truncate, controls], _import),
    Kind("matrix xlsx", "matrix.xlsx", SHEET,
         lambda p: ["matrix", "import", p, "--why", "fuzz"]),
    Kind("matrix csv", "matrix.csv", BYTES,
         lambda p: ["matrix", "import", p, "--why", "fuzz"]),
    Kind("qdpx", "fuzz.qdpx", ZIP, _import),
    Kind("qdc", "fuzz.qdc", XML, _import),
    Kind("participants csv", "people.csv", BYTES, lambda p: ["participants", "import", p]),
    Kind("codebook csv", "codebook.csv", BYTES, _import),
    Kind("stc.toml", "stc.toml", BYTES, lambda p: ["theme", "add", "Fuzz"]),
    Kind("names list", "names.txt", BYTES,
         lambda p: ["import", "person.txt", "--id", "N1", "--pseudonymise", "../key.json",
                    "--names", p]),
]


@dataclass(frozen=True)
class Case:
    number: int
    kind: Kind
    mutation: str
    data: bytes

    @property
    def name(self) -> str:
        return f"{self.number:03d}-{self.kind.name}-{self.mutation}".replace(" ", "_")


def cases(count: int, seeds: dict[str, bytes]) -> list[Case]:
    """`count` cases, kinds and mutations taken in turn, positions drawn from a generator
    seeded by the case's number: the same count gives the same cases."""
    out = []
    for number in range(count):
        kind = KINDS[number % len(KINDS)]
        mutation = kind.mutations[(number // len(KINDS)) % len(kind.mutations)]
        rng = random.Random(number)
        out.append(Case(number, kind, mutation.__name__, mutation(seeds[kind.name], rng)))
    return out


# -- running them ------------------------------------------------------------------------------

@dataclass
class Outcome:
    case: Case
    code: int
    error: str  # the code of the Error: line, or ""
    problems: list[str] = field(default_factory=list)


class Corpus:
    """A small analysed project and the seeds made from it; `run` tries one case on a copy."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.runner = CliRunner()
        self.base = folder / "base"
        self.seeds: dict[str, bytes] = {}
        self._build()

    @contextmanager
    def _inside(self, where: Path) -> Iterator[None]:
        before = Path.cwd()
        saved = {k: os.environ.get(k) for k in ("STC_AUTHOR", "STC_PROJECT")}
        os.chdir(where)
        os.environ["STC_AUTHOR"] = "fuzzer"
        os.environ.pop("STC_PROJECT", None)
        try:
            yield
        finally:
            os.chdir(before)
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def stc(self, where: Path, *args: str) -> Any:
        with self._inside(where):
            return self.runner.invoke(main, list(args), catch_exceptions=False)

    def _must(self, where: Path, *args: str) -> None:
        result = self.stc(where, *args)
        assert result.exit_code == 0, (args, result.output, result.stderr)

    def _build(self) -> None:
        self._must(self.folder, "init", "base", "--language", "nb", "--title", "Fuzz")
        (self.base / "I1.txt").write_text(TEXT, encoding="utf-8")
        for args in (("import", "I1.txt"), ("code", "I1:2", "Trygghet", "--group", "Kolleger"),
                     ("code", "I1:4", "Ensomhet", "--group", "Kolleger"),
                     ("subgroup", "add", "Kolleger", "Nærhet"),
                     ("sort", "U1", "U2", "--into", "Kolleger/Nærhet"),
                     ("condense", "Kolleger/Nærhet", "-m", "Jeg føler meg trygg."),
                     ("participant", "set", "P1", "alder=34"),
                     ("matrix", "export", "../matrix.xlsx"),
                     ("matrix", "export", "../matrix.csv"),
                     ("participants", "--json")):
            self._must(self.base, *args)
        (self.base / "I1.txt").unlink()
        other = self.folder / "other"
        self._must(self.folder, "init", "other", "--language", "nb", "--title", "Andre")
        (other / "Q1.txt").write_text(TEXT.replace("Kari", "Ola"), encoding="utf-8")
        for args in (("import", "Q1.txt"), ("code", "Q1:2", "Trygghet", "--group", "Kolleger"),
                     ("export", "../fuzz.qdpx"), ("export", "../fuzz.qdc"),
                     ("export", "../codebook.csv")):
            self._must(other, *args)
        self.seeds = {
            "txt": TEXT.encode(), "md": ("# Intervju\n\n" + TEXT).encode(),
            "rtf": ("{\\rtf1\\ansi " + "\\par ".join(INTERVIEW) + "\\par}").encode(),
            "vtt": ("WEBVTT\n\n" + "".join(
                f"00:0{n}.000 --> 00:0{n + 1}.000\n<v {line.split(':')[0]}>"
                f"{line.split(': ', 1)[1]}\n\n" for n, line in enumerate(INTERVIEW))).encode(),
            "srt": "".join(f"{n + 1}\n00:00:0{n},000 --> 00:00:0{n + 1},000\n{line}\n\n"
                           for n, line in enumerate(INTERVIEW)).encode(),
            "docx": make_docx(self.folder / "seed.docx", INTERVIEW).read_bytes(),
            "odt": make_odt(self.folder / "seed.odt", INTERVIEW).read_bytes(),
            "pdf": make_pdf([INTERVIEW]),
            "matrix xlsx": (self.folder / "matrix.xlsx").read_bytes(),
            "matrix csv": (self.folder / "matrix.csv").read_bytes(),
            "qdpx": (self.folder / "fuzz.qdpx").read_bytes(),
            "qdc": (self.folder / "fuzz.qdc").read_bytes(),
            "participants csv": "deltaker;alder;kjønn\nP1;34;kvinne\nKari;35;kvinne\n".encode(),
            "codebook csv": (self.folder / "codebook.csv").read_bytes(),
            "stc.toml": (self.base / "stc.toml").read_bytes(),
            "names list": b"Kari = participant\nOla Nordmann = person\nAker = workplace\n"
,
        }

    def run(self, case: Case) -> Outcome:
        where = self.folder / "runs" / case.name
        project = where / "project"
        shutil.copytree(self.base, project)
        inputs = where if case.kind.name != "stc.toml" else project
        path = inputs / case.kind.filename
        path.write_bytes(case.data)
        if case.kind.name == "matrix csv":
            shutil.copy(self.folder / "matrix-subgroups.csv", where / "matrix-subgroups.csv")
        if case.kind.name == "names list":
            (project / "person.txt").write_text(TEXT.replace("Kari", "Ola Nordmann"),
                                                encoding="utf-8")
        arg = str(path) if inputs == where else path.name
        before = snapshot(project)
        result = self.stc(project, *case.kind.command(arg))
        found = re.search(r"\[(E\d{3})\]\s*$", result.stderr)
        error = found.group(1) if found else ""
        outcome = Outcome(case, result.exit_code, error)
        outcome.problems = self._judge(case, result, project, before)
        if case.kind.name == "stc.toml":
            (project / "stc.toml").write_bytes(self.seeds["stc.toml"])
        verified = self.stc(project, "verify")
        if verified.exit_code != 0:
            outcome.problems.append(f"verify failed: {verified.output} {verified.stderr}")
        shutil.rmtree(where, ignore_errors=True)
        return outcome

    @staticmethod
    def _judge(case: Case, result: Any, project: Path, before: dict[str, Any]) -> list[str]:
        problems = []
        said = result.stdout + result.stderr
        if "Error: unexpected" in said or "Traceback" in said:
            problems.append(f"an unexpected error: {said[-600:]}")
        if result.exit_code not in (0, 1):
            problems.append(f"exit {result.exit_code}: {said[-400:]}")
        if result.exit_code == 1:  # one Error: line (a list of refused rows may follow it)
            errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
            if len(errors) != 1 or not re.search(r"\[E\d{3}\]\s*$", result.stderr):
                problems.append(f"not one coded Error: line: {result.stderr[-600:]}")
            if snapshot(project) != before:
                problems.append("the refusal changed the project")
        return problems


def snapshot(project: Path) -> dict[str, Any]:
    """What a refused command must leave alone: every table of stc.db and every other file of
    the project folder (the test suite's `project_state`)."""
    from tests.conftest import project_state

    return project_state(project)


def main_run(count: int) -> int:
    """`make fuzz`: run `count` cases; a line per kind (successes, refusals by code), every
    problem in full; exit 1 if there is any."""
    import time
    from collections import Counter, defaultdict

    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        corpus = Corpus(Path(folder))
        outcomes = [corpus.run(case) for case in cases(count, corpus.seeds)]
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    for outcome in outcomes:
        by_kind[outcome.case.kind.name][outcome.error or "ok"] += 1
    for kind, counts in by_kind.items():
        print(f"{kind:18} " + ", ".join(f"{key} {n}" for key, n in sorted(counts.items())))
    failed = [o for o in outcomes if o.problems]
    for outcome in failed:
        print(f"\nFAILED {outcome.case.name} (exit {outcome.code}):")
        for problem in outcome.problems:
            print(f"  {problem}")
    refused = sum(1 for o in outcomes if o.code == 1)
    print(f"\n{len(outcomes)} cases in {time.perf_counter() - began:.0f} s: "
          f"{len(outcomes) - refused} imported or applied, {refused} refused with a coded"
          f" message, {len(failed)} with problems")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main_run(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
