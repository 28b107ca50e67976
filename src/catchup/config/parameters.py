"""Everything derived from the parameter table: the one validator, `--set`, help and docs.

`ParametersSpec` is the pydantic model generated from the table; every parameter value a
user gives (scenario files, events, experiment designs, `--set`, calibration bounds) is
checked by it and by nothing else, so a value is allowed in one place exactly when it is
allowed everywhere.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, create_model, model_validator

from catchup.errors import ParameterError
from catchup.model.parameters import BY_NAME, GROUPS, PARAMETERS, Parameter


def _field(p: Parameter) -> tuple[Any, Any]:
    return (Annotated[p.type, Field(ge=p.low, le=p.high, description=p.meaning)], p.default)


class _GivenInOrder(BaseModel):
    """Remembers the order values were given in, so events and designs keep the file's order."""

    model_config = ConfigDict(extra="forbid", strict=True)
    _order: tuple[str, ...] = PrivateAttr(default=())

    @model_validator(mode="wrap")
    @classmethod
    def _remember_order(cls, data: Any, handler: Any) -> Any:
        spec = handler(data)
        if isinstance(data, dict):
            spec._order = tuple(data)
        return spec


ParametersSpec = create_model(
    "ParametersSpec", __base__=_GivenInOrder, **{p.name: _field(p) for p in PARAMETERS}
)


def given_values(spec: Any) -> dict[str, Any]:
    """The values a validated ParametersSpec was given (not its defaults), in the order given."""
    return {name: getattr(spec, name) for name in spec._order}


def did_you_mean(name: str) -> str:
    """A hint naming the closest parameter names, or nothing."""
    close = difflib.get_close_matches(name, list(BY_NAME), n=3)
    return f"; did you mean {' or '.join(close)}?" if close else ""


def unknown_parameter(where: str, name: str) -> str:
    """The message for a name that is not a parameter, with the closest names as a hint."""
    return f"{where}: unknown parameter (allowed: a parameter name from `catchup params`{did_you_mean(name)})"


def parameter_problems(
    values: Mapping[str, Any], where: Callable[[str], str]
) -> tuple[dict[str, Any], list[str]]:
    """Check values by name; return them as the model takes them, and one line per problem.

    `where(name)` says where a value was given (file and key), for the message.
    """
    try:
        spec = ParametersSpec.model_validate(dict(values))
    except ValidationError as err:
        problems = []
        for e in err.errors():
            name = str(e["loc"][0])
            shown = f"{where(name)} = {e['input']!r}"
            if e["type"] == "extra_forbidden":
                problems.append(unknown_parameter(shown, name))
            else:
                problems.append(f"{shown}: {e['msg']} (allowed: {BY_NAME[name].allowed()})")
        return {}, problems
    return {name: getattr(spec, name) for name in values}, []


def check_parameters(values: Mapping[str, Any], where: Callable[[str], str]) -> dict[str, Any]:
    """`parameter_problems`, raising ParameterError when there is any."""
    checked, problems = parameter_problems(values, where)
    if problems:
        raise ParameterError("\n".join(problems))
    return checked


def bounds_problems(where: str, name: str, bounds: Sequence[Any]) -> list[str]:
    """A [low, high] pair of a parameter (calibration bounds, sampled ranges): a known name, both
    values allowed by the one validator, low < high."""
    if name not in BY_NAME:
        return [unknown_parameter(f"{where} = {list(bounds)!r}", name)]
    problems: list[str] = []
    for i, value in enumerate(bounds):
        problems += parameter_problems({name: value}, lambda n, i=i: f"{where}[{i}]")[1]
    if not bounds[0] < bounds[1]:
        problems.append(f"{where} = {list(bounds)!r}: needs [low, high] with low < high")
    return problems


INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse a `--set name=value` string into a checked (name, value) pair."""
    if "=" not in text:
        raise ParameterError(f"--set expects name=value, got {text!r}")
    name, raw = (s.strip() for s in text.split("=", 1))
    if name not in BY_NAME:
        raise ParameterError(unknown_parameter(f"--set {name}", name))
    param = BY_NAME[name]
    # Plain ASCII decimals only: Python's int() and float() would also take 2_5 (as 25), nan,
    # inf and non-ASCII digits, none of which a user means as a parameter value.
    pattern = INTEGER if param.type is int else DECIMAL
    if not pattern.fullmatch(raw):
        what = "an integer" if param.type is int else "a plain decimal number"
        raise ParameterError(f"--set {name} = {raw!r}: not {what} (allowed: {param.allowed()})")
    value: Any = int(raw) if param.type is int else float(raw)
    return name, check_parameters({name: value}, lambda n: f"--set {n}")[name]


def parse_assignments(texts: list[str] | None) -> dict[str, Any]:
    """Every `--set` of a command line, checked."""
    return dict(parse_assignment(t) for t in texts or [])


def markdown_table() -> str:
    """The parameter table as Markdown, embedded in docs/ODD.md."""
    head = "| name | type | default | range | unit | meaning | source |\n|---|---|---|---|---|---|---|\n"
    rows = [
        f"| `{p.name}` | {p.type.__name__} | {p.default:g} | [{p.low:g}, {p.high:g}] | {p.unit} | "
        f"{p.meaning} | {p.source} |"
        for p in PARAMETERS
    ]
    return head + "\n".join(rows) + "\n"


def help_text() -> str:
    """The parameters by group with their ranges, for the help of commands that take --set."""
    lines = ["Parameters for --set (meaning, unit and source: `catchup params`):"]
    for group in GROUPS:
        names = ", ".join(f"{p.name} [{p.low:g}, {p.high:g}]" for p in PARAMETERS if p.group == group)
        lines.append(f"{group}: {names}")
    return "\n\n".join(lines)
