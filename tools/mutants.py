"""`make mutants`: how many plausible bugs the test suite catches.

Each mutation below is one small edit of the kind a real mistake makes (an off-by-one, `<` for
`<=`, a transaction dropped, a check that always passes, a rule left out), given as the file, the
text it changes, the text it puts there, and the tests that should notice. They are applied one
at a time to a throw-away copy of the tree; the tests run there (stopping at the first failure),
and a mutation counts as killed when they fail or run out of time. The copy is laid out as the
wheel installs it (stages/, reports/, web/ ... as stc/stages, stc/reports, stc/web) and put first
on the path, so the working tree is never touched.

    make mutants                          every mutation (some minutes)
    .venv/bin/python tools/mutants.py --list
    .venv/bin/python tools/mutants.py matrix-good-rows-of-a-refused-file quote-nfc

Not part of `make test`. A mutation whose text no longer occurs exactly once in its file is
reported as stale (exit 2): the list follows the code, and is kept true with it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# the folders installed under stc (stages/ as stc.stages, ...): pyproject.toml's package-dir
LAYERS = tuple(folder for package, folder in tomllib.loads(
    (ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    ["package-dir"].items() if package.startswith("stc."))
TIMEOUT = 900.0  # seconds for one mutation's tests: far more than they take unmutated


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str  # as in the repository
    old: str
    new: str
    tests: tuple[str, ...]  # pytest node ids, run in the copy


MUTATIONS = [
    # -- quotes and segments
    Mutation("quote-nfc", "stc/quotes.py",
             'text = _WHITESPACE.sub(" ", unicodedata.normalize("NFC", quote)).strip()',
             'text = _WHITESPACE.sub(" ", quote).strip()',
             ("tests/test_quotes.py", "tests/test_step2.py")),
    Mutation("import-nfc", "stc/formats/decode.py",
             'return unicodedata.normalize("NFC", text)', "return text",
             ("tests/test_import.py",)),
    Mutation("segments-one-too-many", "stc/units.py",
             "j = bisect_left(starts, end) - 1", "j = bisect_left(starts, end)",
             ("tests/test_step2.py", "tests/test_matrix.py")),
    Mutation("segment-span-first-only", "stc/units.py",
             "return self.starts[i], self.ends[j]", "return self.starts[i], self.ends[i]",
             ("tests/test_step2.py", "tests/test_matrix.py")),
    Mutation("matrix-last-segment-refused", "stages/matrix.py",
             "if a > b or a < lo or b > hi:", "if a > b or a < lo or b >= hi:",
             ("tests/test_matrix.py",)),
    Mutation("quote-twice-taken", "stc/units.py",
             "if len(found) > 1:", "if len(found) > 2:",
             ("tests/test_step2.py", "tests/test_matrix.py")),
    # -- overlaps and bounds: < against <=
    Mutation("coders-touching-overlap", "stages/coders.py",
             "return x.start < y.end and y.start < x.end",
             "return x.start <= y.end and y.start <= x.end",
             ("tests/test_coders.py",)),
    Mutation("themes-lower-bound", "stages/checks.py",
             "if THEMES_MIN <= n <= THEMES_MAX:", "if THEMES_MIN < n <= THEMES_MAX:",
             ("tests/test_step4.py", "tests/test_step1.py")),
    Mutation("unit-number-reused", "stages/matrix.py",
             "if number <= known.last_number:", "if number < known.last_number:",
             ("tests/test_matrix.py",)),
    # -- all or nothing
    Mutation("matrix-good-rows-of-a-refused-file", "stages/matrix.py",
             "            _refuse(path, problems)\n",
             "            _refuse(path, [] if checked.plans else problems)\n",
             ("tests/test_matrix.py",)),
    Mutation("batch-commits-each-change", "stc/project.py",
             "        self.recorded.append(rec)\n        return rec\n",
             "        self.recorded.append(rec)\n        self.conn.execute('COMMIT')\n"
             "        self.conn.execute('BEGIN IMMEDIATE')\n        return rec\n",
             ("tests/test_step2.py", "tests/test_matrix.py", "tests/test_trail.py",
              "tests/test_step3.py")),
    Mutation("failed-import-keeps-its-original", "stc/project.py",
             "                    path.unlink(missing_ok=True)\n            raise",
             "                    pass\n            raise",
             ("tests/test_trail.py", "tests/test_import.py")),
    # -- the matrix row rules
    Mutation("matrix-interviewer-words-alone", "stages/matrix.py",
             "_row_check(check_speech, doc, start, end, known.allow_interviewer)",
             "_row_check(check_speech, doc, start, end, True)",
             ("tests/test_matrix.py",)),
    Mutation("matrix-crossing-speakers-unwarned", "stages/matrix.py",
             "_code_groups(known, codes, groups), new_number, warnings=warnings)",
             "_code_groups(known, codes, groups), new_number, warnings=[])",
             ("tests/test_matrix.py",)),
    Mutation("matrix-code-in-two-groups", "stages/matrix.py",
             "            if seen[0].casefold() != group.casefold():",
             "            if False:",
             ("tests/test_matrix.py",)),
    Mutation("matrix-unit-twice", "stages/matrix.py",
             "            if first != number:", "            if False:",
             ("tests/test_matrix.py",)),
    Mutation("matrix-edited-quote", "stages/matrix.py",
             "        if quote and normalise_quote(quote, known.loose)"
             " != normalise_quote(text, known.loose):",
             "        if False:",
             ("tests/test_matrix.py",)),
    # -- who speaks
    Mutation("interviewer-as-participant", "stc/participants.py",
             '            elif role == "participant":\n                who = whole if',
             "            else:\n                who = whole if",
             ("tests/test_step2.py", "tests/test_matrix.py", "tests/test_step4.py")),
    # -- checks that always pass
    Mutation("verbatim-check-passes", "stages/checks.py",
             "    if quote is not None and quote_is_verbatim(spoken, quote):\n        return []",
             "    if quote is not None:\n        return []",
             ("tests/test_step4.py",)),
    Mutation("nugget-not-verbatim", "stages/condensation.py",
             'text = verbatim_quote(source, quote, f"U{unit}", loose) if quote else source.strip()',
             "text = quote if quote else source.strip()",
             ("tests/test_step3.py",)),
    Mutation("condensate-gone-units-unseen", "stages/checks.py",
             '("condensates.gone", found.gone)', '("condensates.gone", [])',
             ("tests/test_step4.py", "tests/test_step3.py")),
    Mutation("condensate-new-units-unseen", "stages/checks.py",
             '("condensates.uncovered", found.new)', '("condensates.uncovered", [])',
             ("tests/test_step3.py", "tests/test_step4.py")),
    Mutation("verify-misses-an-altered-payload", "stc/trail.py",
             "if stored_prev != prev or digest != record_hash(",
             "if stored_prev != prev and digest != record_hash(",
             ("tests/test_trail.py", "tests/test_tamper.py")),
    Mutation("verify-counts-rows-only", "stc/trail.py",
             "if not have == want == matched:", "if not have == want:",
             ("tests/test_trail.py", "tests/test_tamper.py")),
    # -- prevalence
    Mutation("prevalence-counts-units", "stages/prevalence.py",
             "out.append(Prevalence(group_name, subgroup, len(units), len(people), total,",
             "out.append(Prevalence(group_name, subgroup, len(units), len(units), total,",
             ("tests/test_step4.py",)),
    Mutation("prevalence-none-in-words", "stages/prevalence.py",
             "    if n == 0:\n", "    if n < 0:\n",
             ("tests/test_step4.py",)),
    Mutation("prevalence-counts-set-aside", "stages/prevalence.py",
             '[u for u in group_units(conn, g["id"]) if u not in aside]',
             'list(group_units(conn, g["id"]))',
             ("tests/test_step4.py",)),
    # -- undo and redo
    Mutation("undo-not-rebuilding", "stc/history.py",
             "        replay(conn, in_effect)\n    except sqlite3.IntegrityError",
             "        pass\n    except sqlite3.IntegrityError",
             ("tests/test_trail.py", "tests/test_commands.py")),
    Mutation("undo-ignores-later-changes", "stc/history.py",
             "    _refuse_dependants(in_effect, target)\n", "",
             ("tests/test_commands.py", "tests/test_history.py")),
    Mutation("redo-forgotten", "stc/trail.py",
             "            out.difference_update(cancelled_by(payload))", "            pass",
             ("tests/test_commands.py", "tests/test_trail.py")),
    # -- erasure
    Mutation("erasure-of-a-shared-text", "stc/erasure.py",
             "        hashes -= _still_used_elsewhere(conn, doc, gone)\n", "",
             ("tests/test_erasure.py",)),
    # -- reports of one category
    Mutation("one-category-in-the-plural", "reports/model.py",
             'intro = p["overview_intro_one"] if len(cats) == 1 else p["overview_intro"]',
             'intro = p["overview_intro_one"] if len(cats) == 0 else p["overview_intro"]',
             ("tests/test_thesis_reports.py::test_one_category_one_subcategory_one_participant",)),
    Mutation("one-subcategory-in-the-plural", "reports/model.py",
             'key = "overview_sub_one" if len(subs) == 1 else "overview_sub_many"',
             'key = "overview_sub_one" if len(subs) == 0 else "overview_sub_many"',
             ("tests/test_thesis_reports.py::test_one_category_one_subcategory_one_participant",)),
    Mutation("the-only-participant", "stages/prevalence.py",
             "    if n == total == 1:\n", "    if n == total == 0:\n",
             ("tests/test_thesis_reports.py::test_one_category_one_subcategory_one_participant",
              "tests/test_step4.py")),
]


# -- the copy ------------------------------------------------------------------------------------

def in_copy(tree: Path, file: str) -> Path:
    """Where a file of the repository lies in the copy (laid out as installed)."""
    top, _, rest = file.partition("/")
    return tree / "stc" / top / rest if top in LAYERS else tree / file


def make_copy(tree: Path) -> None:
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "stc", tree / "stc", ignore=skip)
    for layer in LAYERS:
        shutil.copytree(ROOT / layer, tree / "stc" / layer, ignore=skip)
    for folder in ("tests", "corpora", "benchmarks"):  # corpora/ where the tests read it too
        shutil.copytree(ROOT / folder, tree / folder, ignore=skip)
    shutil.copy2(ROOT / "pyproject.toml", tree / "pyproject.toml")


def environment(tree: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONDONTWRITEBYTECODE": "1"}
    shared = ROOT.parent / "shared" / "data"  # the tests read it beside the repository
    if shared.is_dir() and "STC_SHARED_DATA" not in env:
        env["STC_SHARED_DATA"] = str(shared)
    return env


def check_layout(tree: Path) -> None:
    """The copy, not the working tree, is what the tests import."""
    probe = subprocess.run(
        [sys.executable, "-c", "import stc.stages.matrix as m, stc.reports.model as r;"
         " print(m.__file__); print(r.__file__)"],
        cwd=tree, env=environment(tree), capture_output=True, text=True, check=True)
    for line in probe.stdout.split():
        if not Path(line).is_relative_to(tree):
            sys.exit(f"the copy is not what Python imports: {line}")


def run_tests(tree: Path, tests: tuple[str, ...], timeout: float, verbose: bool = False
              ) -> tuple[str, str]:
    """('passed' | 'failed' | 'timeout' | 'error', the line that says why)."""
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-rf", "-p", "no:cacheprovider",
               "-m", "not browser and not packaging", *tests]
    try:
        done = subprocess.run(command, cwd=tree, env=environment(tree), capture_output=True,
                              text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return "timeout", f"over {timeout:.0f} s"
    lines = done.stdout.splitlines()
    failed = next((line for line in lines if line.startswith(("FAILED", "ERROR"))), "")
    if verbose:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
    if done.returncode == 0:
        return "passed", lines[-1] if lines else ""
    if done.returncode == 1:
        return "failed", failed
    return "error", failed or (lines[-1] if lines else done.stderr.strip()[-300:])


# -- the mutations --------------------------------------------------------------------------------

def stale(mutations: list[Mutation]) -> list[str]:
    """Mutations whose text does not occur exactly once in the file they name."""
    out = []
    for m in mutations:
        path = ROOT / m.file
        count = path.read_text(encoding="utf-8").count(m.old) if path.exists() else 0
        if count != 1:
            out.append(f"{m.name}: its text occurs {count} times in {m.file}")
    return out


def apply(tree: Path, m: Mutation) -> str:
    """Write the mutated file into the copy; returns the original text to restore."""
    path = in_copy(tree, m.file)
    original = path.read_text(encoding="utf-8")
    mutated = original.replace(m.old, m.new, 1)
    compile(mutated, str(path), "exec")  # a mutation must still parse
    path.write_text(mutated, encoding="utf-8")
    return original


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="only these mutations (default: all)")
    parser.add_argument("--list", action="store_true", help="list the mutations and stop")
    parser.add_argument("--verbose", action="store_true", help="show the end of each test run")
    parser.add_argument("--timeout", type=float, default=TIMEOUT,
                        help="seconds for one mutation's tests (default %(default)s)")
    args = parser.parse_args(argv)
    if args.list:
        for m in MUTATIONS:
            print(f"{m.name:40} {m.file}")
        return 0
    unknown = set(args.names) - {m.name for m in MUTATIONS}
    if unknown:
        parser.error(f"no mutation named {', '.join(sorted(unknown))}")
    chosen = [m for m in MUTATIONS if not args.names or m.name in args.names]
    problems = stale(chosen)
    if problems:
        print("Stale mutations (the code changed; update tools/mutants.py):", *problems,
              sep="\n  ")
        return 2
    with tempfile.TemporaryDirectory(prefix="stc-mutants-") as folder:
        tree = Path(folder)
        make_copy(tree)
        check_layout(tree)
        tests = tuple(dict.fromkeys(t for m in chosen for t in m.tests))
        started = time.monotonic()
        outcome, why = run_tests(tree, tests, args.timeout * 2)
        if outcome != "passed":
            print(f"The tests fail without any mutation ({outcome}): {why}")
            return 2
        print(f"unmutated: the tests pass ({time.monotonic() - started:.0f} s)", flush=True)
        survived = errors = 0
        for m in chosen:
            original = apply(tree, m)
            started = time.monotonic()
            try:
                outcome, why = run_tests(tree, m.tests, args.timeout, args.verbose)
            finally:
                in_copy(tree, m.file).write_text(original, encoding="utf-8")
            verdict = {"failed": "killed", "timeout": "killed", "passed": "SURVIVED"}.get(
                outcome, "ERROR")
            survived += verdict == "SURVIVED"
            errors += verdict == "ERROR"
            print(f"{verdict:9} {m.name:40} {time.monotonic() - started:5.0f} s  {why}",
                  flush=True)
    killed = len(chosen) - survived - errors
    print(f"\n{killed} of {len(chosen)} mutations killed, {survived} survived"
          + (f", {errors} could not be run" if errors else ""))
    return 0 if survived == errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
