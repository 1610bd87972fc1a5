"""Refusals on the workbench's pages in the pages' language: the Norwegian catalogue of error
messages (stc/locales/errors.nb.json) against stc/errors.py, and what a user sees when a write
is refused."""

from __future__ import annotations

import json
import string
from importlib import resources
from pathlib import Path

import pytest

from stc.errors import MESSAGES
from stc.web.app import create_app
from tests import workbench
from tests.conftest import Run
from tests.samples import snapshot
from tests.workbench import COLLEAGUES, PORT, SUPPORT, TOKEN, Tab, message, open_tab, study

__all__ = ["study"]  # the fixture shared with the other workbench tests (tests.workbench)

NORWEGIAN = json.loads(resources.files("stc").joinpath("locales", "errors.nb.json")
                       .read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return workbench.build_once(tmp_path_factory.mktemp("refusals"))


def blanks(template: str) -> list[tuple[str, str, str]]:
    """The {fields} of a message with their conversions (!r) and format specs, each as often
    as it occurs."""
    return sorted((name, conversion or "", spec or "")
                  for _, name, spec, conversion in string.Formatter().parse(template)
                  if name is not None)


def test_every_error_code_has_a_norwegian_message_with_the_same_blanks() -> None:
    assert sorted(set(MESSAGES) - set(NORWEGIAN)) == []  # every code translated
    assert sorted(set(NORWEGIAN) - set(MESSAGES)) == []  # none left over from a code removed
    assert [code for code, english in MESSAGES.items()
            if blanks(NORWEGIAN[code]) != blanks(english)] == []
    assert [code for code, said in NORWEGIAN.items() if said == MESSAGES[code]
            and any(c.isalpha() for c in string.Formatter().vformat(said, (), _Empty()))] == []


class _Empty(dict[str, str]):
    """Every field blank: what a message says in words of its own."""

    def __missing__(self, key: str) -> str:
        return ""


def rename_without_reason(tab: Tab) -> str:
    refused = tab.post("/board/subgroup/rename", {"subgroup": COLLEAGUES, "new": "Kolleger",
                                                  "why": " ", "group": SUPPORT})
    assert refused.status_code == 400
    return message(refused.text)


def test_a_refused_write_is_said_in_the_language_of_the_pages(run: Run, study: Path) -> None:
    before = snapshot(run, study)
    norsk = open_tab(create_app(study, TOKEN, port=PORT, author="tester"), "tab-refuse01")
    assert rename_without_reason(norsk) == (
        "Avvist: det trengs en begrunnelse for å gi en subgruppe nytt navn: sporet tar vare på "
        "den; skriv en og prøv igjen [E720]")
    english = open_tab(create_app(study, TOKEN, port=PORT, author="tester", interface="en"),
                       "tab-refuse02")
    assert rename_without_reason(english) == (
        "Refused: a reason is needed for renaming a subgroup: the trail keeps it; write one and "
        "try again [E720]")
    assert snapshot(run, study) == before


def test_error_pages_are_said_in_the_language_of_the_pages(study: Path) -> None:
    norsk = open_tab(create_app(study, TOKEN, port=PORT, author="tester"), "tab-refuse03")
    missing = norsk.get("/nowhere")
    assert missing.status_code == 404
    assert "Feil: ingen side i arbeidsbenken på /nowhere; begynn fra listen over " \
           "transkripsjoner [E715]" in missing.text
    stale = norsk.post("/board/sort", {"units": "U5", "into": COLLEAGUES},
                       **{"x-csrf-token": "stale"})
    assert stale.status_code == 403 and '<html lang="nb">' in stale.text
    assert "Arbeidsbenken avviste denne forespørselen" in stale.text
    assert "Feil: sidens sikkerhetsnøkkel mangler eller er utdatert; last inn siden på nytt " \
           "og prøv igjen [E713]" in stale.text
