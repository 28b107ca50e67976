"""The organisation mode of a policy mix (Han 2025's three modes), and a context's row for the
cheapest front point that reaches a target."""

from __future__ import annotations

import pandas as pd
import pytest

from catchup.analysis.policy import active_instruments, context_row, organisation_mode
from catchup.experiments.policy_points import choose


@pytest.mark.parametrize(
    "point, active, mode",
    [
        ({}, [], "a"),
        ({"rd_subsidy": 0.5, "procurement_support": 0.9}, ["procurement", "rd_subsidy"], "a"),
        ({"alliance": 0.6, "procurement_support": 0.5}, ["procurement", "alliance"], "c"),
        ({"alliance": 0.6}, ["alliance"], "a"),  # an alliance without the state buying is not (c)
        (
            {"mission": 0.3, "alliance": 0.9, "procurement_support": 0.9},
            ["procurement", "alliance", "mission"],
            "b",
        ),
        ({"mission": 0.1}, [], "a"),  # too weak to count
        ({"mission": 0.9, "mission_start": 2027.0}, [], "a"),  # on for three years only
        ({"mission": 0.9, "mission_start": 2000.0, "mission_years": 4.0}, [], "a"),
        ({"mission": 0.9, "mission_start": 2000.0, "mission_years": 6.0}, ["mission"], "b"),
    ],
)
def test_the_mode_of_a_mix(point, active, mode):
    found = active_instruments(point, 1990.0, 2030.0)
    assert found == active
    assert organisation_mode(found) == mode


def test_the_cheapest_mix_that_reaches_the_target_and_its_mode():
    front = pd.DataFrame(
        {
            "trial": [0, 1, 2, 3],
            "p_catch_up": [0.1, 0.85, 0.95, 0.9],
            "p_leadership": [0.0, 0.5, 0.9, 0.85],
            "government_spending": [0.3, 1.0, 3.0, 2.0],
            "alliance": [0.0, 0.0, 0.8, 0.7],
            "procurement_support": [0.0, 0.9, 0.8, 0.7],
            "pareto": [True] * 4,
        }
    )

    def cheapest(front, requirements):
        wanted = [(name, ">=", least) for name, least in requirements.items()]
        point = choose(
            front, ["p_catch_up", "p_leadership", "government_spending"], wanted, "government_spending"
        )
        return None if point is None else point.to_dict()

    assert cheapest(front, {"p_catch_up": 0.8})["trial"] == 1
    assert cheapest(front, {"p_catch_up": 0.8, "p_leadership": 0.8})["trial"] == 3
    assert cheapest(front, {"p_catch_up": 0.99}) is None
    row = context_row("td_scdma", cheapest(front, {"p_catch_up": 0.8, "p_leadership": 0.8}), 1990.0, 2030.0)
    assert (row["mode"], row["paper_mode"], row["matches"]) == ("c", "c", True)
    row = context_row("semiconductors", cheapest(front, {"p_catch_up": 0.8}), 1990.0, 2030.0)
    assert row["paper_mode"] == "none named" and row["matches"] is None and row["trial"] == 1
    assert context_row("speech", None, 1990.0, 2030.0)["instruments"] == "no front point reaches it"
