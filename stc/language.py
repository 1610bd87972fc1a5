"""spaCy pipelines for the project language, built without downloading anything.

An installed trained pipeline for the language is used when there is one (named in stc.toml as
`pipeline = "..."`); otherwise `spacy.blank(lang)` with a sentencizer, plus the lookup lemmatizer
when spacy-lookups-data has a table for the language. Norwegian tables are tiny, so lemmas come
from simplemma's lexicons for the Nordic languages, and Snowball stems elsewhere (see
`lemma_of`).

Importing this module is cheap; spaCy is imported on first use only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from stc.errors import StcError

# spaCy has no Nynorsk; the bokmål tokenizer and punctuation rules serve it well enough.
SPACY_CODE = {"nn": "nb"}
SNOWBALL = {"nb": "norwegian", "nn": "norwegian", "sv": "swedish", "da": "danish",
            "en": "english", "de": "german", "fi": "finnish", "fr": "french",
            "nl": "dutch", "es": "spanish", "it": "italian", "pt": "portuguese"}


def _installed(pipeline: str, exclude: list[str]) -> Any:
    """The trained pipeline stc.toml names; refused (E145) when there is no such pipeline
    here (spaCy raises OSError, ValueError and others for what is none)."""
    import spacy

    try:
        return spacy.load(pipeline, exclude=exclude)
    except Exception as exc:
        raise StcError("E145", path="stc.toml", name=pipeline,
                       detail=" ".join(str(exc).split())[:160]) from None


@lru_cache(maxsize=4)
def sentence_pipeline(lang: str, pipeline: str | None = None) -> Any:
    """Tokeniser and sentence boundaries: all that import needs."""
    import spacy

    if pipeline:
        return _installed(pipeline, ["ner", "textcat"])
    nlp = spacy.blank(SPACY_CODE.get(lang, lang))
    nlp.add_pipe("sentencizer")
    return nlp


@lru_cache(maxsize=4)
def lemma_pipeline(lang: str, pipeline: str | None = None) -> Any:
    """Tokeniser plus lookup lemmas (for terms and lemma search)."""
    import spacy

    if pipeline:
        return _installed(pipeline, ["ner", "textcat", "parser"])
    nlp = spacy.blank(SPACY_CODE.get(lang, lang))
    try:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
    except (ValueError, KeyError, OSError):
        # no lookup table for this language: lemmas stay the word forms, stems step in
        nlp = spacy.blank(SPACY_CODE.get(lang, lang))
    return nlp


_SENTENCE_END = re.compile(r"[.!?…][\"'»”’)\]]*\s+")
_SPACE = re.compile(r"\s+")


def pieces(text: str, limit: int) -> Iterator[tuple[int, str]]:
    """`text` as (offset, piece), each piece at most `limit` characters: spaCy refuses longer
    texts (`nlp.max_length`, error E088), and a transcriber may leave a whole interview in one
    paragraph. Each cut comes after the last sentence end in the second half of the window,
    else after its last space, so words stay whole; a cut also ends a sentence."""
    start = 0
    while len(text) - start > limit:
        window = text[start:start + limit]
        ends = [m.end() for m in _SENTENCE_END.finditer(window, limit // 2)]
        spaces = [m.end() for m in _SPACE.finditer(window, limit // 2)] if not ends else []
        cut = (ends or spaces or [limit])[-1]
        yield start, window[:cut]
        start += cut
    yield start, text[start:]


# languages whose lookup tables are too small to trust a lemma equal to the word form
TINY_TABLES = frozenset({"nb", "nn"})


@lru_cache(maxsize=4)
def _stemmer(lang: str) -> Any:
    import snowballstemmer

    name = SNOWBALL.get(lang)
    return snowballstemmer.stemmer(name) if name else None


# languages simplemma's lexicons cover well, where spaCy's lookup tables are small or missing
SIMPLEMMA = frozenset({"nb", "nn", "sv", "da"})


@lru_cache(maxsize=65536)
def _simplemma(form: str, lang: str) -> str:
    import simplemma

    return str(simplemma.lemmatize(form, lang=lang)).lower()


def lemma_of(token: Any, lang: str) -> str:
    """The token's lemma, lower-cased: the pipeline's, else simplemma's for the Nordic
    languages (a word: "alliansen" -> "allianse"), else a Snowball stem where the lookup table
    has none."""
    lemma = str(token.lemma_ or "").lower()
    form = str(token.text).lower()
    if lemma and lemma != form:
        return lemma
    if lang in SIMPLEMMA:
        return _simplemma(form, lang)
    if lemma and lang not in TINY_TABLES:
        return form  # the table knows the word as its own lemma ("maybe", not "mayb")
    stemmer = _stemmer(lang)
    return str(stemmer.stemWord(form)) if stemmer else form


def stop_words(lang: str) -> frozenset[str]:
    import spacy

    return frozenset(spacy.blank(SPACY_CODE.get(lang, lang)).Defaults.stop_words)
