"""Simulator settings from text: environment variables and ``field=value`` assignments.

Every simulator's ``Settings`` dataclass can be set from outside without new plumbing. Each
field whose type has a text form gets an environment variable, named by the simulator's
documented prefix plus the field name in capitals::

    COLLAUDO_PLATFORM_   COLLAUDO_CHECKOUT_   COLLAUDO_MYPAY_   COLLAUDO_GPD_
    checkout: public_url  ->  COLLAUDO_CHECKOUT_PUBLIC_URL

and the same text works on the command line (``collaudo sim checkout --set public_url=...``).
Text forms, by the field's annotated type:

- ``str``: as written; ``int``, ``float``, ``Decimal``: ``8030``, ``7.5``; ``uuid.UUID``
- ``bool``: ``true``/``false`` (also ``yes``/``no``, ``on``/``off``, ``1``/``0``)
- ``Literal[...]``: one of the choices
- ``X | None``: ``X``'s form; an empty assignment (``--set public_url=``) means None
- ``list[X]``, ``tuple[X, ...]``: comma-separated items
- ``dict[str, str]``: ``KEY=VALUE,KEY=VALUE``

An empty environment variable counts as unset (what compose's ``${VAR:-}`` passes). A field of
any other type (MyPay's ``creditors``) has no variable. A field may carry :func:`setting`
metadata: a help line, a check run on the parsed value (see :mod:`simulators.common.checks`),
and ``secret=True``: environment only, since a command line is visible to every process on the
machine. Malformed text raises :class:`SettingError`, naming the variable or flag, the value
(never a secret's) and the form expected.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import types
import typing
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, Union

Check = Callable[[Any], None]
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


class SettingError(ValueError):
    """Text that cannot become a Settings field; the message names its source and the fix."""


def setting(
    help: str = "", *, check: Check | None = None, secret: bool = False, form: str = ""
) -> dict[str, Any]:
    """Metadata for a Settings field: ``field(default=..., metadata=setting("what it is"))``.

    ``check`` gets the parsed value and raises ValueError saying what is wrong with it;
    ``form`` names the text form in ``--help`` when the type says too little (``URL``).
    """
    return {"help": help, "check": check, "secret": secret, "form": form}


@dataclass(frozen=True)
class _Form:
    """How one field is read from text, and how to describe that to a person."""

    describe: str
    read: Callable[[str], Any]
    optional: bool = False


@dataclass(frozen=True)
class Variable:
    """One settable field: its environment variable and what it takes."""

    field: str
    env: str
    form: str
    help: str
    secret: bool
    default: str  # shown in --help; "" for secrets


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError("not an integer (write it like 8030)") from None


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError("not a number (write it like 7.5)") from None


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError("not a decimal number (write it like 20.00)") from None


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE or lowered in _FALSE:
        return lowered in _TRUE
    raise ValueError("not a boolean (write true or false)")


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        example = "60e35f02-1509-408c-b101-3b1a28109329"
        raise ValueError(f"not a UUID (write it like {example})") from None


_SCALARS: dict[Any, _Form] = {
    str: _Form("text", str),
    int: _Form("integer", _integer),
    float: _Form("number", _number),
    Decimal: _Form("decimal", _decimal),
    bool: _Form("true|false", _boolean),
    uuid.UUID: _Form("UUID", _uuid),
}


def _literal(choices: tuple[Any, ...]) -> _Form:
    by_text = {str(choice): choice for choice in choices}

    def read(text: str) -> Any:
        if text not in by_text:
            raise ValueError(f"choose one of {', '.join(by_text)}")
        return by_text[text]

    return _Form("|".join(by_text), read)


def _scalar(annotation: Any) -> _Form | None:
    if typing.get_origin(annotation) is Literal:
        return _literal(typing.get_args(annotation))
    return _SCALARS.get(annotation)


def _sequence(kind: type, item: _Form) -> _Form:
    def read(text: str) -> Any:
        return kind(item.read(part.strip()) for part in text.split(",") if part.strip())

    return _Form(f"{item.describe},...", read)


def _mapping(text: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        key, equals, value = part.partition("=")
        if not equals or not key.strip() or not value.strip():
            raise ValueError(f"{part!r} is not KEY=VALUE")
        pairs[key.strip()] = value.strip()
    return pairs


def _form(annotation: Any) -> _Form | None:
    """The text form of a field's type, or None when it has none."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (Union, types.UnionType) and type(None) in args:
        inner = [a for a in args if a is not type(None)]
        form = _form(inner[0]) if len(inner) == 1 else None
        return dataclasses.replace(form, optional=True) if form else None
    if origin in (list, tuple):
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return None
        item = _scalar(args[0]) if args else None
        return _sequence(origin, item) if item else None
    if origin is dict:
        return _Form("KEY=VALUE,...", _mapping) if args == (str, str) else None
    return _scalar(annotation)


@dataclass(frozen=True)
class _Field:
    name: str
    form: _Form | None
    help: str
    check: Check | None
    secret: bool
    spec: dataclasses.Field[Any]
    describe: str  # the form as --help names it


@functools.cache
def _fields(settings: type) -> dict[str, _Field]:
    hints = typing.get_type_hints(settings)
    found = {}
    for spec in dataclasses.fields(settings):
        meta = spec.metadata
        form = _form(hints[spec.name])
        found[spec.name] = _Field(
            spec.name,
            form,
            meta.get("help", ""),
            meta.get("check"),
            bool(meta.get("secret", False)),
            spec,
            meta.get("form") or (form.describe if form else ""),
        )
    return found


def env_name(prefix: str, field: str) -> str:
    """``COLLAUDO_CHECKOUT_`` + ``public_url`` -> ``COLLAUDO_CHECKOUT_PUBLIC_URL``."""
    return f"{prefix}{field.upper()}"


def parse(settings: type, field: str, text: str, source: str) -> Any:
    """``text`` as the value of ``settings.<field>``; ``source`` names it in errors."""
    known = _fields(settings)
    spec = known.get(field)
    if spec is None:
        close = difflib.get_close_matches(field, list(known), n=1)
        hint = f"did you mean {close[0]}?" if close else f"known: {', '.join(known)}"
        raise SettingError(f"{source}: there is no setting {field!r} ({hint})")
    if spec.form is None:
        raise SettingError(f"{source}: {field} cannot be set from text")
    shown = "" if spec.secret else f"={text!r}"
    try:
        value = None if spec.form.optional and text == "" else spec.form.read(text)
        if value is not None and spec.check is not None:
            spec.check(value)
    except ValueError as exc:
        raise SettingError(f"{source}{shown}: {exc}") from None
    return value


def from_environ(settings: type, prefix: str, environ: Mapping[str, str]) -> dict[str, Any]:
    """The fields set by ``prefix``-named variables in ``environ`` (empty ones are unset)."""
    values = {}
    for name, spec in _fields(settings).items():
        if spec.form is None:
            continue
        variable = env_name(prefix, name)
        text = environ.get(variable, "")
        if text != "":
            values[name] = parse(settings, name, text, variable)
    return values


def from_assignments(
    settings: type, assignments: Iterable[str], prefix: str, source: str = "--set"
) -> dict[str, Any]:
    """``field=value`` items (``--set``) as field values; secrets are refused here."""
    values = {}
    for item in assignments:
        field, equals, text = item.partition("=")
        field = field.strip().replace("-", "_")
        if not equals or not field:
            raise SettingError(f"{source} {item!r}: write it as FIELD=VALUE, e.g. port=8030")
        spec = _fields(settings).get(field)
        if spec is not None and spec.secret:
            raise SettingError(
                f"{source} {field}=...: {field} is a secret, which a command line shows to "
                f"every process on the machine; set {env_name(prefix, field)} instead"
            )
        values[field] = parse(settings, field, text, f"{source} {field}")
    return values


def unknown(
    settings: type, prefix: str, environ: Mapping[str, str], extra: Iterable[str] = ()
) -> list[str]:
    """``prefix``-named variables that set nothing (typos), each with a suggestion if any."""
    expected = {env_name(prefix, name) for name in _fields(settings)} | set(extra)
    warnings = []
    for variable in sorted(environ):
        if variable.startswith(prefix) and variable not in expected:
            close = difflib.get_close_matches(variable, sorted(expected), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            warnings.append(f"{variable} is not a setting of this simulator{hint}")
    return warnings


def _shown(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in value.items()) or "empty"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value) or "empty"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def variables(settings: type, prefix: str) -> list[Variable]:
    """Every field settable from text, with its variable, form, help and default."""
    found = []
    for name, spec in _fields(settings).items():
        if spec.form is None:
            continue
        default = ""
        if not spec.secret:
            field = spec.spec
            if field.default is not dataclasses.MISSING:
                default = _shown(field.default)
            elif field.default_factory is not dataclasses.MISSING:
                default = _shown(field.default_factory())
        variable = env_name(prefix, name)
        found.append(Variable(name, variable, spec.describe, spec.help, spec.secret, default))
    return found


def describe(settings: type, prefix: str, extra: Mapping[str, str] | None = None) -> str:
    """The environment variables of a simulator, one per line, for ``--help``."""
    lines = ["environment variables (also: --set FIELD=VALUE; flags win over variables):"]
    for var in variables(settings, prefix):
        notes = [var.help] if var.help else []
        notes.append("secret, environment only" if var.secret else f"default {var.default}")
        lines.append(f"  {var.env} ({var.form}): {'; '.join(notes)}")
    for name, help in (extra or {}).items():
        lines.append(f"  {name}: {help}")
    return "\n".join(lines)
