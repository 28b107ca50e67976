"""Error messages for file formats: one line per problem, naming file, key, value and what is allowed.

What is allowed is read off the schema itself (its field names, bounds and choices) and off
the parameter table, so messages never drift from what is checked.
"""

from __future__ import annotations

import re
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.fields import FieldInfo

from catchup.config.parameters import ParametersSpec, did_you_mean
from catchup.model.parameters import BY_NAME

# Every file schema: unknown keys and wrong types are errors, never coerced; a field's docstring
# is its meaning, shown in the file reference (docs/reference/files.md).
STRICT = ConfigDict(extra="forbid", strict=True, use_attribute_docstrings=True)
# A name is also a folder under results/: letters, digits, _ . -, not starting with a dot (so
# never ".", ".." nor a hidden folder) and never a path.
NAME_PATTERN = r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*$"
PATTERN_TEXT = {NAME_PATTERN: "letters, digits, _ . - (not starting with a dot; it names a folder)"}
SHOWN_LENGTH = 120  # a value longer than this is shortened in messages


def shorten(text: str, limit: int = SHOWN_LENGTH) -> str:
    """A value as a message shows it: long ones cut in the middle, with their length."""
    if len(text) <= limit:
        return text
    return f"{text[: limit // 2]}...{text[-limit // 4 :]} ({len(text):,} characters)"


def where(loc: tuple[Any, ...]) -> str:
    """A key path as written in the file: `events[0].set.mission`."""
    parts = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


def unwrap(annotation: Any) -> Any:
    """Strip Annotated[...] and `X | None` down to the type that holds the value."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _is_number(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType) and set(get_args(annotation)) == {int, float}


def _field(model: type[BaseModel], key: Any) -> Any:
    """A model's field by its name or, as a file spells it, its alias (`from` for `start`)."""
    if not isinstance(key, str):
        return None
    return model.model_fields.get(key) or next(
        (f for f in model.model_fields.values() if f.alias == key), None
    )


def _annotation_at(schema: type[BaseModel], loc: tuple[Any, ...]) -> Any:
    """The annotation of the value at `loc` in `schema`, or None where the path leaves it."""
    annotation: Any = schema
    for key in loc:
        annotation = unwrap(annotation)
        origin = get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = _field(annotation, key)
            if field is None:
                return None
            annotation = field.annotation
        elif origin in (list, tuple):
            annotation = get_args(annotation)[0]
        elif origin is dict:
            annotation = get_args(annotation)[1]
        else:
            return None
    return unwrap(annotation)


def _bounds(schema: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    parent = _annotation_at(schema, loc[:-1])
    if not (isinstance(parent, type) and issubclass(parent, BaseModel)):
        return None
    field = _field(parent, loc[-1])
    return None if field is None else field_allowed(field)


def field_allowed(field: FieldInfo) -> str:
    """What a key accepts, in words, from its type, bounds and choices (messages and the file
    reference say the same)."""
    annotation = unwrap(field.annotation)
    if get_origin(annotation) is Literal:
        return ", ".join(repr(a) for a in get_args(annotation))
    metadata = [*field.metadata, *_inner_metadata(field.annotation)]
    ge = next((m.ge for m in metadata if getattr(m, "ge", None) is not None), None)
    le = next((m.le for m in metadata if getattr(m, "le", None) is not None), None)
    gt = next((m.gt for m in metadata if getattr(m, "gt", None) is not None), None)
    lt = next((m.lt for m in metadata if getattr(m, "lt", None) is not None), None)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return (
            f"a table with keys {', '.join(annotation.model_fields)}"
            if annotation is not ParametersSpec
            else ("a table of parameters (`catchup params`)")
        )
    kind = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}.get(
        annotation, getattr(annotation, "__name__", str(annotation))
    )
    if ge is not None and le is not None:
        if annotation is int:
            return f"{kind} in [{ge:,}, {'2^63 - 1' if le == 2**63 - 1 else f'{le:,}'}]"
        return f"{kind} in [{ge:g}, {le:g}]"
    if (ge is not None or gt is not None) and (le is not None or lt is not None) and annotation is float:
        low, high = ("[", ge) if ge is not None else ("(", gt), ("]", le) if le is not None else (")", lt)
        return f"{kind} in {low[0]}{low[1]:g}, {high[1]:g}{high[0]}"
    return kind


def _inner_metadata(annotation: Any) -> list[Any]:
    """Bounds written inside an optional value (`Annotated[float, Field(gt=0)] | None`)."""
    if get_origin(annotation) not in (Union, types.UnionType):
        return []
    inner = [a for a in get_args(annotation) if get_origin(a) is Annotated]
    found = [m for a in inner for m in a.__metadata__]
    return found + [x for m in found for x in getattr(m, "metadata", [])]


def allowed(loc: tuple[Any, ...], error_type: str, schema: type[BaseModel]) -> str | None:
    """What would have been accepted at this key, from the parameter table or the schema."""
    if not loc:
        return None  # a rule over the whole file: its message says what is needed
    parent = _annotation_at(schema, loc[:-1]) if loc else schema
    is_parameter = parent is ParametersSpec
    if error_type == "extra_forbidden":
        if is_parameter:
            return f"a parameter name from `catchup params`{did_you_mean(str(loc[-1]))}"
        if isinstance(parent, type) and issubclass(parent, BaseModel):
            return ", ".join(f.alias or name for name, f in parent.model_fields.items())
        return "see the file reference, docs/reference/files.md"
    if is_parameter and str(loc[-1]) in BY_NAME:
        return BY_NAME[str(loc[-1])].allowed()
    if error_type == "value_error":
        return None  # a rule the schema's own validator states: its message says what is needed
    bounds = _bounds(schema, loc)
    if bounds and " in [" in bounds:
        return bounds
    if _is_number(_annotation_at(schema, loc)):
        return "a number"
    return bounds or "see the file reference, docs/reference/files.md"


# pydantic adds the member it tried to a union's error location (`grid.x[0].int`): not a key.
_UNION_MEMBER = re.compile(r"^(int|float|bool|str|list\[.*\]|dict\[.*\])$")


def format_validation_error(source: str, err: ValidationError, schema: type[BaseModel]) -> str:
    """One line per problem: file, key path, bad value, message, allowed values."""
    problems: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for e in err.errors():
        loc = tuple(e["loc"])
        while loc and isinstance(loc[-1], str) and _UNION_MEMBER.match(loc[-1]):
            loc = loc[:-1]
        problems.setdefault(loc, []).append(e)  # a union reports each member: say them in one line
    lines: list[str] = []
    for loc, errors in problems.items():
        e = errors[0]
        value = e.get("input")
        shown = "{...}" if isinstance(value, dict) else shorten(repr(value))
        msg = "unknown key" if e["type"] == "extra_forbidden" else e["msg"].removeprefix("Value error, ")
        for other in errors[1:]:
            msg += " or " + other["msg"].removeprefix("Input should be ")
        hint = allowed(loc, e["type"], schema)
        if e["type"] == "string_pattern_mismatch":
            pattern = e.get("ctx", {}).get("pattern", "")
            msg, hint = "not allowed here", PATTERN_TEXT.get(pattern, f"a string matching {pattern}")
        if e["type"] == "missing":
            line = f"{source}: {shorten(where(loc))}: missing" + (f" (allowed: {hint})" if hint else "")
        elif not loc:
            line = f"{source}: {msg}"
        else:
            line = f"{source}: {shorten(where(loc))} = {shown}: {msg}" + (
                f" (allowed: {hint})" if hint else ""
            )
        lines.append(line)
    return "\n".join(lines)
