"""Report templates run sandboxed: a project folder is as safe to open as a document.

A project's `templates/` folder comes with the project, from a student or a colleague, so its
templates are untrusted code; the built-in ones are stc's own. `environment` makes the one
choice: a report whose template the project does not override renders in a plain Jinja2
environment with the same settings and filters (the same output, without the guards' cost on
a large report); a project's template renders in Jinja2's immutable sandbox (no attribute starting
with `_`, no Python internals such as `cycler.__init__.__globals__`, no changing the data), and
within limits that need neither signals nor threads, so they also hold inside a web server:

- steps: every `{% for %}` iteration and every call (macros, methods, `range`) counts against a
  budget, and `range(n)` spends its n steps when it is made, so `range(10**9)` stops at once;
  each step also checks a wall-clock deadline.
- size: no value a template makes may exceed the output limit, and the operations that multiply
  text (`*`, `**`, `%`, `replace`, `join`, `indent`, `wordwrap`, `format`, ...) are checked
  before they run, not after the memory is gone; the output is counted as it is produced.
- names: a template is found only inside the project's `templates/` folder (no `..`, no
  absolute path, no link leading out of it, regular files only) and then in the package.

The budgets grow with the size of the data the report shows, so an honest template of a large
project stays well inside them. Whatever goes wrong in a template becomes one catalogued error
naming it (E530-E535).
"""

from __future__ import annotations

import functools
import inspect
import os
import re
import stat
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from jinja2 import (
    BaseLoader,
    Environment,
    PackageLoader,
    StrictUndefined,
    nodes,
    select_autoescape,
)
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import (
    SecurityError,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.runtime import LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

from stc.errors import StcError
from stc.reports.markdown import markdown_cell, markdown_quote, markdown_text

MAX_TEMPLATE_BYTES = 1024 * 1024
BASE_STEPS = 1_000_000
BASE_TEXT = 16 * 1024 * 1024
MAX_INT_BITS = 1 << 16  # numbers of about 20,000 digits: far beyond any count in a report
MAX_SECONDS = 120.0
MAX_JSON_INDENT = 16

# the string methods a template may call: none of them grows text beyond the checks below
STRING_METHODS = frozenset({"capitalize", "casefold", "center", "count", "endswith", "find",
    "format", "format_map", "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit",
    "isidentifier", "islower", "isnumeric", "isprintable", "isspace", "istitle", "isupper",
    "join", "ljust", "lower", "lstrip", "partition", "removeprefix", "removesuffix", "replace",
    "rfind", "rindex", "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines",
    "startswith", "strip", "swapcase", "title", "upper", "zfill", "escape", "striptags",
    "unescape"})


_DICT_NAMES = frozenset(dir(dict))  # what `d.name` finds on a dict before its keys


class Refused(Exception):
    """A template broke a rule; becomes StcError(code, template=..., **fields)."""

    def __init__(self, code: str, **fields: Any) -> None:
        super().__init__(code)
        self.code = code
        self.fields = fields


class Limits(NamedTuple):
    """How far one template may go."""

    steps: int
    text: int  # characters of output, and of any one value made on the way
    seconds: float = MAX_SECONDS


def limits_for(data: Any, known: dict[int, int] | None = None) -> Limits:
    """Budgets that grow with the data shown: a report of a large project needs more.
    `known` keeps the size of each part of a model (by id) for the next model holding the
    same parts (the method report's holds the results chapter's)."""
    if known is None or not isinstance(data, dict):
        size = _data_size(data)
    else:  # what _data_size counts: one for the dict, and each of its values
        size = 1
        for value in data.values():
            if id(value) not in known:
                known[id(value)] = _data_size(value)
            size += known[id(value)]
    return Limits(steps=BASE_STEPS + 4 * size, text=BASE_TEXT + 16 * size)


def _data_size(data: Any) -> int:
    """Characters of text plus the number of items in the model, walked without recursion
    (the items of a container that hold no others are counted where they stand: a large
    model has hundreds of thousands)."""
    size, stack = 0, [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            size += len(item)
            continue
        if isinstance(item, dict):
            inside: Iterable[Any] = item.values()
        elif isinstance(item, list | tuple):
            inside = item
        else:
            size += 1
            continue
        size += 1
        for value in inside:
            kind = type(value)
            if kind is str:
                size += len(value)
            elif value is None or kind is int or kind is bool or kind is float:
                size += 1
            else:
                stack.append(value)
    return size


def _size(value: Any) -> int:
    if isinstance(value, str | bytes | list | tuple | dict | set | frozenset | range):
        return len(value)
    return 0


class _Counting(CodeGenerator):
    """Compiles every loop to iterate through `environment.counted`, and every `~` through
    `environment.sized`: Jinja offers no other hook on loops and concatenation."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        counted = nodes.Call(nodes.EnvironmentAttribute("counted"), [node.iter], [], None, None,
                             lineno=node.lineno)
        super().visit_For(nodes.For(node.target, counted, node.body, node.else_, node.test,
                                    node.recursive, lineno=node.lineno), frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.sized(")
        super().visit_Concat(node, frame)
        self.write(")")


# What every report environment is made with, trusted or sandboxed: the same output
OPTIONS: dict[str, Any] = {
    "undefined": StrictUndefined,
    # HTML escapes everything it inserts; Markdown escapes the Markdown way (the filters md,
    # mdquote, mdcell), never as HTML: "I'm" stays I'm
    "autoescape": select_autoescape(enabled_extensions=("html", "html.j2"),
                                    disabled_extensions=("md", "md.j2"),
                                    default_for_string=True, default=True),
    "trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True,
}


def _own_filters(env: Environment) -> None:
    """The filters and globals of every report environment beyond Jinja's own."""
    env.globals.pop("lipsum", None)  # makes any amount of text from one number
    env.filters.update(md=markdown_text, mdquote=markdown_quote, mdcell=markdown_cell)


class _KeysFirst(Environment):
    """`x.name` on a plain dict holding the key (nearly every lookup in a model) answered at
    once, not after the AttributeError the general way raises first: the same answer, as a
    name a dict has as an attribute (items, keys, ...) still goes the general way."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj and attribute not in _DICT_NAMES:
            return obj[attribute]
        return super().getattr(obj, attribute)


class TrustedEnvironment(_KeysFirst):
    """The built-in templates' environment: stc's own code, so no guards."""

    def __init__(self) -> None:
        super().__init__(loader=TemplateLoader(None), **OPTIONS)
        _own_filters(self)


class ReportEnvironment(_KeysFirst, ImmutableSandboxedEnvironment):
    """The immutable sandbox with budgets on steps, time and size (see the module text)."""

    code_generator_class = _Counting
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, loader: BaseLoader, limits: Limits) -> None:
        super().__init__(loader=loader, **OPTIONS)
        self.limits = limits
        self.steps = 0
        self.deadline = time.monotonic() + limits.seconds
        self.globals["range"] = self._range
        self.filters = {name: self._guarded_filter(name, f) for name, f in self.filters.items()}
        _own_filters(self)  # unguarded: at most 3 characters for one

    def restart(self) -> None:
        """A fresh budget for the next template."""
        self.steps = 0
        self.deadline = time.monotonic() + self.limits.seconds

    # -- steps and time

    def step(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > self.limits.steps:
            raise Refused("E531", detail=f"more than {self.limits.steps:,} loop steps and calls")
        if time.monotonic() > self.deadline:
            raise Refused("E531", detail=f"more than {self.limits.seconds:g} seconds")

    def counted(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            self.step()
            yield item

    def _range(self, *args: int) -> range:
        numbers = range(*args)
        self.step(len(numbers))
        return numbers

    # -- size

    def sized(self, value: Any) -> Any:
        if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
            raise Refused("E532", detail=f"a number of more than {MAX_INT_BITS:,} bits")
        if _size(value) > self.limits.text:
            self.too_long(_size(value))
        return value

    def too_long(self, length: int) -> None:
        raise Refused("E532", detail=f"{length:,} characters or items at once, more than"
                                     f" the limit of {self.limits.text:,}")

    def expect(self, length: int) -> None:
        """Refuse an operation before it runs when its result would be too long."""
        if length > self.limits.text:
            self.too_long(length)

    def _check_numbers(self, args: Iterable[Any], kwargs: dict[str, Any]) -> None:
        """Widths and counts: `'x'.center(10**9)`, `batch(10**9)`, `to_bytes(10**9)`."""
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and abs(value) > self.limits.text:
                raise Refused("E532", detail=f"the number {value:,} as an argument, more than"
                                             f" the limit of {self.limits.text:,}")

    # -- the sandbox's hooks

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.step()
        if isinstance(__obj, LoopContext) and args:  # `loop(children)` in a recursive loop
            args = (__self.counted(args[0]), *args[1:])
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            args = __self._string_method(owner, __obj.__name__, args, kwargs)
        if getattr(__obj, "__func__", None) is not ReportEnvironment._range:
            __self._check_numbers(args, kwargs)  # range spends its length as steps instead
        return __self.sized(super().call(__context, __obj, *args, **kwargs))

    def _string_method(self, text: str, name: str, args: tuple[Any, ...],
                       kwargs: dict[str, Any]) -> tuple[Any, ...]:
        if name not in STRING_METHODS:
            raise Refused("E530", what=f"the string method {name!r}")
        if name == "replace" and len(args) >= 2:
            count = args[2] if len(args) > 2 else kwargs.get("count", -1)
            self.expect(_replaced_length(text, str(args[0]), str(args[1]), count))
        elif name == "join" and args:
            items = list(self.counted(args[0]))
            self.expect(sum(_size(i) for i in items) + len(text) * len(items))
            return (items, *args[1:])
        return args

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        pattern: str = value.__self__

        def checked(*args: Any, **kwargs: Any) -> str:
            _format_widths(pattern, percent=False, limit=self.limits.text)
            values = [*args, *kwargs.values()]
            if len(values) == 1 and isinstance(values[0], dict):  # format_map
                values = list(values[0].values())
            self.expect(len(pattern) + pattern.count("{") * max(map(_text_size, values),
                                                                default=0))
            return wrapper(*args, **kwargs)

        return checked

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.step()
        if operator == "*":
            _multiplied(self, left, right)
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            if left.bit_length() * right > MAX_INT_BITS:
                raise Refused("E532", detail=f"a number of more than {MAX_INT_BITS:,} bits")
        elif operator == "%" and isinstance(left, str):
            self.expect(_percent_length(left, right, self.limits.text))
        elif operator == "+":
            self.expect(_size(left) + _size(right))
        return self.sized(super().call_binop(context, operator, left, right))

    # -- filters

    def _guarded_filter(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        estimate = _FILTER_ESTIMATES.get(name)
        signature = inspect.signature(function) if estimate else None
        plain = _PlainBinder.of(signature) if signature else None
        # the filtered value comes after the context, if the filter takes one
        value_at = 1 if getattr(function, "jinja_pass_arg", None) else 0

        @functools.wraps(function)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            self.step()
            self._check_numbers(args[value_at + 1:], kwargs)
            if estimate and signature:
                arguments = plain.bind(args, kwargs) if plain else None
                if plain and arguments is not None:
                    estimate(self, arguments)
                    args, kwargs = tuple(arguments[n] for n in plain.names), {}
                else:
                    bound = signature.bind(*args, **kwargs)
                    bound.apply_defaults()
                    estimate(self, bound.arguments)
                    args, kwargs = bound.args, bound.kwargs
            return self.sized(function(*args, **kwargs))

        return guarded


class _PlainBinder(NamedTuple):
    """`inspect.Signature.bind` with `apply_defaults`, for a filter whose parameters are all
    plain (positional or keyword, no `*args`): a filter runs once per value shown, and the
    general binding would cost more than the filter. `bind` answers None for any call it does
    not bind plainly; the general binding then takes it (and names what is wrong)."""

    names: tuple[str, ...]
    keywords: frozenset[str]
    defaults: dict[str, Any]

    @classmethod
    def of(cls, signature: inspect.Signature) -> _PlainBinder | None:
        params = list(signature.parameters.values())
        kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        if any(p.kind not in kinds for p in params):
            return None
        return cls(tuple(p.name for p in params),
                   frozenset(p.name for p in params if p.kind is kinds[1]),
                   {p.name: p.default for p in params if p.default is not p.empty})

    def bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any] | None:
        if len(args) > len(self.names):
            return None
        arguments = dict(zip(self.names, args, strict=False))  # the first ones
        for key, value in kwargs.items():
            if key in arguments or key not in self.keywords:
                return None
            arguments[key] = value
        for name in self.names[len(args):]:
            if name not in arguments:
                if name not in self.defaults:
                    return None
                arguments[name] = self.defaults[name]
        return arguments


def _text_size(value: Any) -> int:
    """At most how long `str(value)` is, without making it."""
    return len(value) if isinstance(value, str) else 24 + 4 * _data_size(value)


def _replaced_length(text: str, old: str, new: str, count: Any) -> int:
    found = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    return len(text) + found * max(0, len(new) - len(old))


def _multiplied(env: ReportEnvironment, left: Any, right: Any) -> None:
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise Refused("E532", detail=f"a number of more than {MAX_INT_BITS:,} bits")
        return
    for sized, times in ((left, right), (right, left)):
        if isinstance(times, int) and _size(sized):
            env.expect(_size(sized) * times)


_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_FORMAT_FIELD = re.compile(r"\{[^{}]*\}")


def _format_widths(pattern: str, percent: bool, limit: int) -> None:
    """Refuse `%0999999999d` or `{:>999999999}`: the width alone would make the text."""
    if percent:
        widths = [w for m in _PERCENT_FIELD.finditer(pattern) for w in m.groups() if w]
    else:
        widths = [w for m in _FORMAT_FIELD.finditer(pattern)
                  for w in re.findall(r"\d+", m.group().partition(":")[2])]
    for width in widths:
        if width == "*":
            raise Refused("E530", what="a width given as '*'")
        if int(width) > limit:
            raise Refused("E532", detail=f"a field {width} characters wide")


def _percent_length(pattern: str, values: Any, limit: int) -> int:
    _format_widths(pattern, percent=True, limit=limit)
    items = values if isinstance(values, tuple) else \
        list(values.values()) if isinstance(values, dict) else [values]
    return len(pattern) + pattern.count("%") * max(map(_text_size, items), default=0)


# What each filter that can multiply text would make, checked before it runs; `arguments` are
# the filter's bound arguments, which an estimate may replace (a generator, once listed).
Estimate = Callable[[ReportEnvironment, dict[str, Any]], None]


def _join(env: ReportEnvironment, arguments: dict[str, Any]) -> None:
    items = list(env.counted(arguments["value"]))
    arguments["value"] = items
    env.expect(sum(map(_text_size, items)) + len(str(arguments["d"])) * len(items))


def _sum(env: ReportEnvironment, arguments: dict[str, Any]) -> None:
    items = list(env.counted(arguments["iterable"]))
    arguments["iterable"] = items
    env.expect(sum(map(_size, items)) + _size(arguments["start"]))


def _indent(env: ReportEnvironment, arguments: dict[str, Any]) -> None:
    width = arguments["width"]
    text = str(arguments["s"])
    env.expect(len(text) + (text.count("\n") + 1) * (width if isinstance(width, int)
                                                       else len(str(width))))


def _wordwrap(env: ReportEnvironment, arguments: dict[str, Any]) -> None:
    text = str(arguments["s"])
    lines = len(text) // max(1, int(arguments["width"])) + text.count("\n") + 1
    env.expect(len(text) + lines * len(str(arguments["wrapstring"] or "\n")))


def _format(env: ReportEnvironment, arguments: dict[str, Any]) -> None:
    values = arguments["kwargs"] or arguments["args"]
    env.expect(_percent_length(str(arguments["value"]), values, env.limits.text))


def _urlize(env: ReportEnvironment, arguments: dict[str, Any]) -> None:
    extra = sum(len(str(arguments[k] or "")) for k in ("target", "rel"))
    env.expect(len(str(arguments["value"])) * (2 + extra))


def _tojson(env: ReportEnvironment, arguments: dict[str, Any]) -> None:
    indent = arguments["indent"]
    if isinstance(indent, int) and indent > MAX_JSON_INDENT:
        raise Refused("E532", detail=f"tojson indented by {indent}")


def _replace(env: ReportEnvironment, arguments: dict[str, Any]) -> None:
    env.expect(_replaced_length(str(arguments["s"]), str(arguments["old"]),
                                str(arguments["new"]), arguments["count"]))


_FILTER_ESTIMATES: dict[str, Estimate] = {
    "join": _join, "sum": _sum, "indent": _indent, "wordwrap": _wordwrap, "format": _format,
    "urlize": _urlize, "tojson": _tojson, "replace": _replace,
}


# -- finding templates -------------------------------------------------------------------------

def _checked_name(name: str) -> tuple[str, ...]:
    """The parts of a template name; refused unless it is a plain relative path."""
    parts = tuple(name.split("/"))
    if (not name or "\\" in name or "\x00" in name or ":" in name
            or PurePosixPath(name).is_absolute() or any(p in ("", ".", "..") for p in parts)):
        raise Refused("E533", name=name)
    return parts


def project_file(folder: Path, name: str) -> Path | None:
    """`templates/NAME` of a project, checked: None when there is no such file; refused when
    the folder or the file leads outside the project's templates/ folder or is no regular
    file. Used for the templates and for the Word reference document."""
    path = folder.joinpath(*_checked_name(name))
    display = f"{folder.name}/{name}"
    if not os.path.lexists(path):
        return None
    inside = folder.resolve()
    if not inside.is_relative_to(folder.parent.resolve()):
        raise StcError("E535", path=folder.name, detail="the folder links outside the project")
    real = path.resolve()
    if not real.is_relative_to(inside):
        raise StcError("E535", path=display, detail="it links outside the templates/ folder")
    try:
        info = real.stat()
    except OSError as exc:
        raise StcError("E535", path=display, detail=exc.strerror or str(exc)) from None
    if not stat.S_ISREG(info.st_mode):
        raise StcError("E535", path=display, detail="it is not a regular file")
    return real


class TemplateLoader(BaseLoader):
    """The project's templates/ folder first, then the package's templates."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.package = PackageLoader("stc.reports", "templates")
        self.by_file: dict[str, str] = {}  # file name of a loaded template -> how users name it
        self.by_name: dict[str, str] = {}  # template name -> how users name it

    def get_source(self, environment: Any, template: str
                   ) -> tuple[str, str | None, Callable[[], bool] | None]:
        _checked_name(template)
        path = project_file(self.folder, template) if self.folder is not None else None
        if path is None:
            source, filename, uptodate = self.package.get_source(environment, template)
            self._shown(filename or template, template, f"{template} (built in)")
            return source, filename, uptodate
        display = f"{path.parent.name}/{template}"
        size = path.stat().st_size
        if size > MAX_TEMPLATE_BYTES:
            raise StcError("E535", path=display,
                           detail=f"it is {size:,} bytes, over the limit of {MAX_TEMPLATE_BYTES:,}")
        try:
            source = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            raise StcError("E535", path=display, detail="it is not UTF-8 text") from None
        self._shown(str(path), template, display)
        return source, str(path), lambda: False

    def _shown(self, filename: str, template: str, display: str) -> None:
        self.by_file[filename] = display
        self.by_name[template] = display


def environment(templates: Path | None, name: str, data: Any,
                known: dict[int, int] | None = None) -> Environment:
    """Where template `name` renders: the project's own (in `templates`, its templates/
    folder) in a sandbox sized for `data`; a built-in one in the trusted environment."""
    folder = _folder(templates)
    if folder is None or project_file(folder, name) is None:
        return trusted()
    return sandbox(folder, data, known)


@functools.cache
def trusted() -> TrustedEnvironment:
    """One environment for the built-in templates, each compiled once per process."""
    return TrustedEnvironment()


def sandbox(templates: Path | None, data: Any, known: dict[int, int] | None = None
            ) -> ReportEnvironment:
    """The sandbox for one run of a project's template, its budgets sized for `data` (see
    `limits_for`); `templates` is the project's templates/ folder, searched first."""
    return ReportEnvironment(TemplateLoader(_folder(templates)), limits_for(data, known))


def _folder(templates: Path | None) -> Path | None:
    return templates if templates is not None and templates.is_dir() else None


def render_template(env: Environment, name: str, data: dict[str, Any]) -> str:
    """The template rendered with `data`, within the budgets in a sandbox; any failure is one
    StcError naming the template."""
    loader = env.loader
    assert isinstance(loader, TemplateLoader)
    try:
        if not isinstance(env, ReportEnvironment):
            return env.get_template(name).render(**data)
        env.restart()
        parts: list[str] = []
        length = 0
        for chunk in env.get_template(name).generate(**data):
            length += len(chunk)
            if length > env.limits.text:
                env.too_long(length)
            parts.append(chunk)
        return "".join(parts)
    except StcError:
        raise
    except Exception as exc:  # a template may raise anything; each becomes one coded line
        raise _refusal(exc, _where(exc, loader, name)) from None


def _where(exc: BaseException, loader: TemplateLoader, name: str) -> str:
    """The template and line the error came from, as users name them."""
    if isinstance(exc, TemplateSyntaxError) and exc.filename in loader.by_file:
        return f"{loader.by_file[exc.filename]}, line {exc.lineno}"
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename in loader.by_file:
            return f"{loader.by_file[frame.filename]}, line {frame.lineno}"
    return loader.by_name.get(name, name)


def _refusal(exc: Exception, where: str) -> StcError:
    if isinstance(exc, Refused):
        return StcError(exc.code, template=where, **exc.fields)
    if isinstance(exc, SecurityError):
        return StcError("E530", template=where, what=_unsafe(str(exc)))
    if isinstance(exc, RecursionError):
        return StcError("E531", template=where, detail="it calls itself too deeply")
    if isinstance(exc, MemoryError):
        return StcError("E532", template=where, detail="it ran out of memory")
    if isinstance(exc, TemplateNotFound):
        detail = f"there is no template {exc.name!r} in templates/ or built in"
    elif isinstance(exc, TemplateSyntaxError | UndefinedError):
        detail = exc.message or type(exc).__name__
    else:
        detail = f"{type(exc).__name__}: {exc}"
    return StcError("E534", template=where, detail=detail[:300])


def _unsafe(message: str) -> str:
    """`access to attribute '__init__' of 'Cycler' object is unsafe.` -> what was reached."""
    found = re.search(r"attribute '([^']*)' of '([^']*)'", message)
    if found:
        return f"the attribute {found.group(1)} of a {found.group(2)}"
    return message.rstrip(".")
