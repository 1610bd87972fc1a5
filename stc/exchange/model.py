"""What a REFI-QDA file holds, as far as stc reads it: the reader fills these, the importer maps
them onto a project. Positions are Unicode code points of the plain text, end exclusive."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RefiCode:
    """A code of a REFI-QDA project, with the codes nested under it."""

    guid: str
    name: str
    codable: bool
    description: str | None = None
    children: list[RefiCode] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # GUIDs of the notes it refers to


@dataclass
class RefiSelection:
    """A coded stretch of a REFI-QDA text source (a PlainTextSelection)."""

    guid: str
    name: str | None
    start: int
    end: int
    codes: list[str] = field(default_factory=list)  # code GUIDs
    description: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class RefiSource:
    """A REFI-QDA text source with its selections, notes and variables."""

    guid: str
    name: str
    text: str | None  # None: the file named by plainTextPath is not there
    path: str | None  # plainTextPath as written
    selections: list[RefiSelection] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)  # codings of the whole source
    notes: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)  # variable name -> text value


@dataclass
class RefiNote:
    """A REFI-QDA note (memo)."""

    guid: str
    name: str | None
    text: str
    description: str | None = None
    author: str | None = None


@dataclass
class RefiSet:
    """A REFI-QDA set of codes or sources."""

    guid: str
    name: str
    description: str | None
    codes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


@dataclass
class RefiCase:
    """A REFI-QDA case and the sources it holds."""

    guid: str
    name: str
    sources: list[str] = field(default_factory=list)


@dataclass
class RefiFile:
    """A parsed .qdpx, .qde or .qdc."""

    kind: str  # "project" or "codebook"
    name: str | None
    origin: str | None
    codes: list[RefiCode] = field(default_factory=list)
    sources: list[RefiSource] = field(default_factory=list)
    notes: list[RefiNote] = field(default_factory=list)
    sets: list[RefiSet] = field(default_factory=list)
    cases: list[RefiCase] = field(default_factory=list)
    project_notes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # what stc could not take, for the user

    @property
    def from_stc(self) -> bool:
        return (self.origin or "").startswith("stc ")

    def all_codes(self) -> list[RefiCode]:
        out: list[RefiCode] = []

        def walk(codes: list[RefiCode]) -> None:
            for code in codes:
                out.append(code)
                walk(code.children)

        walk(self.codes)
        return out
