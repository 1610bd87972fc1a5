"""Users' regular expressions, searched without the risk of a hang.

Python's `re` backtracks: `(.+)+QQQ` takes longer than anyone waits on a single sentence. RE2
(the optional `google-re2` package, with wheels for Linux, macOS and Windows) matches in time
linear in the text whatever the pattern, so:

- with RE2 installed, every pattern RE2 understands runs there, with `\\w`, `\\d` and `\\s`
  widened to Unicode as in Python (RE2's are ASCII, where "på" would not be a word);
- a pattern RE2 cannot take (`\\b`, back references, look-around), or any pattern when RE2 is
  missing, runs in Python's `re` only if its shape cannot backtrack badly: no back reference, no
  repeat or alternation inside a repeat, and at most three open-ended repeats that can take the
  same character (`\\w+\\s+\\w+` is fine, `.*a.*b.*c.*d` is not: each extra one multiplies the
  work by the length of the sentence). Anything else is refused with a message (E131) before a
  single transcript is read.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from typing import Any

from stc.errors import StcError

Spans = Callable[[str], Iterator[tuple[int, int]]]  # (start, end) of each match in a text

MAX_OPEN_REPEATS = 3
# characters standing for each kind a repeat may take: letters, Nordic ones, digits, space, marks
SAMPLE = "aZøÅé0_ \t\n.,-!?'\"«»():;/"

# Python's Unicode classes in RE2's syntax, for use inside [...]
_CLASSES = {"w": r"\p{L}\p{N}_", "d": r"\p{Nd}", "s": r"\t-\r\x{1c}-\x{1f} \x{85}\p{Z}"}


def compile_regex(pattern: str) -> Spans:
    """Case-insensitive matching of a user's regular expression, in RE2 where it can be."""
    spans = _re2_spans(pattern)
    if spans is not None:
        return spans
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise StcError("E415", pattern=pattern, detail=str(exc)) from None
    why = backtracking_risk(pattern)
    if why:
        re2_would_take_it = (_re2() is None and _to_re2(pattern) is not None
                             and not why.startswith("it refers back"))
        hint = ("install google-re2 (`pip install google-re2`) to search it safely, or simplify"
                " it" if re2_would_take_it else "simplify it")
        raise StcError("E131", pattern=pattern, why=why, hint=hint)
    return lambda text: (m.span() for m in compiled.finditer(text))


def _re2() -> Any:
    try:
        return importlib.import_module("re2")
    except ImportError:
        return None


def _re2_spans(pattern: str) -> Spans | None:
    re2 = _re2()
    translated = _to_re2(pattern)
    if re2 is None or translated is None:
        return None
    options = re2.Options()
    options.case_sensitive = False
    try:
        compiled = re2.compile(translated, options)
    except re2.error:
        return None  # Python's syntax only (a back reference, look-around): Python's rules
    return lambda text: (m.span() for m in compiled.finditer(text))


def _to_re2(pattern: str) -> str | None:
    """The pattern in RE2's syntax with Python's meaning, or None where RE2 cannot say the
    same: `\\b` and `\\B` (RE2's word boundaries are ASCII), `\\W`, `\\D`, `\\S` inside [...]."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            if escaped in "bB" or (in_class and escaped in "WDS"):
                return None
            if escaped in _CLASSES:
                out.append(_CLASSES[escaped] if in_class else f"[{_CLASSES[escaped]}]")
            elif escaped.lower() in _CLASSES:
                out.append(f"[^{_CLASSES[escaped.lower()]}]")
            elif escaped == "Z":
                out.append(r"\z")  # the very end, as Python's \Z
            else:
                out.append(char + escaped)
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            out.append(char)
            i += 1
            for literal in ("^", "]"):  # `[^...`, and `]` first in a class is itself
                if pattern.startswith(literal, i):
                    out.append(literal)
                    i += 1
            continue
        if char == "]" and in_class:
            in_class = False
        elif char == "{" and not in_class and re.match(r"\{,\d+\}", pattern[i:]):
            char = "{0"  # Python reads {,n} as {0,n}; RE2 would take it literally
        out.append(char)
        i += 1
    return "".join(out)


def backtracking_risk(pattern: str) -> str | None:
    """Why Python's `re` could take very long on this pattern, or None."""
    parser = importlib.import_module("re._parser")
    constants = importlib.import_module("re._constants")
    repeats = {constants.MAX_REPEAT, constants.MIN_REPEAT, constants.POSSESSIVE_REPEAT}
    open_repeats: list[Any] = []  # their bodies

    def walk(items: Any, repeated: bool) -> str | None:
        for op, av in items:
            found: str | None = None
            if op in (constants.GROUPREF, constants.GROUPREF_EXISTS):
                return "it refers back to a group"
            if op in repeats:
                low, high, body = av
                if repeated and high != low:
                    return "a repeat inside a repeat, as in (a+)+"
                if high > 1 and any(o == constants.BRANCH for o, _ in _flat(body, constants)):
                    return "alternatives inside a repeat, as in (a|ab)*"
                if high == constants.MAXREPEAT:
                    open_repeats.append(body)
                found = walk(body, repeated or high > 1)
            elif op == constants.SUBPATTERN:
                found = walk(av[-1], repeated)
            elif op == constants.BRANCH:
                found = next(filter(None, (walk(b, repeated) for b in av[1])), None)
            elif op == constants.ATOMIC_GROUP:
                found = walk(av, repeated)
            elif op in (constants.ASSERT, constants.ASSERT_NOT):
                found = walk(av[1], repeated)
            if found:
                return found
        return None

    why = walk(parser.parse(pattern), False)
    if why is None and open_repeats:
        most = max(sum(_takes(body, char, constants) for body in open_repeats) for char in SAMPLE)
        if most > MAX_OPEN_REPEATS:
            why = f"{most} open-ended repeats such as .* or \\w+ that can take the same text"
    return why


def _takes(body: Any, char: str, constants: Any) -> bool:
    """Whether a repeat's body can match `char` (case-insensitively); True for any body more
    complex than one character class."""
    items = list(body)
    if len(items) != 1:
        return True
    op, av = items[0]
    if op == constants.IN:
        negated = bool(av) and av[0][0] == constants.NEGATE
        found = any(_in_item(o, a, char, constants) for o, a in av[1 if negated else 0:])
        return found != negated
    return _in_item(op, av, char, constants) if op != constants.SUBPATTERN else True


def _in_item(op: Any, av: Any, char: str, constants: Any) -> bool:
    lower = char.lower()
    if op == constants.ANY:
        return char != "\n"
    if op == constants.LITERAL:
        return chr(av).lower() == lower
    if op == constants.NOT_LITERAL:
        return chr(av).lower() != lower
    if op == constants.RANGE:
        return any(av[0] <= ord(c) <= av[1] for c in (char, lower, char.upper()))
    if op == constants.CATEGORY:
        name = str(av).removeprefix("CATEGORY_")
        test = {"WORD": lambda c: c.isalnum() or c == "_", "DIGIT": str.isdecimal,
                "SPACE": str.isspace}.get(name.removeprefix("NOT_"))
        if test is None:
            return True
        return bool(test(char)) != name.startswith("NOT_")
    return True


def _flat(items: Any, constants: Any) -> Iterator[tuple[Any, Any]]:
    """Every (op, av) in the parsed pattern, nested groups included."""
    for op, av in items:
        yield op, av
        if op == constants.SUBPATTERN:
            yield from _flat(av[-1], constants)
        elif op == constants.BRANCH:
            for branch in av[1]:
                yield from _flat(branch, constants)
        elif op in (constants.MAX_REPEAT, constants.MIN_REPEAT, constants.POSSESSIVE_REPEAT):
            yield from _flat(av[2], constants)
        elif op == constants.ATOMIC_GROUP:
            yield from _flat(av, constants)
        elif op in (constants.ASSERT, constants.ASSERT_NOT):
            yield from _flat(av[1], constants)
