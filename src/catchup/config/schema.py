"""The keys of every file format as rows (key, what it accepts, default, meaning), read off the
schemas themselves: the file reference (docs/reference/files.md) is generated from these rows,
so it cannot drift from what the checks accept."""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from catchup.config.docking import DockingSpec
from catchup.config.experiment import ExperimentSpec
from catchup.config.history import (
    COLUMN_MEANINGS,
    COLUMNS,
    INPUT_EVENTS,
    METRIC_MEANINGS,
    OUTCOME_EVENTS,
    SHARE_METRICS,
)
from catchup.config.messages import field_allowed, unwrap
from catchup.config.parameters import ParametersSpec
from catchup.config.policy import PolicySpec
from catchup.config.scenario import ScenarioSpec

# The TOML file formats, by the name the reference gives them.
FILE_SCHEMAS: dict[str, type[BaseModel]] = {
    "scenario": ScenarioSpec,
    "experiment": ExperimentSpec,
    "docking": DockingSpec,
    "policy": PolicySpec,
}
# Placeholders in key paths: the name a file gives a table (`[factors.NAME.LEVEL]`).
DICT_KEY_NAMES = {"factors": ("NAME", "LEVEL"), "counterfactuals": ("NAME",)}


@dataclass(frozen=True)
class Key:
    """One key of a file format, as the reference shows it."""

    path: str  # as written in a file: `events[].year`, `factors.NAME.LEVEL.set`
    accepts: str
    default: str
    meaning: str


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _pair(annotation: Any) -> bool:
    """A two-number list, `[low, high]` or `[mean, sd]`."""
    if get_origin(annotation) is not Annotated:
        return False
    found = [*annotation.__metadata__]
    found += [inner for m in annotation.__metadata__ for inner in getattr(m, "metadata", [])]
    return 2 in {getattr(m, "min_length", None) for m in found} and 2 in {
        getattr(m, "max_length", None) for m in found
    }


def _words(annotation: Any) -> str:
    """A value's type in words, for containers and unions the bounds text does not cover."""
    if _pair(annotation):
        return "[number, number]"
    annotation = unwrap(annotation)
    origin, args = get_origin(annotation), get_args(annotation)
    if annotation is ParametersSpec or annotation is Any:
        return "a table of parameters (see Parameters)" if annotation is ParametersSpec else "a value"
    if _is_model(annotation):
        return "a table"
    if origin is Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin in (Union, types.UnionType):
        return "a number" if set(args) == {int, float} else " or ".join(_words(a) for a in args)
    if origin is list:
        inner = args[0]
        if _is_model(unwrap(inner)):
            return "a list of tables (`[[...]]`)"
        plural = {"a number": "numbers", "a string": "strings", "a table": "tables"}
        return f"a list of {plural.get(_words(inner), _words(inner))}"
    if origin is dict:
        if args[1] is Any:
            return "a table of parameters (see Parameters)"
        value = _words(args[1])
        return "a table" if " or " in value else f"a table of name = {value}"
    names = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}
    return names.get(annotation, str(annotation))


def _accepts(field: FieldInfo) -> str:
    annotation = unwrap(field.annotation)
    if get_origin(annotation) in (list, dict, Union, types.UnionType) or annotation is ParametersSpec:
        return _words(annotation)
    if _is_model(annotation):
        return "a table"
    return field_allowed(field)


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]
        return "the defaults" if isinstance(value, BaseModel) else ("none" if not value else repr(value))
    value = field.default
    if value is None or value is PydanticUndefined:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, int) and value >= 10_000:
        return f"{value:,}"
    return "none" if value in ({}, []) else str(value)


def _nested(annotation: Any, key: str) -> tuple[type[BaseModel] | None, str]:
    """The table a key holds (directly, in a list or as the values of named tables) and the path
    text between the key and that table's own keys."""
    annotation = unwrap(annotation)
    names = iter(DICT_KEY_NAMES.get(key, ("NAME", "NAME2")))
    suffix = ""
    while True:
        origin = get_origin(annotation)
        if origin is list:
            annotation, suffix = unwrap(get_args(annotation)[0]), suffix + "[]"
        elif origin is dict:
            annotation, suffix = unwrap(get_args(annotation)[1]), f"{suffix}.{next(names)}"
        else:
            break
    if _is_model(annotation) and annotation is not ParametersSpec:
        return annotation, suffix
    return None, suffix


def keys(schema: type[BaseModel], prefix: str = "") -> list[Key]:
    """Every key of a file format, nested tables after the key that holds them."""
    rows = []
    for name, field in schema.model_fields.items():
        key = field.alias or name
        rows.append(Key(prefix + key, _accepts(field), _default(field), field.description or ""))
        table, suffix = _nested(field.annotation, key)
        if table is not None:
            rows += keys(table, f"{prefix}{key}{suffix}.")
    return rows


def file_keys(kind: str) -> list[Key]:
    """Every key of one file format (`scenario`, `experiment`, `docking`, `policy`), with the
    keys read before the schema checks the file (a scenario's `extends`)."""
    rows = keys(FILE_SCHEMAS[kind])
    if kind == "scenario":
        meaning = (
            "Another scenario file this one starts from (relative to this file); its values are "
            "overridden by this file's. A calibrated case file extends its case file."
        )
        rows.insert(2, Key("extends", "a string (a path)", "none", meaning))
    return rows


def history_columns() -> list[Key]:
    """The columns of a history file (CSV)."""
    required = {c: "required" for c in COLUMNS}
    return [Key(c, "", required.get(c, "optional"), COLUMN_MEANINGS.get(c, "")) for c in (*COLUMNS, "use")]


def history_metrics() -> list[Key]:
    """What a history row can state: shares (metric = the share's name) and events (metric =
    `event`, value = the event's name), with the `use` each allows."""
    shares = [Key(m, "metric", "calibrate or validate", METRIC_MEANINGS.get(m, "")) for m in SHARE_METRICS]
    outcomes = [
        Key(e, "value, with metric = event", "calibrate or validate", METRIC_MEANINGS.get(e, ""))
        for e in OUTCOME_EVENTS
    ]
    inputs = [Key(e, "value, with metric = event", "input", METRIC_MEANINGS.get(e, "")) for e in INPUT_EVENTS]
    return shares + outcomes + inputs
