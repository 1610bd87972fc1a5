"""A project's templates/ folder is untrusted: its templates render in a sandbox, within limits,
and only files inside templates/ are read. Each refusal is one `Error:` line naming the template,
nothing runs, the project is unchanged and no report file is written."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from tests.builders import analysed_project
from tests.conftest import Run, write
from tests.samples import BILLION_LAUGHS, make_docx, rewrite_docx, snapshot


def files_of(folder: Path) -> dict[str, str]:
    """Every file under `folder` but the database, with a hash of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith("stc.db")}


@pytest.fixture
def small(run: Run, project: Path) -> Path:
    """A project with one transcript and one theme, an empty templates/ folder."""
    write(project / "a.txt", "Intervjuer: Hvordan går det?\nKari: Det går bra, takk.\n")
    run("import", "a.txt", "--speakers", "Intervjuer=interviewer")
    run("theme", "add", "Tid")
    (project / "templates").mkdir()
    return project


def refused_template(run: Run, project: Path, body: str, code: str,
                     named: str = "templates/results.md.j2") -> str:
    (project / "templates" / "results.md.j2").write_text(body, encoding="utf-8")
    before, files = snapshot(run, project), files_of(project)
    result = run("report", "results", "--format", "md", code=1)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error:"), (body, result.stderr)
    assert f"[{code}]" in lines[0] and named in lines[0], (body, lines[0])
    assert snapshot(run, project) == before
    assert files_of(project) == files  # no report, no half-written or temporary file
    return lines[0]


ESCAPES = [
    ("{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}", "E530"),
    ("{{ joiner.__init__.__globals__.__builtins__.open('MARKER', 'w') }}", "E530"),
    ("{{ ''.__class__.__mro__ }}", "E530"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "E530"),
    ("{{ self._TemplateReference__context }}", "E530"),
    ("{{ ''|attr('__class__') }}", "E530"),
    ("{{ '{0.__class__}'.format('') }}", "E530"),
    ("{{ 'MARKER'.translate({}) }}", "E530"),
]


@pytest.mark.parametrize(("body", "code"), ESCAPES)
def test_templates_cannot_reach_python(run: Run, small: Path, tmp_path: Path, body: str,
                                       code: str) -> None:
    marker = tmp_path / "marker"
    line = refused_template(run, small, body.replace("MARKER", str(marker)), code)
    assert not marker.exists()
    assert "templates may not use" in line


LIMITS = [
    ("{% for i in range(10**9) %}x{% endfor %}", "E531"),
    ("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}", "E531"),
    ("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
     "{{ f(60) }}", "E531"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "E531"),
    ("{{ 'x' * 10**9 }}", "E532"),
    ("{{ [1] * 10**9 }}", "E532"),
    ("{{ 10 ** (10 ** 10) }}", "E532"),
    ("{{ (2 ** 60000) * (2 ** 60000) }}", "E532"),
    ("{% set ns = namespace(s='xy') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}"
     "{% endfor %}", "E532"),
    ("{% set ns = namespace(s='xy') %}{% for i in range(60) %}{% set ns.s = ns.s + ns.s %}"
     "{% endfor %}", "E532"),
    ("{{ 'x'|center(10**9) }}", "E532"),
    ("{{ 'x'.ljust(999999999) }}", "E532"),
    ("{{ '%0999999999d' % 1 }}", "E532"),
    ("{{ '%0999999999d'|format(1) }}", "E532"),
    ("{{ '{:>999999999}'.format(1) }}", "E532"),
    ("{% set s = 'x' * 5000 %}{{ s|replace('x', s) }}", "E532"),
    ("{% set s = 'x' * 5000 %}{{ s.replace('x', s) }}", "E532"),
    ("{% set s = 'x' * 5000 %}{{ s.join(s) }}", "E532"),
    ("{% set s = 'x' * 5000 %}{{ range(5000)|join(s) }}", "E532"),
    ("{% set s = 'x\n' * 5000 %}{{ s|indent(s) }}", "E532"),
    ("{% set s = 'x' * 5000 %}{{ s|wordwrap(1, wrapstring=s) }}", "E532"),
    ("{% for i in range(20) %}{{ 'x' * 1000000 }}{% endfor %}", "E532"),
]


@pytest.mark.parametrize(("body", "code"), LIMITS)
def test_templates_stay_within_limits(run: Run, small: Path, body: str, code: str) -> None:
    refused_template(run, small, body, code)


@pytest.mark.parametrize("name", ["/etc/passwd", "../stc.toml", "sub/../../stc.toml",
                                  "C:/Windows/win.ini", "..\\stc.toml", ""])
def test_templates_are_found_only_inside_templates(run: Run, small: Path, name: str) -> None:
    line = refused_template(run, small, f"{{% include {name!r} %}}", "E533")
    assert "root:" not in line and "language" not in line


def test_links_out_of_templates_are_refused(run: Run, small: Path, tmp_path: Path) -> None:
    secret = write(tmp_path / "secret.txt", "SECRET")
    templates = small / "templates"
    (templates / "results.md.j2").symlink_to(secret)
    before = snapshot(run, small)
    result = run("report", "results", "--format", "md", code=1)
    assert "[E535]" in result.stderr and "links outside" in result.stderr
    assert "SECRET" not in result.output + result.stderr
    assert snapshot(run, small) == before
    (templates / "results.md.j2").unlink()
    (templates / "inner.j2").symlink_to(small / "stc.toml")  # inside the project, not templates/
    (templates / "results.md.j2").write_text("{% include 'inner.j2' %}")
    before = snapshot(run, small)
    result = run("report", "results", "--format", "md", code=1)
    assert "[E535]" in result.stderr and "templates/inner.j2" in result.stderr
    assert snapshot(run, small) == before and not list((small / "reports").iterdir())


def test_a_templates_folder_linked_elsewhere_is_refused(run: Run, small: Path,
                                                        tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    write(elsewhere / "results.md.j2", "borrowed")
    (small / "templates").rmdir()
    (small / "templates").symlink_to(elsewhere)
    result = run("report", "results", "--format", "md", code=1)
    assert "[E535]" in result.stderr and "outside the project" in result.stderr


def test_syntax_errors_and_unknown_names_say_where(run: Run, small: Path) -> None:
    line = refused_template(run, small, "fine\n{% for x in %}\n", "E534",
                            named="templates/results.md.j2, line 2")
    assert "unexpected" not in line
    write(small / "templates" / "part.j2", "a\nb\n{{ no_such_name }}\n")
    refused_template(run, small, "{% include 'part.j2' %}", "E534",
                     named="templates/part.j2, line 3")
    refused_template(run, small, "{% include 'missing.j2' %}", "E534")
    refused_template(run, small, "{{ 1 / 0 }}", "E534")


def test_honest_templates_keep_working(run: Run, small: Path) -> None:
    templates = small / "templates"
    write(templates / "macros.j2", "{% macro item(t) %}- {{ t|upper }}{% endmacro %}")
    write(templates / "results.md.j2",
          "{% from 'macros.j2' import item %}{{ title }}\n"
          "{% for t in themes %}{{ item(t) }} ({{ loop.index }}/{{ loop.length }})\n{% endfor %}"
          "{{ 'a,b,c'.split(',')|join(' + ') }} {{ '%03d'|format(7) }} {{ '{:>4}'.format(42) }}"
          " {{ (10**12)|filesizeformat }} {{ (range(3)|list + [9])|sum }}"
          " {{ 'x' * 3 ~ '!' }} {{ 'ab'|replace('b', 'c') }} {{ '%s-%s' % (1, 2) }}\n")
    run("report", "results", "--format", "md")
    assert (small / "reports" / "results.md").read_text() == (
        "Testprosjekt\n- TID (1/1)\na + b + c 007   42 1.0 TB 12 xxx! ac 1-2\n")
    write(templates / "audit.html.j2", "{{ title ~ '<b>' }}|{{ '<i>'|safe }}")
    run("report", "audit")
    assert (small / "reports" / "audit.html").read_text() == "Testprosjekt&lt;b&gt;|<i>"


def test_the_built_in_templates_render_a_large_analysis_within_the_limits(
        run: Run, tmp_path: Path) -> None:
    from stc.project import open_project
    from stc.reports.model import build
    from stc.reports.sandbox import render_template, sandbox
    from stc.stages.checks import run_checks

    root = tmp_path / "en"
    analysed_project(run, root, "en")
    project = open_project(root)
    model = build(project.conn, None, None, None, run_checks(project.conn))
    # a project's template is often a copy of a built-in one, and runs in the sandbox
    env = sandbox(root / "templates", model)
    for name in ("results.md.j2", "results.html.j2", "audit.html.j2"):
        render_template(env, name, model)
        # the budgets grow with the data: a report uses a small part of its steps
        assert env.steps < env.limits.steps // 20, name


def test_a_project_template_runs_in_the_sandbox_beside_trusted_built_in_ones(
        run: Run, small: Path) -> None:
    from stc.project import open_project
    from stc.reports.model import build
    from stc.reports.sandbox import ReportEnvironment, environment

    templates = small / "templates"
    write(templates / "results.md.j2", "{% for i in range(10**9) %}x{% endfor %}")
    before, files = snapshot(run, small), files_of(small)
    result = run("report", "all", code=1)
    assert "[E531]" in result.stderr and "templates/results.md.j2" in result.stderr
    assert snapshot(run, small) == before and files_of(small) == files
    run("report", "audit")  # built in, beside the project's template
    assert "Testprosjekt" in (small / "reports" / "audit.html").read_text()
    write(templates / "results.md.j2", "{{ ''.__class__.__mro__ }}")
    assert "[E530]" in run("report", "results", "--format", "md", code=1).stderr
    # the choice is made per template: only the project's own is sandboxed
    model = build(open_project(small).conn, None, None, None, None)
    assert isinstance(environment(templates, "results.md.j2", model), ReportEnvironment)
    for name in ("results.html.j2", "audit.html.j2", "method.md.j2"):
        assert not isinstance(environment(templates, name, model), ReportEnvironment)


def word_reference(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.styles["Heading 1"].font.name = "Garamond"
    document.save(str(path))
    return path


def test_the_word_reference_document_is_checked_like_a_transcript(
        run: Run, small: Path, tmp_path: Path) -> None:
    templates = small / "templates"
    run("report", "results", "--format", "docx")
    good = (small / "reports" / "results.docx").read_bytes()
    word_reference(templates / "results.docx")
    run("report", "results", "--format", "docx")
    from docx import Document

    styled = Document(str(small / "reports" / "results.docx"))
    assert styled.styles["Heading 1"].font.name == "Garamond"
    current = (small / "reports" / "results.docx").read_bytes()
    assert current != good

    plain = make_docx(tmp_path / "plain.docx", ["x"])
    hostile = {
        "laughs": rewrite_docx(plain, tmp_path / "laughs.docx", {
            "word/styles.xml": (BILLION_LAUGHS + "<x>&lol4;</x>").encode()}),
        "climbing": rewrite_docx(plain, tmp_path / "climbing.docx", {"../../evil.txt": b"x"}),
        "not a zip": write(tmp_path / "text.docx", "just text"),
    }
    for what, path in hostile.items():
        (templates / "results.docx").write_bytes(path.read_bytes())
        before = snapshot(run, small)
        result = run("report", "results", "--format", "docx", code=1)
        assert "[E536]" in result.stderr and "templates/results.docx" in result.stderr, what
        assert len(result.stderr.strip().splitlines()) == 1
        assert snapshot(run, small) == before
        assert (small / "reports" / "results.docx").read_bytes() == current
    (templates / "results.docx").unlink()
    (templates / "results.docx").symlink_to(word_reference(tmp_path / "outside.docx"))
    assert "[E535]" in run("report", "results", "--format", "docx", code=1).stderr


def test_a_failed_report_run_leaves_every_earlier_file_as_it_was(run: Run, tmp_path: Path) -> None:
    root = tmp_path / "nb"
    analysed_project(run, root, "nb")
    p = ["--project", str(root)]
    run("report", "all", *p)
    reports = root / "reports"
    before = {p.name: p.read_bytes() for p in reports.iterdir()}
    assert len(before) == 10  # results, audit, matrix (and its sidecar), method
    run("describe", "Teknologi", "-m", "Ny tekst om teknologi.", *p)  # the reports would change
    (root / "templates").mkdir()
    write(root / "templates" / "audit.html.j2", "{{ missing_value }}")  # the last template
    result = run("report", "all", *p, code=1)
    assert "[E534]" in result.stderr and "templates/audit.html.j2" in result.stderr
    assert {p.name: p.read_bytes() for p in reports.iterdir()} == before  # no .part left either
    (root / "templates" / "audit.html.j2").unlink()
    run("report", "all", *p)
    assert (reports / "results.md").read_bytes() != before["results.md"]
    assert sorted(os.listdir(reports)) == sorted(before)


def test_a_failed_first_run_leaves_no_empty_folder(run: Run, small: Path, tmp_path: Path) -> None:
    write(small / "templates" / "results.html.j2", "{{ nothing }}")
    run("report", "results", "--out", str(tmp_path / "new" / "out"), code=1)
    assert not (tmp_path / "new" / "out").exists()

