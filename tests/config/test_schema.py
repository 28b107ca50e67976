"""The file formats' keys as the reference lists them, read off the schemas."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from catchup.config.history import COLUMNS, INPUT_EVENTS, OUTCOME_EVENTS, SHARE_METRICS
from catchup.config.schema import FILE_SCHEMAS, file_keys, history_columns, history_metrics


def _models(schema: type[BaseModel]) -> set[type[BaseModel]]:
    """Every table a schema nests, however deep."""
    found = {schema}
    for field in schema.model_fields.values():
        for candidate in _types(field.annotation):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel) and candidate not in found:
                found |= _models(candidate)
    return found


def _types(annotation) -> list:
    args = getattr(annotation, "__args__", ())
    return [annotation, *[t for a in args for t in _types(a)]]


@pytest.mark.parametrize("kind", sorted(FILE_SCHEMAS))
def test_every_key_of_every_table_is_listed_with_a_meaning(kind):
    rows = file_keys(kind)
    paths = {row.path.rsplit(".", 1)[-1].split("[")[0] for row in rows}
    for model in _models(FILE_SCHEMAS[kind]):
        if model.__name__ == "ParametersSpec":
            continue  # parameters have their own reference, from the parameter table
        for name, field in model.model_fields.items():
            assert (field.alias or name) in paths, (model.__name__, name)
            assert field.description, f"{model.__name__}.{name} has no docstring (its meaning)"
    assert len({row.path for row in rows}) == len(rows)


def test_nested_keys_are_written_as_a_file_writes_them():
    scenario = {row.path: row for row in file_keys("scenario")}
    assert scenario["events[].year"].default == "required"
    assert scenario["calibration.free"].accepts == "a table of name = [number, number]"
    assert scenario["countries[].market_weight"].accepts == "a number in (0, 1)"
    assert scenario["base_seed"].accepts == "an integer in [0, 2^63 - 1]"
    assert "extends" in scenario
    experiment = {row.path for row in file_keys("experiment")}
    assert {"factors.NAME.LEVEL.drop_events", "sample.method", "grid"} <= experiment
    docking = {row.path for row in file_keys("docking")}
    assert {"statements[].from", "counterfactuals.NAME.checks[].direction"} <= docking


def test_every_history_column_and_fact_has_a_meaning():
    assert [row.path for row in history_columns()] == [*COLUMNS, "use"]
    assert {row.path for row in history_metrics()} == {*SHARE_METRICS, *OUTCOME_EVENTS, *INPUT_EVENTS}
    assert all(row.meaning for row in history_columns() + history_metrics())
