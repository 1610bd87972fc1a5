"""Errors the library raises, with coded messages.

The CLI turns every `StcError` into one line on stderr, `Error: <message> [<code>]`, and exit 1.
Tests assert the code, so the prose can improve without breaking them.
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, str] = {
    # projects
    "E001": "no stc project here or in any parent folder of {path}; run `stc init DIR` or pass --project",
    "E002": "{path} already holds an stc project",
    "E003": "{path}: stc.toml is not valid TOML: {detail}",
    "E004": "unknown language {lang!r}; use a code such as nb, nn, sv, da, en or de",
    "E005": "this project was written by a newer stc (schema {found}); upgrade stc to open it",
    # input files
    "E101": "{path}: no such file; check the path",
    "E102": "{path} is a folder; name the transcript files inside it",
    "E103": "{path}: stc does not read {suffix!r} files; use .txt, .md, .docx, .odt, .rtf, .vtt or .srt",
    "E104": "{path} is empty; nothing to import",
    "E105": "{path} is {size} bytes, over the limit of {limit} bytes; split the transcript",
    "E106": "{path} looks like a binary file, not a transcript; export it as text or .docx",
    "E107": "{path}: cannot decode as {encoding}; pass the right --encoding (e.g. utf-8, cp1252)",
    "E108": "{path}: the text encoding could not be recognised; pass --encoding",
    "E109": "{path} is not a valid {kind} file ({detail}); open and save it again, or export as .txt",
    "E110": "{path}: {detail}; the archive may be hostile or damaged, so it was not opened",
    "E111": "{path}: the XML uses {detail}, which stc refuses for safety",
    "E112": "{path} holds no text after removing markup; nothing to import",
    "E113": "unknown encoding {encoding!r}; use a name such as utf-8, utf-16, cp1252 or latin-1",
    "E114": "{path}: the subtitle file has no readable cues ({detail})",
    # documents and references
    "E201": "document {doc!r} exists already; use another --id, or --replace {doc} to bring in a corrected version",
    "E202": "unknown document {doc!r}; `stc docs` lists them",
    "E203": "{ref!r} is not a reference stc understands; write DOC, DOC:N or DOC:N-M",
    "E204": "{doc} has segments 1-{last}; {ref!r} is outside them",
    "E205": "--speakers expects LABEL=ROLE with ROLE interviewer, participant or other, not {value!r}",
    "E206": "{path} is identical to document {doc} (imported already); nothing changed",
    "E207": "--id and --participant apply to one file at a time; import the files one by one",
    "E208": "invalid document id {doc!r}; use letters, digits, '-' and '_' (at most 40)",
    # trail
    "E301": "nothing to undo",
    "E302": "change #{seq} ({kind}) cannot be undone: {why}",
    "E303": "unknown change kind {kind!r} in the trail at #{seq}; upgrade stc",
    "E304": "--as-of {seq} is outside the trail (1-{last})",
    "E305": "unknown {kind} {name!r}",
    "E306": "{kind} {name!r} exists already",
    "E307": "{detail}",
}


class StcError(Exception):
    """Base for every error a user can cause. `code` keys into MESSAGES."""

    code = "E307"

    def __init__(self, code: str | None = None, **fields: Any) -> None:
        self.code = code or self.code
        self.fields = fields
        template = MESSAGES[self.code]
        super().__init__(template.format(**fields))

    @property
    def message(self) -> str:
        return str(self.args[0])


class NotAProject(StcError):
    code = "E001"


class ProjectExists(StcError):
    code = "E002"


class BadInput(StcError):
    """A file the user named cannot be read as a transcript."""

    code = "E109"


class UnknownReference(StcError):
    code = "E203"


class Conflict(StcError):
    """The change would clash with what the project already holds."""

    code = "E306"


class CannotUndo(StcError):
    code = "E301"


class Problem(StcError):
    """A free-form problem; prefer a coded subclass when the case recurs."""

    code = "E307"

    def __init__(self, detail: str) -> None:
        super().__init__("E307", detail=detail)
