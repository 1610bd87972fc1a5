"""Bytes to text: BOMs, UTF-8, UTF-16 and the Western code pages Nordic files come in."""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from stc.errors import BadInput

# Legacy encodings seen in Norwegian, Swedish and Danish transcripts, most likely first.
LEGACY = ("cp1252", "iso8859_15", "mac_roman", "cp850", "cp865")


def _looks_utf16(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > half * 0.3 and even_nuls < half * 0.05:
        return "utf-16-le"
    if even_nuls > half * 0.3 and odd_nuls < half * 0.05:
        return "utf-16-be"
    return None


# the control characters (Unicode category Cc) that do not occur in text: all but \t\n\v\f\r
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _too_many_controls(text: str) -> bool:
    sample = text[:20000]
    return len(_CONTROLS.findall(sample)) > max(2, len(sample) // 200)


def _guess_legacy(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(LEGACY)).best()
    if best is not None:
        return str(best.encoding)
    for name in LEGACY:
        try:
            data.decode(name)
            return name
        except UnicodeDecodeError:
            continue
    return None


def detect_encoding(data: bytes, path: Path) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    utf16 = _looks_utf16(data)
    if utf16:
        return utf16
    if b"\x00" in data[:8192]:
        raise BadInput("E106", path=str(path))
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    legacy = _guess_legacy(data)
    if legacy is None:
        raise BadInput("E108", path=str(path))
    return legacy


def check_encoding(encoding: str) -> None:
    """Refuse an --encoding Python does not know (E113), or one that is no text encoding:
    rot13, hex, base64 and zlib turn bytes into bytes (E138)."""
    try:
        codecs.lookup(encoding)
    except (LookupError, ValueError):  # ValueError: a NUL or a surrogate in the name
        raise BadInput("E113", encoding=encoding[:60]) from None
    try:
        b"a".decode(encoding)  # (an empty input would not reach the codec)
    except LookupError:
        raise BadInput("E138", encoding=encoding) from None
    except UnicodeError:
        pass  # a text encoding that wants more than one byte, such as UTF-16


def decode(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """The text and the name of the encoding used."""
    if encoding:
        check_encoding(encoding)
    name = encoding or detect_encoding(data, path)
    try:
        text = data.decode(name)
    except UnicodeError:  # UnicodeDecodeError, and what idna or unicode_escape raise
        raise BadInput("E107", path=str(path), encoding=name) from None
    text = text.removeprefix("\ufeff")
    if _too_many_controls(text):
        raise BadInput("E106", path=str(path))
    return text, codecs.lookup(name).name


def normalise(text: str) -> str:
    """NFC and \\n line endings: the form every offset in a project refers to."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    return unicodedata.normalize("NFC", text)
