"""Pseudonymisation: identifying words in a transcript replaced by consistent placeholders.

Pure functions over text, tested directly; the key file is `stc.pseudokey`, and runs over files
(import, copies, review, check) are `stc.deidentify`. Two things are replaced, and nothing else:

- names from the user's list (`Kari = participant`), as whole words in the case they are listed
  (or in capitals), with a Nordic genitive (and, for workplaces and institutions, a definite
  ending) kept after the placeholder: `Karis` -> `[INFORMANT 1]s`. A name that is also an
  ordinary word ("Per", "Liv", "Hans") is replaced only where it is written as the list writes
  it, so "per dag", "livet" and "hans bil" stay;
- what is found without a list: national identity numbers whose check digits hold (Norwegian
  fødselsnummer and D-number, Swedish personnummer, Danish CPR; python-stdnum), phone numbers
  (phonenumbers), e-mail addresses, URLs and full dates.

Words that may be names but are not on the list are only offered for review
(`find_candidates`); rare attributes (a country, an unusual profession, an age over 90, a named
diagnosis) are only warned about (`find_quasi_identifiers`).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from typing import Any, NamedTuple

from stc.errors import StcError
from stc.formats.model import RawTurn

CATEGORIES = ("participant", "person", "place", "workplace", "institution")
PATTERN_KINDS = ("id_number", "phone", "email", "url", "date")
# what a list line may call a category, in the Nordic languages too
CATEGORY_WORDS = {
    "participant": "participant", "informant": "participant", "deltaker": "participant",
    "deltakar": "participant", "deltagare": "participant", "deltager": "participant",
    "person": "person", "place": "place", "sted": "place", "stad": "place", "plats": "place",
    "workplace": "workplace", "arbeidssted": "workplace", "arbeidsstad": "workplace",
    "arbetsplats": "workplace", "arbejdssted": "workplace",
    "institution": "institution", "institusjon": "institution",
}
UNDECIDED, REJECTED = "?", "-"
_DATA_LANGUAGES = ("nb", "nn", "sv", "da", "en")


# -- the words of a language ---------------------------------------------------------------

@cache
def language_data(lang: str) -> dict[str, Any]:
    """Placeholders, review triggers, month names, phone regions and quasi-identifier lists
    of a language (stc/data/pseudonymise/LANG.toml); English for a language without a file."""
    name = lang if lang in _DATA_LANGUAGES else "en"
    text = (resources.files("stc") / "data" / "pseudonymise" / f"{name}.toml").read_text("utf-8")
    return tomllib.loads(text)


def placeholder(kind: str, lang: str, number: int | None = None) -> str:
    label = language_data(lang)["placeholders"][kind]
    return f"[{label} {number}]" if number else f"[{label}]"  # 0: a name not yet numbered


@lru_cache(maxsize=8)
def placeholder_pattern(lang: str) -> re.Pattern[str]:
    """Any placeholder of the language, numbered or not."""
    labels = sorted(language_data(lang)["placeholders"].values(), key=len, reverse=True)
    return re.compile(r"\[(?:" + "|".join(map(re.escape, labels)) + r")(?: \d+)?\]")


@lru_cache(maxsize=8)
def ordinary_words(lang: str) -> Mapping[str, str] | None:
    """The language's lexicon (simplemma's dictionary), or None where simplemma has none. A
    word whose lower-case form is a key is an ordinary word of the language."""
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    try:
        return DefaultDictionaryFactory().get_dictionary(lang)
    except (ValueError, KeyError, OSError):
        return None


def is_ordinary_word(word: str, lang: str) -> bool:
    lexicon = ordinary_words(lang)
    return lexicon is not None and unicodedata.normalize("NFC", word.lower()) in lexicon


# -- the names list --------------------------------------------------------------------------

class Entry(NamedTuple):
    """One line of a names list: a name with its other spellings, and what it names."""

    forms: tuple[str, ...]
    category: str


class NamesList(NamedTuple):
    accepted: list[Entry]
    rejected: list[str]  # words the user said are not names, so review does not ask again
    undecided: list[Entry]  # lines still marked `?`

    def known(self) -> set[str]:
        """Every phrase on the list in any state, case-folded."""
        phrases = {f for e in (*self.accepted, *self.undecided) for f in e.forms}
        return {squeeze(p).casefold() for p in (*phrases, *self.rejected)}


def squeeze(text: str) -> str:
    return " ".join(text.split())


def parse_names_list(text: str, path: str = "LIST") -> NamesList:
    """Read a names list: one name a line, `Name = category` (participant, person, place,
    workplace, institution; person when left out), other spellings after `|`
    (`Kari Hansen | Kari = participant`), `#` comments, and `?` before a line still to
    decide or `-` before a word that is not a name."""
    names = NamesList([], [], [])
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        mark = line[0] if line[0] in (UNDECIDED, REJECTED) else ""
        line = line[len(mark):].strip()
        if mark == REJECTED:
            names.rejected.extend(squeeze(f) for f in line.split("=")[0].split("|") if f.strip())
            continue
        entry = _entry(line, path, number)
        (names.undecided if mark else names.accepted).append(entry)
    return names


def _entry(line: str, path: str, number: int) -> Entry:
    phrase, sep, kind = line.rpartition("=")
    if not sep:
        phrase, kind = line, "person"
    category = CATEGORY_WORDS.get(kind.strip().lower())
    if category is None:
        raise StcError("E903", path=path, line=number, detail=f"unknown kind {kind.strip()!r}")
    forms = tuple(squeeze(unicodedata.normalize("NFC", f)) for f in phrase.split("|"))
    if not all(forms):
        raise StcError("E903", path=path, line=number, detail="a name is empty")
    return Entry(forms, category)


def entry_line(entry: Entry, mark: str = "") -> str:
    prefix = f"{mark} " if mark else ""
    return f"{prefix}{' | '.join(entry.forms)} = {entry.category}"


# -- rules and replacement -----------------------------------------------------------------

class Named(NamedTuple):
    """A listed name with the number its placeholder carries (`[PERSON 2]`)."""

    forms: tuple[str, ...]
    category: str
    number: int


@dataclass(frozen=True)
class Rules:
    """What to replace in a language: the numbered names; the patterns always apply."""

    lang: str
    names: tuple[Named, ...] = ()
    in_file_names: bool = False  # names glued to others by hyphens count too
    not_names: tuple[str, ...] = ()  # what the list rejects as names, case-folded: not offered

    def summary(self) -> dict[str, Any]:
        """The rules as the trail records them: counts and kinds, never a name."""
        counts = {c: sum(1 for n in self.names if n.category == c) for c in CATEGORIES}
        return {"names": {c: k for c, k in counts.items() if k}, "patterns": list(PATTERN_KINDS),
                "language": self.lang}


class Replacement(NamedTuple):
    start: int
    end: int
    original: str
    placeholder: str
    kind: str  # a category or a pattern kind


_GENITIVE = r"(?:'s|’s|s|'|’)"
_DEFINITE = r"(?:ene|en|et|na|ne|a|n|t)"
_SUFFIX = re.compile(rf"(?i:{_DEFINITE}?{_GENITIVE}?)")
_GENITIVE_ONLY = re.compile(rf"(?i:{_GENITIVE}?)")
_DEFINITE_TOO = ("workplace", "institution")


@lru_cache(maxsize=16)
def _names_pattern(names: tuple[Named, ...], in_file_names: bool = False
                   ) -> tuple[re.Pattern[str] | None, dict[str, Named]]:
    surfaces: dict[str, Named] = {}
    for named in names:
        for form in named.forms:
            for variant in (form, form.upper(), form[:1].upper() + form[1:]):
                surfaces.setdefault(variant, named)
    if not surfaces:
        return None, surfaces
    alternatives = (r"\s+".join(map(re.escape, s.split())) for s in
                    sorted(surfaces, key=len, reverse=True))
    # in text, a name glued to a capitalised word by a hyphen is another name (Kari-Anne);
    # in a file name, digits and separators end a name (kari1.docx, kari_2.docx)
    before, after = (r"(?<![^\W\d_])", r"(?![^\W\d_])") if in_file_names else (
        r"(?<!\w)(?<!\w-)", r"(?!\w|-[^\W\d_a-zæøåäöü])")
    pattern = re.compile(before + "(" + "|".join(alternatives) + rf")({_SUFFIX.pattern})"
                         + after)
    return pattern, surfaces


def _name_spans(text: str, rules: Rules) -> Iterable[Replacement]:
    pattern, surfaces = _names_pattern(rules.names, rules.in_file_names)
    if pattern is None:
        return
    for match in pattern.finditer(text):
        named = surfaces.get(squeeze(match.group(1)))
        if named is None:
            continue
        allowed = _SUFFIX if named.category in _DEFINITE_TOO else _GENITIVE_ONLY
        if not allowed.fullmatch(match.group(2)):
            continue  # "Livet" is not a form of the name Liv
        if not match.group(2) and _ordinary_reading(text, match.start(1), match.end(1),
                                                    rules.lang):
            continue
        yield Replacement(match.start(1), match.end(1), match.group(1),
                          placeholder(named.category, rules.lang, named.number), named.category)


_FOLLOWING_WORD = re.compile(r"[ \t]+([^\W\d_]+)")
# endings a Nordic noun takes; in English an -s is as often a verb's (`Tom lives`)
_NOUN_ENDINGS = ("", "en", "et", "a", "er", "ene", "ar", "ane", "erne", "na", "e", "n", "t", "s")


def _ordinary_reading(text: str, start: int, end: int, lang: str) -> bool:
    """Whether a listed name that is also an ordinary word ("Per", "Hans") is that word here:
    only at the start of a sentence, where the case does not tell, and only when a word
    follows that is neither a function word nor a verb ("Per dag", "Hans bil"; but "Per kom",
    "Per og Kari", "Hans sa"). Everywhere else the case as listed decides."""
    word = text[start:end]
    following = _FOLLOWING_WORD.match(text, end)
    after = following.group(1) if following else ""
    if " " in word or not after or not _starts_sentence(text, start):
        return False
    if after == "I" and lang == "en":  # "May I ask", "Will I"
        return is_ordinary_word(word, lang)
    return after[0].islower() and is_ordinary_word(word, lang) and not _name_follows(after, lang)


def _name_follows(after: str, lang: str) -> bool:
    """Whether the word after a capitalised word at the start of a sentence shows it to be a
    name: a function word, an unknown word, or a verb (in a V2 language the verb comes second)."""
    function_words = language_data(lang).get("names", {}).get("function_words", [])
    return (after.lower() in function_words or not is_ordinary_word(after, lang)
            or _looks_like_verb(after, lang))


def _starts_sentence(text: str, index: int) -> bool:
    before = text[:index].rstrip(" \t\"'«»“”‘’-–—(")
    return not before or before[-1] in ".!?…:;\n"


def _looks_like_verb(word: str, lang: str) -> bool:
    """A word simplemma takes to another lemma that is not a noun's ending away (`kom` ->
    `komme`, `sa` -> `si`, but `bilen` -> `bil`)."""
    import simplemma

    try:
        lemma = simplemma.lemmatize(word.lower(), lang=lang)
    except ValueError:
        return True
    lowered = word.lower()
    endings = ("",) if lang == "en" else _NOUN_ENDINGS
    return lemma != lowered and not (lowered.startswith(lemma)
                                     and lowered[len(lemma):] in endings)


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?<!\w)(?:https?://|www\.)[^\s<>\"«»]+", re.IGNORECASE)
_URL_TRAIL = ".,;:!?)]}'\"’”"
_ID = re.compile(r"(?<![\w+.,-])(\d{6}[ +-]?\d{5}|(?:\d{2})?\d{6}[ +-]?\d{4})(?![\w]|[.,]\d)")


def _emails(text: str) -> Iterable[tuple[int, int]]:
    for m in _EMAIL.finditer(text):
        yield m.start(), m.end()


def _urls(text: str) -> Iterable[tuple[int, int]]:
    for m in _URL.finditer(text):
        yield m.start(), m.start() + len(m.group(0).rstrip(_URL_TRAIL))


def valid_id_number(number: str, lang: str) -> bool:
    """A Norwegian fødselsnummer or D-number, a Swedish personnummer or a Danish CPR whose
    check digits hold. Danish numbers have had no check digit since 2007, so outside Danish
    transcripts a CPR must also pass the old one; inside, a valid birth date is enough."""
    from stdnum.dk import cpr
    from stdnum.no import fodselsnummer
    from stdnum.se import personnummer

    digits = re.sub(r"\D", "", number)
    if len(digits) == 11:
        return bool(fodselsnummer.is_valid(digits))
    if personnummer.is_valid(number):
        return True
    if len(digits) != 10 or not cpr.is_valid(digits):
        return False
    return lang == "da" or cpr.checksum(digits) == 0


def _id_numbers(text: str, lang: str) -> Iterable[tuple[int, int]]:
    for m in _ID.finditer(text):
        if valid_id_number(m.group(1), lang):
            yield m.start(1), m.end(1)


@lru_cache(maxsize=8)
def _date_patterns(lang: str) -> tuple[re.Pattern[str], ...]:
    months = {*language_data(lang)["dates"]["months"], *language_data("en")["dates"]["months"]}
    month = "(?:" + "|".join(sorted(map(re.escape, months), key=len, reverse=True)) + r")\.?"
    return (
        re.compile(r"(?<![\d.,/-])(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?![\d]|[.,/-]\d)"),
        re.compile(r"(?<![\d.,/-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d]|[.,/-]\d)"),
        re.compile(rf"(?<![\w.])(\d{{1,2}})(?:\.|st|nd|rd|th)?\s+(?:of\s+)?({month})\s*,?\s+"
                   r"(\d{4})(?!\d)", re.IGNORECASE),
        re.compile(rf"(?<!\w)({month})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)",
                   re.IGNORECASE),
    )


def _dates(text: str, lang: str) -> Iterable[tuple[int, int]]:
    numeric, iso, day_month, month_day = _date_patterns(lang)
    for m in numeric.finditer(text):
        if _real_date(m.group(4), m.group(3), m.group(1)):
            yield m.start(), m.end()
    for m in iso.finditer(text):
        if _real_date(m.group(1), m.group(2), m.group(3)):
            yield m.start(), m.end()
    for m in day_month.finditer(text):
        if 1 <= int(m.group(1)) <= 31:
            yield m.start(), m.end()
    for m in month_day.finditer(text):
        if 1 <= int(m.group(2)) <= 31:
            yield m.start(), m.end()


def _real_date(year: str, month: str, day: str) -> bool:
    try:
        date(int(year) if len(year) == 4 else 2000 + int(year), int(month), int(day))
    except ValueError:
        return False
    return True


# time ranges, and the shapes of an identity number (its check digits failed) and of a
# Norwegian bank account: phonenumbers takes some of them for foreign numbers
_NOT_PHONE = re.compile(r"\d{1,2}[.:]?\d{2}\s*[-–]\s*\d{1,2}[.:]?\d{2}|\d{6}[ -]?\d{5}"
                        r"|\d{4}\.\d{2}\.\d{5}")
# how phone numbers are written even where the number itself is not in use (the ranges kept
# for fiction, such as 07700 900123 or 555-0123, are what constructed transcripts hold)
_PHONE_SHAPES = re.compile(
    r"(?<![\w+.,/-])(?:\d{3} \d{2} \d{3}|\d{2} \d{2} \d{2} \d{2}"  # Norway, Denmark
    r"|0\d{1,3}-\d{2,3} ?\d{2,3} ?\d{2,3}"  # Sweden
    r"|0\d{3,4} \d{6}|0\d{2} \d{4} \d{4}"  # Britain
    r"|\(\d{3}\) ?\d{3}-\d{4}|\d{3}-\d{3}-\d{4}|555-\d{4}"  # North America
    r"|(?:\+|00)\d{1,3}(?:[ -]?\(0\))?(?:[ -]?\d){6,12}"  # with a country code
    r")(?![\w]|[.,/-]\d)")


def _phones(text: str, lang: str) -> Iterable[tuple[int, int]]:
    """Phone numbers valid in the language's regions (phonenumbers), and numbers written the
    way phone numbers are; not a year or time range, nor what has the shape of an identity
    number (whose check digits failed) or a bank account."""
    import phonenumbers

    for m in _PHONE_SHAPES.finditer(text):
        yield m.start(), m.end()
    for region in language_data(lang)["phones"]["regions"]:
        for found in phonenumbers.PhoneNumberMatcher(text, region,
                                                     leniency=phonenumbers.Leniency.VALID):
            raw = found.raw_string
            groups = re.findall(r"\d+", raw)
            if len("".join(groups)) < 8 or ". " in raw or _NOT_PHONE.fullmatch(raw):
                continue
            if not raw.startswith("+") and (max(map(len, groups)) >= 11
                                            or [len(g) for g in groups] == [4, 4]):
                continue
            yield found.start, found.end


def find_identifiers(text: str, rules: Rules) -> list[Replacement]:
    """Every place to replace in `text`, in order and without overlaps: the patterns first
    (an e-mail address holding a name is replaced whole), then the listed names."""
    taken: list[Replacement] = []

    def claim(spans: Iterable[tuple[int, int]], kind: str) -> None:
        for start, end in spans:
            if end > start and not any(r.start < end and start < r.end for r in taken):
                taken.append(Replacement(start, end, text[start:end],
                                         placeholder(kind, rules.lang), kind))

    lang = rules.lang
    claim(_emails(text), "email")
    claim(_urls(text), "url")
    claim(_id_numbers(text, lang), "id_number")
    claim(_dates(text, lang), "date")
    if any(ch.isdigit() for ch in text):
        claim(_phones(text, lang), "phone")
    for name in _name_spans(text, rules):
        if not any(r.start < name.end and name.start < r.end for r in taken):
            taken.append(name)
    return sorted(taken)


def pseudonymise_text(text: str, rules: Rules) -> tuple[str, list[tuple[str, str]]]:
    """The text with every identifier replaced, and (placeholder, original) for each
    placeholder in the result, in order. A placeholder the text held already is listed as
    itself, so that `restore_text` walks the placeholders in step."""
    found = find_identifiers(text, rules)
    literal = [Replacement(m.start(), m.end(), m.group(0), m.group(0), "literal")
               for m in placeholder_pattern(rules.lang).finditer(text)
               if not any(r.start < m.end() and m.start() < r.end for r in found)]
    parts: list[str] = []
    pairs: list[tuple[str, str]] = []
    cursor = 0
    for r in sorted(found + literal):
        parts.append(text[cursor:r.start])
        parts.append(r.placeholder)
        pairs.append((r.placeholder, r.original))
        cursor = r.end
    parts.append(text[cursor:])
    return "".join(parts), pairs


def pseudonymise_turns(turns: Sequence[RawTurn], rules: Rules
                       ) -> tuple[list[RawTurn], list[tuple[str, str]]]:
    """Turns with their speaker labels and speech pseudonymised; the pairs in the order the
    placeholders come in the document built from them (label, then speech, turn by turn)."""
    out: list[RawTurn] = []
    pairs: list[tuple[str, str]] = []
    for turn in turns:
        speaker = turn.speaker
        if speaker:
            speaker, found = pseudonymise_text(speaker, rules)
            pairs += found
        text, found = pseudonymise_text(turn.text, rules)
        pairs += found
        out.append(RawTurn(speaker, text, turn.begins, turn.ends))
    return out, pairs


def replacement_counts(pairs: Iterable[tuple[str, str]]) -> dict[str, int]:
    """How many of each placeholder label a text received, without numbers: `{"PERSON": 3}`."""
    counts: dict[str, int] = {}
    for held, original in pairs:
        if held != original:
            label = held.strip("[]").rstrip("0123456789").strip()
            counts[label] = counts.get(label, 0) + 1
    return counts


def restore_text(text: str, pairs: Sequence[tuple[str, str]]) -> str:
    """The original text back from a pseudonymised one and the pairs its run gave (kept by a
    full key). Raises E913 when the text does not hold those placeholders in that order."""
    held = sorted({p for p, _ in pairs}, key=len, reverse=True)
    matches = list(re.finditer("|".join(map(re.escape, held)), text)) if held else []
    if [m.group(0) for m in matches] != [p for p, _ in pairs]:
        raise StcError("E913")
    parts: list[str] = []
    cursor = 0
    for m, (_, original) in zip(matches, pairs, strict=True):
        parts += [text[cursor:m.start()], original]
        cursor = m.end()
    parts.append(text[cursor:])
    return "".join(parts)


def safe_name(text: str) -> str:
    """A pseudonymised file stem usable as a document id: `[INFORMANT 1]-intervju` ->
    `INFORMANT1-intervju`, `[INFORMANT 1]2` -> `INFORMANT1-2`."""
    def plain(m: re.Match[str]) -> str:
        word = re.sub(r"\W", "", m.group(1))
        before = "-" if m.start() and text[m.start() - 1].isalnum() else ""
        after = "-" if m.end() < len(text) and text[m.end()].isalnum() else ""
        return before + word + after

    return re.sub(r"\[([^\]]*)\]", plain, text)


def pseudonymise_name(text: str, rules: Rules) -> str:
    """A file name or id pseudonymised: listed names also in lower case and with their words
    joined by `-`, `_` or nothing (`kari_nordby.docx`), then the patterns. Where a name was
    replaced, `_` comes back as `-` (to the pattern `_` is a letter)."""
    def variants(form: str) -> set[str]:
        joined = {form, form.replace(" ", "-"), form.replace(" ", "")}
        return joined | {v.lower() for v in joined}

    loose = Rules(rules.lang, tuple(
        Named(tuple(sorted({v for form in n.forms for v in variants(form)})), n.category,
              n.number) for n in rules.names), in_file_names=True)
    hyphened = text.replace("_", "-")
    replaced = pseudonymise_text(hyphened, loose)[0]
    return text if replaced == hyphened else replaced


# -- review: words that may be names ---------------------------------------------------------

class Candidate(NamedTuple):
    phrase: str
    category: str  # what it may be, for the list line
    why: str
    times: int
    context: str  # the first place it occurs


_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?…:;\n]")


def _capitalised_runs(text: str) -> Iterable[tuple[int, int, bool]]:
    """(start, end, first word starts a sentence) for each run of capitalised words."""
    run: list[tuple[int, int, bool]] = []
    cursor = 0
    for m in _WORD.finditer(text):
        gap = text[cursor:m.start()]
        initial = cursor == 0 or bool(_SENTENCE_END.search(gap))
        cursor = m.end()
        if m.group(0)[0].isupper():
            if run and gap == " ":
                run.append((m.start(), m.end(), initial))
                continue
            if run:
                yield run[0][0], run[-1][1], run[0][2]
            run = [(m.start(), m.end(), initial)]
        elif run:
            yield run[0][0], run[-1][1], run[0][2]
            run = []
    if run:
        yield run[0][0], run[-1][1], run[0][2]


@lru_cache(maxsize=8)
def _trigger_pattern(lang: str) -> tuple[re.Pattern[str], dict[str, str]]:
    triggers = {phrase.casefold(): category for category, phrases in
                language_data(lang)["triggers"].items() for phrase in phrases}
    words = "|".join(r"\s+".join(map(re.escape, t.split())) for t in
                     sorted(triggers, key=len, reverse=True))
    upper = r"[^\W\d_a-zæøåäöü]"
    pattern = re.compile(rf"(?<!\w)((?i:{words}))\s+({upper}[\w'’-]*(?: {upper}[\w'’-]*)*)")
    return pattern, triggers


def _context(text: str, start: int, end: int) -> str:
    return "…" + re.sub(r"\s+", " ", text[max(0, start - 30):end + 30]).strip() + "…"


def find_candidates(texts: Iterable[str], lang: str, known: Collection[str] = (),
                    labels: Iterable[str] = ()) -> list[Candidate]:
    """Words that may be names and are not on the list (`known`, case-folded): capitalised
    words not at the start of a sentence whose lower-case form is not an ordinary word of
    the language, runs of two or more capitalised words, capitalised words after "heter",
    "bor i", "jobber på" and their kin, and speaker labels that are not ordinary words.
    Run it on pseudonymised text, so what the list and the patterns caught is gone."""
    found: dict[str, Candidate] = {}

    def offer(phrase: str, category: str, why: str, context: str) -> None:
        phrase = squeeze(phrase)
        key = phrase.casefold()
        if not phrase or key in known:
            return
        old = found.get(key)
        if old is None:
            found[key] = Candidate(phrase, category, why, 1, context)
        elif why.startswith("after") and not old.why.startswith("after"):
            found[key] = Candidate(old.phrase, category, why, old.times + 1, context)
        else:
            found[key] = old._replace(times=old.times + 1)

    lexicon = ordinary_words(lang)
    triggers, categories = _trigger_pattern(lang)
    for label in labels:
        if lexicon is not None and any(w[0].isupper() and not is_ordinary_word(w, lang)
                                       for w in _WORD.findall(_masked(label, lang))):
            offer(label, "participant", "speaker label", label)
    for original in texts:
        text = _masked(original, lang)
        for m in triggers.finditer(text):
            trigger = squeeze(m.group(1)).casefold()
            offer(m.group(2), categories[trigger], f"after {trigger!r}",
                  _context(original, m.start(2), m.end(2)))
        for start, end, initial in _capitalised_runs(text):
            phrase = text[start:end]
            context = _context(original, start, end)
            if " " in phrase:
                offer(phrase, "person", "capitalised words together", context)
            elif lexicon is not None and _may_be_name(text, start, end, initial, lang):
                offer(phrase, "person", "capitalised, not an ordinary word", context)
    return sorted(found.values(), key=lambda c: (-c.times, c.phrase.casefold()))


def _may_be_name(text: str, start: int, end: int, initial: bool, lang: str) -> bool:
    """A capitalised word the lexicon does not know as an ordinary word (or knows as a proper
    noun); at the start of a sentence, only when what follows shows it to be a name."""
    word = text[start:end]
    lexicon = ordinary_words(lang) or {}
    if lang == "en" and word.split("'")[0].split("’")[0] == "I":
        return False
    head, _, tail = word.rpartition("-")
    if head and (head.isupper() or len(head) == 1) and is_ordinary_word(tail, lang):
        return False  # D-nummeret, IT-avdelingen
    proper = lexicon.get(unicodedata.normalize("NFC", word)) == word or not is_ordinary_word(
        word, lang)
    if not initial or not proper:
        return proper
    following = _FOLLOWING_WORD.match(text, end)
    return (following is not None and following.group(1)[0].islower()
            and _name_follows(following.group(1), lang))


def _masked(text: str, lang: str) -> str:
    """The text with its placeholders blanked out, offsets unchanged."""
    return placeholder_pattern(lang).sub(lambda m: " " * len(m.group(0)), text)


# -- quasi-identifiers -----------------------------------------------------------------------

class QuasiIdentifier(NamedTuple):
    kind: str  # country, profession, age, diagnosis
    phrase: str
    start: int
    end: int
    context: str


def _alternation(words: Iterable[str]) -> str:
    return "|".join(r"\s+".join(map(re.escape, w.split())) for w in
                    sorted(words, key=len, reverse=True))


@lru_cache(maxsize=8)
def _quasi_patterns(lang: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    q = language_data(lang)["quasi"]
    age = r"(?:9\d|1[0-2]\d)"
    eponym = r"[^\W\d_a-zæøåäöü][\w-]*"
    acronyms = [d for d in q["diagnosis"] if d.isupper()]
    names = [d for d in q["diagnosis"] if not d.isupper()]
    return (
        ("country", re.compile(rf"(?<!\w)(?:{_alternation(q['country'])})(?!\w)")),
        ("profession", re.compile(rf"(?<!\w)(?:{_alternation(q['profession'])})"
                                  r"(?:en|et|a|er|ene|ar|ane|s|e)?(?!\w)", re.IGNORECASE)),
        ("diagnosis", re.compile(rf"(?<!\w)(?:{_alternation(acronyms)}|(?i:{_alternation(names)}))"
                                 rf"(?!\w)|(?<!\w){eponym}\s+(?i:{_alternation(q['eponym_words'])})"
                                 r"(?!\w)")),
        ("age", re.compile(rf"(?<![\d,.])({age})\s*-?\s*(?i:{_alternation(q['age_after'])})(?!\w)"
                           rf"|(?<!\w)(?i:{_alternation(q['age_before'])})\s+{age}(?!\d)")),
    )


def find_quasi_identifiers(text: str, lang: str) -> list[QuasiIdentifier]:
    """Rare attributes that can point to one person, to consider generalising: a country, an
    unusual profession or role, an age of 90 or more, a named diagnosis. Only warnings."""
    found = [QuasiIdentifier(kind, squeeze(m.group(0)), m.start(), m.end(),
                             _context(text, m.start(), m.end()))
             for kind, pattern in _quasi_patterns(lang) for m in pattern.finditer(text)]
    return sorted(found, key=lambda q: q.start)
