#!/usr/bin/env bash
# The built wheel, installed into a fresh virtual environment far from the source tree, and used
# as a student would: import, segment a transcript with CRLF line ends, code, report, verify, and
# the demo. Usage: tools/smoke.sh dist/stc_condensation-VERSION-py3-none-any.whl
set -euo pipefail
wheel="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
"$python" -m venv env
env/bin/python -m pip install --quiet --disable-pip-version-check "$wheel"
export STC_AUTHOR=smoke
unset STC_PROJECT
# every module from the environment, none from a checkout
env/bin/python - "$work" <<'PY'
import sys
import stc, stc.cli, stc.corpora, stc.reports.render, stc.stages.condensation, stc.web.app
for module in (stc, stc.corpora, stc.reports.render, stc.stages.condensation, stc.web.app):
    assert module.__file__.startswith(sys.argv[1]), module.__file__
PY
stc=env/bin/stc
$stc --version
printf 'I: Hvordan var vakta?\r\nKari: Den var lang. Alarmen gikk tre ganger.\r\n' > intervju.txt
$stc init p --language nb --title "Vakter"
$stc --project p import intervju.txt --speakers I=interviewer | grep -q "2 turns, 3 segments"
$stc --project p code intervju:2-3 alarmer --group Trygghet
$stc --project p report results --format md
grep -q "Trygghet" p/reports/results.md
$stc --project p verify
$stc demo demo > demo.log
test -s demo/reports/results.docx && test -s demo/reports/audit.html
echo "smoke test passed: $($stc --version) from ${wheel##*/} in a fresh environment"
