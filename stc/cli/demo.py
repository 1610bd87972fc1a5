"""stc demo: a complete four-step analysis of the Norwegian sample corpus, built in a new
project with the public `stc` commands, ending in the reports. `make demo` runs it too.

The corpus ships inside the package (`stc.corpora`, the repository's `corpora/`), so an
installed `stc` needs neither the repository nor make. Every command runs in this process and
is printed before it runs, with the start of its output, so the output doubles as a
walkthrough.
"""

from __future__ import annotations

import csv
import io
import shlex
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import click

from stc.errors import StcError

CORPUS = "nb-hjemmetjeneste"
SHOWN = 12  # lines of each command's output to print
TITLE = "Sykepleieres erfaringer med velferdsteknologi i hjemmetjenesten"
QUESTION = "Hvordan erfarer ansatte i hjemmetjenesten å ta i bruk velferdsteknologi?"


def corpus_folder() -> Path:
    """The sample corpus as installed with the package."""
    from importlib import resources

    folder = Path(str(resources.files("stc.corpora").joinpath(CORPUS)))
    if not (folder / "deltakere.csv").is_file():
        raise StcError("E963", path=str(folder))
    return folder


class Demo:
    """Runs `stc` commands on the demo project in this process and prints them."""

    def __init__(self, project: Path, echo: Callable[[str], None]) -> None:
        self.project = project
        self.echo = echo
        self.corpus = corpus_folder()
        self.analysis = self.corpus / "analysis"

    def stc(self, *args: str, show: bool = True) -> str:
        from stc.cli import main

        self.echo(f"\n$ stc {shlex.join(args)}")
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = _exit_code(lambda: main.main(
                ["--author", "demo", "--project", str(self.project), *args], prog_name="stc",
                standalone_mode=False))
        if code != 0:
            raise StcError("E965", command=shlex.join(args), status=code,
                           output=(out.getvalue() + err.getvalue()).strip()[-2000:])
        if show:
            lines = out.getvalue().rstrip().splitlines()
            more = f"\n  … ({len(lines) - SHOWN} more lines)" if len(lines) > SHOWN else ""
            self.echo("\n".join(lines[:SHOWN]) + more)
        return out.getvalue()

    def participants(self) -> dict[str, str]:
        with (self.corpus / "deltakere.csv").open(encoding="utf-8", newline="") as handle:
            return {row["document"]: row["pseudonym"] for row in csv.DictReader(handle)}

    def lines(self, name: str) -> list[str]:
        text = (self.analysis / name).read_text(encoding="utf-8")
        return [line.strip() for line in text.splitlines() if line.strip()]

    def step0_project(self) -> None:
        self.stc("init", str(self.project), "--language", "nb", "--title", TITLE,
                 "--question", QUESTION)
        for doc, pseudonym in sorted(self.participants().items()):
            source = next(self.corpus.glob(f"{doc}.*"))
            self.stc("import", str(source), "--participant", pseudonym,
                     "--speakers", "I=interviewer")
        self.stc("docs")
        self.stc("show", "I1:1-6")

    def step1_total_impression(self) -> None:
        self.stc("memo", "add", "--kind", "preunderstanding",
                 "--file", str(self.analysis / "forforstaelse.md"))
        for doc in sorted(self.participants()):
            self.stc("memo", "add", "--kind", "impression", "--on", doc,
                     "--file", str(self.analysis / f"inntrykk-{doc}.md"), show=False)
        self.stc("terms", "--top", "10")
        for theme in self.lines("temaer.txt"):
            self.stc("theme", "add", theme, show=False)
        self.stc("themes")

    def step2_meaning_units(self) -> None:
        self.stc("matrix", "import", str(self.analysis / "koding.csv"),
                 "--why", "Første gjennomgang, linje for linje")
        for line in self.lines("revisjoner.txt"):
            self.stc(*shlex.split(line))
        self.stc("codes")
        self.stc("search", "alarm")

    def step3_condensation(self) -> None:
        self.stc("matrix", "import", str(self.analysis / "kondensering.csv"),
                 "--why", "Subgrupper, kondensater, gullkorn og analytisk tekst")
        self.stc("units", "--group", "Tid som flyttes")

    def step4_synthesis(self) -> list[Path]:
        for name in ("Nordmann", "Lillehammer sykehus"):
            self.stc("names", "add", name, show=False)
        with (self.analysis / "validering.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                self.stc("validate", row["group"], "-m", row["memo"], show=False)
        self.stc("check")
        self.stc("report", "all")
        self.stc("verify")
        return sorted((self.project / "reports").iterdir())


def run_demo(project: Path, echo: Callable[[str], None] = click.echo) -> list[Path]:
    """Build the demo project in `project` (a new or empty folder) and its reports; returns
    the reports."""
    if project.exists() and (not project.is_dir() or any(project.iterdir())):
        raise StcError("E952", path=str(project))
    demo = Demo(project, echo)
    demo.step0_project()
    demo.step1_total_impression()
    demo.step2_meaning_units()
    demo.step3_condensation()
    return demo.step4_synthesis()


def _exit_code(call: Callable[[], object]) -> int:
    """The exit code of a command run with click's standalone mode off."""
    try:
        result = call()
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    return result if isinstance(result, int) else 0


def _shown(path: Path) -> str:
    """A path as short as it can be written from the current folder."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def demo(directory: Path) -> None:
    """Build a sample project and its reports: a complete analysis of four fictional
    interviews (in Norwegian) through all four steps, each command printed as it runs.

    \b
    Example:
      stc demo stc-demo
      cd stc-demo && stc status
    """
    reports = run_demo(directory)
    click.echo(f"\nThe project is in {_shown(directory)}; its reports are in"
               f" {_shown(directory / 'reports')}:")
    for path in reports:
        click.echo(f"  {_shown(path)}")
    name = shlex.quote(_shown(directory))
    click.echo(f"\nTry next:  cd {name} && stc log --on \"Tid som flyttes\"")
    click.echo(f"Read and code the transcripts in the browser (the workbench):  cd {name}"
               " && stc serve")


COMMANDS = [demo]
