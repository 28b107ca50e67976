"""Cohorts, third countries and buyer classes in scenario files: accepted when consistent,
refused with a message naming the file, the key and the allowed values when not."""

from __future__ import annotations

import math

import pytest

from catchup.config.scenario import load_scenario
from tests.config.test_scenario import error_of, write

BASE = """
name = "populated"
start_year = 1990
end_year = 2000
seeds = 2
[parameters]
home_market_weight = 0.3
"""
COUNTRY = """
[[countries]]
name = "C"
market_weight = 0.2
"""
COHORT = """
[[cohorts]]
name = "third"
country = "C"
year = 1995
firms = 3
position = 0.4
"""
BUYERS = """
[[buyers]]
name = "big"
share = 0.6
quality_sensitivity = 6
price_sensitivity = 1
network_effect = 4
minimum_quality = 0.2
[[buyers]]
name = "cheap"
share = 0.4
quality_sensitivity = 1
price_sensitivity = 4
network_effect = 1
maximum_price = 0.5
sellers = ["third", "latecomers"]
network_floor = 0.01
"""


def test_a_consistent_population_resolves_into_plain_data(tmp_path):
    scenario = load_scenario(write(tmp_path, BASE + COUNTRY + COHORT + BUYERS))
    assert [c.name for c in scenario.countries] == ["C"]
    assert scenario.cohorts[0].country == "C" and scenario.cohorts[0].firms == 3
    assert scenario.buyers[1].sellers == ("third", "latecomers")
    assert scenario.buyers[0].maximum_price == math.inf
    data = scenario.to_dict()
    assert data["buyers"][0]["maximum_price"] is None  # JSON-safe
    assert data["cohorts"][0]["name"] == "third"


def test_a_scenario_without_a_population_keeps_its_manifest_keys(tmp_path):
    data = load_scenario(write(tmp_path, BASE)).to_dict()
    assert not {"cohorts", "countries", "buyers"} & set(data)  # design hashes of old folders hold


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BASE + COHORT, "cohorts[0].country = 'C': unknown (allowed: home, foreign"),
        (BASE + COUNTRY + COHORT.replace("year = 1995", "year = 2005"), "cohorts[0].year = 2005: outside"),
        (BASE + COUNTRY + COHORT + COHORT, "cohorts[1].name = 'third': must be unique"),
        (BASE + COUNTRY + COHORT.replace('"third"', '"incumbents"'), "not a built-in cohort"),
        (BASE + COUNTRY.replace("0.2", "0.7"), "countries.market_weight: with parameters.home_market_weight"),
        (BASE + COUNTRY.replace('"C"', '"foreign"'), "countries[0].name = 'foreign': must be new"),
        (BASE + COUNTRY + COHORT + BUYERS.replace("share = 0.4", "share = 0.3"), "buyers.share"),
        (BASE + COUNTRY + COHORT + BUYERS.replace('"latecomers"', '"nobody"'), "'nobody' is not a cohort"),
        (BASE + COUNTRY + COHORT.replace("firms = 3", "firms = 0"), "cohorts[0].firms = 0"),
        (
            BASE + COUNTRY + COHORT.replace("position = 0.4", 'position = "high"'),
            "cohorts[0].position = 'high'",
        ),
        (BASE + COUNTRY + COHORT.replace("firms = 3", "firms = 3\nsize = 2"), "size"),
        (
            BASE + COUNTRY + COHORT + BUYERS.replace("network_floor = 0.01", "network_floor = 0.9"),
            "network_floor",
        ),
    ],
)
def test_inconsistent_populations_are_refused_with_the_key(tmp_path, text, expected):
    assert expected in error_of(tmp_path, text)


def test_names_whose_output_columns_collide_are_refused(tmp_path):
    """A buyer class `home` and a cohort `home_market` would both write home_share_home_market."""
    cohort = COHORT.replace('"third"', '"home_market"')
    buyers = BUYERS.replace('name = "big"', 'name = "home"').replace('"third", "latecomers"', '"home_market"')
    message = error_of(tmp_path, BASE + COUNTRY + cohort + buyers)
    assert "its output column 'home_share_home_market' is also the model's own column" in message


def test_a_larger_home_market_that_would_leave_world_demand_above_one_is_refused(tmp_path):
    from catchup.config.scenario import with_overrides
    from catchup.errors import ParameterError

    scenario = load_scenario(write(tmp_path, BASE + COUNTRY + COHORT))
    with pytest.raises(ParameterError, match=r"home_market_weight < 0\.8"):
        with_overrides(scenario, {"home_market_weight": 0.85})
    event = "\n[[events]]\nyear = 1995\nset = { home_market_weight = 0.9 }\n"
    assert "events[0].set.home_market_weight = 0.9" in error_of(tmp_path, BASE + event + COUNTRY + COHORT)
