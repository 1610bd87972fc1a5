"""Words as a reader expects them: counts ("1 unit", "2 units", "0 units") and commands to
paste into a shell."""

from __future__ import annotations


def counted(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else plural or singular + 's'}"


def shell(*words: str) -> str:
    """A command line to paste: each word quoted for the shell where it needs it
    (`stc condense 'Tid og rutiner/Tidspress' --edit`)."""
    import shlex

    return " ".join(shlex.quote(w) for w in words)
