"""Scenario files: every kind of bad input gets a clear message naming file, key and allowed values."""

from __future__ import annotations

from pathlib import Path

import pytest

from catchup.config.parameters import check_parameters, parse_assignment
from catchup.config.scenario import load_scenario, with_overrides
from catchup.errors import ParameterError, ScenarioError
from catchup.model.parameters import PARAMETERS, defaults
from tests.conftest import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))

GOOD = """
name = "ok"
start_year = 1990
end_year = 2000
seeds = 3
base_seed = 5
[parameters]
patent_barrier = 0.7
[[events]]
year = 1995
set = { procurement_support = 0.5 }
label = "procurement"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(text)
    return path


def error_of(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert str(path) in message  # always names the file
    return message


def test_good_scenario_resolves_every_parameter(tmp_path):
    s = load_scenario(write(tmp_path, GOOD))
    assert s.parameters["patent_barrier"] == 0.7
    assert set(s.parameters) == {p.name for p in PARAMETERS}
    assert s.parameters["niche_market_size"] == defaults()["niche_market_size"]
    assert s.events[0].set == {"procurement_support": 0.5} and s.events[0].year == 1995
    assert len(s.file_hash) == 64


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenarios_are_valid(path):
    s = load_scenario(path)
    assert s.name == path.stem
    assert s.description


def test_unknown_key(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("seeds = 3", "seeds = 3\ncolour = 'red'"))
    assert "colour" in msg and "unknown key" in msg and "allowed" in msg and "base_seed" in msg


def test_unknown_parameter_suggests_the_list(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("patent_barrier = 0.7", "patent_barier = 0.7"))
    assert "parameters.patent_barier" in msg and "patent_barrier" in msg


def test_wrong_type(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("patent_barrier = 0.7", 'patent_barrier = "high"'))
    assert "parameters.patent_barrier = 'high'" in msg and "number in [0, 1]" in msg


def test_out_of_range(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("patent_barrier = 0.7", "patent_barrier = 1.5"))
    assert "parameters.patent_barrier = 1.5" in msg and "number in [0, 1]" in msg


def test_integer_parameter_rejects_fraction(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("patent_barrier = 0.7", "n_home_firms = 2.5"))
    assert "n_home_firms" in msg and "integer" in msg


def test_malformed_toml(tmp_path):
    msg = error_of(tmp_path, "name = 'x'\n[parameters\n")
    assert "malformed TOML" in msg


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "nowhere.toml")


def test_event_outside_the_span(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("year = 1995", "year = 2005"))
    assert "events[0].year = 2005" in msg and "1990 <= year <= 1999.75" in msg


def test_event_changing_a_set_up_parameter(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("procurement_support = 0.5", "n_home_firms = 3"))
    assert "events[0].set.n_home_firms" in msg and "set-up" in msg


def test_event_value_out_of_range(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("procurement_support = 0.5", "procurement_support = 5"))
    assert "events[0].set.procurement_support" in msg and "[0, 1]" in msg


def test_event_must_do_something(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("set = { procurement_support = 0.5 }\n", ""))
    assert "events[0]" in msg and "new_generation" in msg


def test_end_before_start(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("end_year = 2000", "end_year = 1980"))
    assert "end_year = 1980" in msg


def test_all_problems_are_reported_at_once(tmp_path):
    text = GOOD.replace("patent_barrier = 0.7", "patent_barrier = 2\nmission = -1")
    msg = error_of(tmp_path, text)
    assert "patent_barrier" in msg and "mission" in msg


def test_set_assignments_are_checked_against_the_table(tmp_path):
    assert parse_assignment("patent_barrier=0.2") == ("patent_barrier", 0.2)
    assert parse_assignment("n_home_firms = 6") == ("n_home_firms", 6)
    for bad, fragment in [
        ("patent_barrier", "name=value"),
        ("nope=1", "unknown parameter"),
        ("patent_barrier=x", "not a plain decimal number"),
        ("patent_barrier=3", "less than or equal to 1"),
        ("n_home_firms=2.5", "not an integer"),
        ("n_home_firms=1_0", "not an integer"),  # Python's int() would read 10
        ("patent_life=2_5", "not a plain decimal number"),  # ... and float() 25
        ("patent_barrier=nan", "not a plain decimal number"),
        ("patent_barrier=-inf", "not a plain decimal number"),
    ]:
        with pytest.raises(ParameterError, match=fragment):
            parse_assignment(bad)
    s = with_overrides(load_scenario(write(tmp_path, GOOD)), {"mission": 1.0}, seeds=7)
    assert s.parameters["mission"] == 1.0 and s.seeds == 7 and s.overrides == {"mission": 1.0}


def test_every_parameter_is_documented_with_a_valid_default():
    for p in PARAMETERS:
        assert p.meaning and p.unit and p.source
        assert p.low <= p.default <= p.high
        assert check_parameters({p.name: p.default}, str)[p.name] == p.default
        assert p.setup_only or p.type is float  # integer parameters are read at set-up only


def test_one_validator_for_files_events_and_set(tmp_path):
    """The same value is refused in [parameters], in an event and by --set, with the same range."""
    bad = "procurement_support = 1.5"
    in_file = error_of(tmp_path, GOOD.replace("patent_barrier = 0.7", bad))
    in_event = error_of(tmp_path, GOOD.replace("procurement_support = 0.5", "procurement_support = 1.5"))
    with pytest.raises(ParameterError) as by_set:
        parse_assignment("procurement_support=1.5")
    for message in (in_file, in_event, str(by_set.value)):
        assert "procurement_support" in message and "(allowed: number in [0, 1])" in message


def test_events_keep_the_order_their_values_were_given_in(tmp_path):
    text = GOOD.replace(
        "set = { procurement_support = 0.5 }", "set = { rd_subsidy = 0.2, alliance = 1, mission = 0.5 }"
    )
    event = load_scenario(write(tmp_path, text)).events[0]
    assert list(event.set) == ["rd_subsidy", "alliance", "mission"]
    assert event.set["alliance"] == 1.0 and isinstance(event.set["alliance"], float)


def test_unknown_event_parameter_suggests_names(tmp_path):
    msg = error_of(tmp_path, GOOD.replace("procurement_support = 0.5", "procurment_support = 0.5"))
    assert "events[0].set.procurment_support" in msg and "did you mean procurement_support" in msg


def test_built_in_scenarios_are_found_by_name():
    assert load_scenario("baseline").name == "baseline"
    assert load_scenario("speech").calibrated is not None  # a bare case name means its calibrated file
    assert load_scenario("cases/speech").calibrated is None
    with pytest.raises(ScenarioError, match=r"no such file or built-in scenario.*baseline"):
        load_scenario("no_such_scenario")


def test_a_result_folder_named_like_a_scenario_does_not_hide_it(tmp_path):
    (tmp_path / "baseline").mkdir()  # e.g. `catchup run baseline --out baseline`, run from here
    assert load_scenario("baseline").name == "baseline"
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "missing.toml")


def test_overrides_in_python_go_through_the_same_validator(tmp_path):
    scenario = load_scenario(write(tmp_path, GOOD))
    with pytest.raises(ParameterError, match=r"knowledge_cumulativeness = 9.*\[0, 1\]"):
        with_overrides(scenario, {"knowledge_cumulativeness": 9})
    with pytest.raises(ParameterError, match="unknown parameter"):
        with_overrides(scenario, {"nope": 1})
    with pytest.raises(ParameterError, match="niche_count"):
        with_overrides(scenario, {"niche_count": 2.5})


def test_built_in_names_are_those_listed_and_never_climb_out(tmp_path):
    assert load_scenario("cases/speech.calibrated").calibrated is not None
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario("../baseline")
