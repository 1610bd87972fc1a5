"""What a REFI-QDA file holds, as far as stc reads it: the reader fills these, the importer maps
them onto a project. Positions are Unicode code points of the plain text, end exclusive. Users
are GUIDs here; `RefiFile.users` names them."""

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
    color: str | None = None


@dataclass
class RefiCoding:
    """One code applied to a selection or a source, by the user who applied it."""

    code: str  # code GUID
    user: str | None = None  # creatingUser GUID


@dataclass
class RefiSelection:
    """A coded stretch of a REFI-QDA text source (a PlainTextSelection)."""

    guid: str
    name: str | None
    start: int
    end: int
    codings: list[RefiCoding] = field(default_factory=list)
    description: str | None = None
    notes: list[str] = field(default_factory=list)
    user: str | None = None
    created: str | None = None

    @property
    def codes(self) -> list[str]:
        return [c.code for c in self.codings]


@dataclass
class RefiSource:
    """A REFI-QDA text source with its selections and notes."""

    guid: str
    name: str
    text: str | None  # None: the file named by plainTextPath is not there
    path: str | None  # plainTextPath as written
    selections: list[RefiSelection] = field(default_factory=list)
    codings: list[RefiCoding] = field(default_factory=list)  # codings of the whole source
    notes: list[str] = field(default_factory=list)
    description: str | None = None
    user: str | None = None
    created: str | None = None
    rich_text: bool = False  # a richTextPath (.docx) beside the plain text
    values: dict[str, str] = field(default_factory=dict)  # variable GUID -> value

    @property
    def variable_values(self) -> int:
        return len(self.values)

    @property
    def codes(self) -> list[str]:
        return [c.code for c in self.codings]


@dataclass
class RefiNote:
    """A REFI-QDA note (memo)."""

    guid: str
    name: str | None
    text: str
    description: str | None = None
    user: str | None = None
    created: str | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)  # an annotation's positions


@dataclass
class RefiSet:
    """A REFI-QDA set of codes, sources or notes."""

    guid: str
    name: str
    description: str | None
    codes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class RefiCase:
    """A REFI-QDA case, the sources it holds and the values of its variables."""

    guid: str
    name: str
    sources: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)  # variable GUID -> value
    description: str | None = None

    @property
    def variable_values(self) -> int:
        return len(self.values)


@dataclass
class RefiVariable:
    """A REFI-QDA variable: its name and type (Text, Boolean, Integer, Float, Date,
    DateTime)."""

    guid: str
    name: str
    type: str


class LeftOut:
    """What an import could not keep, by kind and count, in the order first met (REFI-QDA 1.5
    section 7: an importer tells the user what it discards)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def add(self, kind: str, count: int = 1) -> None:
        if count:
            self.counts[kind] = self.counts.get(kind, 0) + count

    def __bool__(self) -> bool:
        return bool(self.counts)


@dataclass
class RefiFile:
    """A parsed .qdpx, .qde or .qdc."""

    kind: str  # "project" or "codebook"
    name: str | None
    origin: str | None
    sha256: str = ""  # of the file as read
    codes: list[RefiCode] = field(default_factory=list)
    sources: list[RefiSource] = field(default_factory=list)
    notes: list[RefiNote] = field(default_factory=list)
    sets: list[RefiSet] = field(default_factory=list)
    cases: list[RefiCase] = field(default_factory=list)
    variables: dict[str, RefiVariable] = field(default_factory=dict)  # by GUID
    users: dict[str, str] = field(default_factory=dict)  # GUID -> name
    description: str | None = None  # the project's
    project_notes: list[str] = field(default_factory=list)
    left_out: LeftOut = field(default_factory=LeftOut)
    remarks: list[str] = field(default_factory=list)  # what the user should know, not a loss

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
