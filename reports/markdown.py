"""Text inserted into Markdown reports, escaped the Markdown way: only the characters that
would change the structure get a backslash, so ordinary speech ("I'm", quotation marks, "&")
stays byte for byte as it was said. The report templates use these as the filters `md`,
`mdquote` and `mdcell`."""

from __future__ import annotations

import re
from typing import Any

_AT_LINE_START = re.compile(r"^(\s*)(#{1,6}(?=\s|$)|[-+*](?=\s)|\d{1,9}(?=[.)]\s)|>|=+\s*$|-+\s*$)",
                           re.MULTILINE)
_INLINE = re.compile(r"[\\`*_]|<(?=[A-Za-z/!?])|&(?=#?\w+;)|\[(?=[^\]]*\]\s*[(\[])")


def markdown_text(text: Any) -> str:
    """Text inserted into Markdown: only the characters that would change its structure are
    escaped, with a backslash (emphasis, code, HTML, links; list, heading and quotation
    markers at the start of a line), so ordinary speech stays byte for byte as written."""
    escaped = _INLINE.sub(lambda m: "\\" + m.group(0), str(text))

    def line_start(m: re.Match[str]) -> str:
        marker = m.group(2)
        if marker[0].isdigit():
            return m.group(1) + marker + "\\"  # 1. → 1\.
        return m.group(1) + "\\" + marker
    return _AT_LINE_START.sub(line_start, escaped)


def markdown_cell(text: Any) -> str:
    """Text in a Markdown table cell: escaped as `markdown_text`, `|` escaped and lines
    joined, so the row stays one row."""
    return markdown_text(" ".join(str(text).split())).replace("|", "\\|")


def markdown_quote(text: Any) -> str:
    """A block quotation's text: escaped as `markdown_text`, every line inside the `>`."""
    return markdown_text(text).replace("\n", "\n> ")
