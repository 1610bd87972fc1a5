"""The wheel holds what an installed stc needs, built from the source folders alone: stages/,
reports/ and web/ become stc.stages, stc.reports and stc.web through the package-dir mapping (no
symlinks), with the report and page templates, the static files, the phrase catalogues and the
sample corpora `stc demo` analyses.
Built offline with the venv's setuptools; a few seconds."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "tools", "stc", "stages", "reports", "web", "corpora")


def pip(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pip", *args, "--no-deps", "--no-index",
                           "--disable-pip-version-check"],
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The wheel built from a copy of the sources (as a checkout without symlinks has them),
    and the build's output."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, symlinks=False,
                            ignore=shutil.ignore_patterns("__pycache__"))
        elif path.is_file():
            shutil.copy2(path, source / name)
    built = pip("wheel", "--no-build-isolation", "--wheel-dir", str(work / "dist"), str(source))
    assert built.returncode == 0, built.stdout + built.stderr
    [found] = (work / "dist").glob("stc_condensation-*.whl")
    return found, built.stdout + built.stderr


@pytest.mark.packaging
def test_the_wheel_holds_the_steps_the_reports_the_workbench_and_their_data(
        wheel: tuple[Path, str]) -> None:
    names = set(zipfile.ZipFile(wheel[0]).namelist())
    for name in ("stc/stages/condensation.py", "stc/stages/checks.py", "stc/reports/render.py",
                 "stc/reports/templates/results.md.j2", "stc/reports/templates/audit.html.j2",
                 "stc/locales/nb.json", "stc/locales/en.json", "stc/py.typed",
                 "stc/data/pseudonymise/nb.toml",
                 "stc/web/app.py", "stc/web/templates/base.html", "stc/web/static/htmx.min.js",
                 "stc/corpora/nb-hjemmetjeneste/I2.docx",
                 "stc/corpora/nb-hjemmetjeneste/deltakere.csv",
                 "stc/corpora/nb-hjemmetjeneste/analysis/koding.csv",
                 "stc/corpora/en-chronic-pain/P3.srt"):
        assert name in names, name
    assert not [n for n in names if n.startswith(("stages/", "reports/", "web/", "tools/",
                                                  "corpora/"))]


@pytest.mark.packaging
def test_building_the_wheel_warns_of_nothing(wheel: tuple[Path, str]) -> None:
    assert [line for line in wheel[1].splitlines() if "warning" in line.lower()] == []


@pytest.mark.packaging
def test_the_installed_wheel_imports_its_steps_and_finds_its_data(
        wheel: tuple[Path, str], tmp_path: Path) -> None:
    target = tmp_path / "site"
    installed = pip("install", "--target", str(target), str(wheel[0]))
    assert installed.returncode == 0, installed.stderr
    # the target first on the path; every module must come from it, not from this checkout
    probe = (
        f"import sys; sys.path.insert(0, {str(target)!r})\n"
        "import stc.stages.condensation, stc.reports.render, stc.phrases\n"
        "from importlib import resources\n"
        "print(stc.stages.condensation.__file__)\n"
        "print(stc.reports.render.__file__)\n"
        "print(stc.phrases.phrases('nb')['code'])\n"
        "print(resources.files('stc.reports').joinpath('templates', 'results.md.j2').is_file())\n"
    )
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=tmp_path, timeout=60, check=False)
    assert ran.returncode == 0, ran.stderr
    condensation, render, language, template = ran.stdout.split()
    assert Path(condensation).is_relative_to(target) and Path(render).is_relative_to(target)
    assert (language, template) == ("kode", "True")
