"""Policy design (`catchup policy`): the scenario a candidate makes, its objectives and
intervals, the Pareto front, resume after an interruption, the scenario file of a chosen point,
and the government's spending that the search trades off."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import optuna
import pandas as pd
import pytest

import catchup
from catchup.config.policy import load_policy, policy_data, policy_scenario
from catchup.config.scenario import load_scenario
from catchup.errors import ScenarioError
from catchup.experiments import policy, policy_points
from catchup.experiments.runs import run_seed
from catchup.model.simulate import simulate
from tests.cli.test_cli import catchup_cli
from tests.conftest import make_scenario

BASE = """
name = "policy_test"
description = "Twelve years with a procured segment and a dated subsidy, for policy tests."
start_year = 1990
end_year = 2002
steps_per_year = 2
seeds = 4
base_seed = 11

[parameters]
technology_maturity = 0.3
niche_market_size = 0.2
publicness = 0.4
procurement_threshold = 0.3

[[events]]
year = 1994
set = { rd_subsidy = 0.7, entrepreneurship = 0.5 }
label = "history: subsidy and entry"
"""
LEVERS = {"procurement_support": None, "rd_subsidy": None, "rd_subsidy_start": None}
OBJECTIVES = ["p_leadership", "home_share", "government_spending"]


@pytest.fixture
def base_file(tmp_path):
    path = tmp_path / "base.toml"
    path.write_text(BASE)
    return path


def problem(base_file, **kw):
    options = {"levers": LEVERS, "objectives": OBJECTIVES, "seeds": 4, "trials": 8} | kw
    return load_policy(base_file, **options)


# -- the scenario of a candidate ---------------------------------------------------------------


@pytest.mark.parametrize("start, years", [(1995.0, 3.0), (1991.5, 20.0), (1990.0, 2.0)])
def test_a_candidate_switches_its_instrument_on_and_off_and_drops_the_historys(base_file, start, years):
    prob = problem(base_file, levers={"rd_subsidy": None, "rd_subsidy_start": None, "rd_subsidy_years": None})
    values = {"rd_subsidy": 0.4, "rd_subsidy_start": start, "rd_subsidy_years": years}
    scenario = policy_scenario(prob, values)
    settings = [(e.year, e.set["rd_subsidy"]) for e in scenario.events if "rd_subsidy" in e.set]
    expected = [] if start <= 1990 else [(start, 0.4)]
    if start + years <= scenario.last_event_year:
        expected.append((start + years, 0.0))
    assert settings == expected  # the history's 1994 subsidy is gone
    assert scenario.parameters["rd_subsidy"] == (0.4 if start <= 1990 else 0.0)
    # what else the history's event did stays
    assert any(e.set.get("entrepreneurship") == 0.5 and e.year == 1994 for e in scenario.events)


def test_a_candidate_keeps_history_it_does_not_search(base_file):
    prob = problem(base_file, levers={"procurement_support": None})
    scenario = policy_scenario(prob, {"procurement_support": 0.6})
    assert scenario.parameters["procurement_support"] == 0.6
    assert any(e.set.get("rd_subsidy") == 0.7 for e in scenario.events)


def test_the_robustness_sample_is_a_latin_hypercube_inside_its_bounds_and_fixed_by_the_seed(base_file):
    prob = problem(
        base_file, uncertain={"niche_market_size": (0.1, 0.5), "n_foreign_firms": (1, 4)}, samples=5
    )
    first, again = policy.uncertain_sample(prob), policy.uncertain_sample(prob)
    assert first == again and len(first) == 5
    niche = sorted(p["niche_market_size"] for p in first)
    # one point in each fifth of the range: a Latin hypercube, not five draws anywhere
    assert [int((v - 0.1) / 0.08) for v in niche] == [0, 1, 2, 3, 4]
    assert all(isinstance(p["n_foreign_firms"], int) and 1 <= p["n_foreign_firms"] <= 4 for p in first)


# -- objectives ---------------------------------------------------------------------------------


def test_objectives_and_their_intervals_from_runs():
    runs = pd.DataFrame(
        {
            "catch_up_year": [2000.0, np.nan, 2004.0, 2010.0, np.nan, 2001.0, 2003.0, 2002.0],
            "leadership_year": [np.nan] * 7 + [2005.0],
            "final_home_share_home_market": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
            "government_spending": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 99.0],
            "valid": [True] * 7 + [False],
        }
    )
    names = ["p_catch_up", "p_leadership", "catch_up_year", "home_share", "government_spending"]
    got = policy.objective_values(runs, names, end_year=2020.0)
    assert got["p_catch_up"][0] == pytest.approx(5 / 8)  # the invalid run does not count as a catch-up
    assert got["p_leadership"][0] == 0.0
    # never = the end year: years 2000, 2020, 2004, 2010, 2020, 2001, 2003, 2020 -> median 2007
    assert got["catch_up_year"][0] == pytest.approx(2007.0)
    assert got["home_share"][0] == pytest.approx(0.4)  # mean over the seven valid runs
    assert got["government_spending"][0] == pytest.approx(4.0)
    for name, (value, low, high) in got.items():
        assert low <= value <= high, name
    assert 0.0 < got["p_catch_up"][1] < 5 / 8 < got["p_catch_up"][2] < 1.0


# -- the search ---------------------------------------------------------------------------------


def dominated(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether point a is dominated by b (every objective as good, one better; larger is better)."""
    return bool(np.all(b >= a) and np.any(b > a))


def signed(table: pd.DataFrame, names: list[str]) -> np.ndarray:
    directions = np.array([1.0 if catchup.config.levers.OBJECTIVES[n] == "maximize" else -1.0 for n in names])
    return table[names].to_numpy(dtype=float) * directions


def test_the_front_has_no_dominated_point_and_dominates_every_other_candidate(base_file, ex):
    prob = problem(base_file, trials=12)
    result = policy.search(prob, executor=ex, storage="sqlite:///study.db")
    table = result.trials
    assert len(table) == 12 and table["pareto"].any()
    points = signed(table, OBJECTIVES)
    front = table["pareto"].to_numpy()
    for i in np.flatnonzero(front):
        assert not any(dominated(points[i], points[j]) for j in range(len(table))), table.iloc[i]
    for i in np.flatnonzero(~front):
        assert any(
            dominated(points[i], points[j]) or np.array_equal(points[i], points[j]) for j in range(len(table))
        )
    # the first candidate is every lever at its lower bound: no subsidy, no procurement
    first = table[table["trial"] == 0].iloc[0]
    assert first["rd_subsidy"] == 0.0 and first["procurement_support"] == 0.0
    # the search moved spending: a subsidy costs money, none costs none beyond the institutes
    assert table["government_spending"].max() > first["government_spending"]


def test_a_candidates_values_do_not_depend_on_workers(base_file, ex):
    prob = problem(base_file)
    values = {"procurement_support": 0.7, "rd_subsidy": 0.3, "rd_subsidy_start": 1993.0}
    assert policy.evaluate(prob, values, executor=ex) == policy.evaluate(prob, values, jobs=1)


def test_an_interrupted_search_resumes_to_the_same_candidates_as_one_that_ran_through(base_file, ex):
    # population 4: three NSGA-II generations in ten candidates, so the sampler's state matters
    prob = replace(problem(base_file, trials=10), population=4)
    straight = policy.search(prob, executor=ex, storage="sqlite:///straight.db").trials

    def stop_after_three(done, total, front):
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        policy.search(prob, executor=ex, storage="sqlite:///study.db", on_trial=stop_after_three)
    study = optuna.load_study(study_name=prob.study_name(policy.VERSION), storage="sqlite:///study.db")
    finished = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(finished) == 3
    kept = {t.number: t.values for t in finished}
    half = policy.search(prob, 6, executor=ex, storage="sqlite:///study.db")  # and in two more goes
    assert half.resumed and len(half.trials) == 6
    result = policy.search(prob, executor=ex, storage="sqlite:///study.db")
    assert len(result.trials) == 10
    again = result.trials.set_index("trial")
    for number, values in kept.items():
        assert list(again.loc[number, OBJECTIVES]) == values
    columns = [*prob.levers, *OBJECTIVES]
    pd.testing.assert_frame_equal(
        result.trials[columns].reset_index(drop=True), straight[columns].reset_index(drop=True)
    )


def test_an_interruption_in_the_first_candidate_keeps_the_cheapest_end(base_file, ex):
    prob = problem(base_file, trials=3)

    study = optuna.create_study(
        study_name=prob.study_name(policy.VERSION), storage="sqlite:///s.db", directions=prob.directions
    )
    study.enqueue_trial({k: b[0] for k, b in prob.levers.items()})
    trial = study.ask()  # the enqueued lower-bound candidate, started and then abandoned
    study.tell(trial, state=optuna.trial.TrialState.FAIL)
    result = policy.search(prob, executor=ex, storage="sqlite:///s.db")
    lowest = result.trials[(result.trials["rd_subsidy"] == 0) & (result.trials["procurement_support"] == 0)]
    assert len(lowest) == 1


def test_a_changed_problem_is_a_new_study(base_file):
    names = {
        problem(base_file).study_name(policy.VERSION),
        problem(base_file, seeds=5).study_name(policy.VERSION),
    }
    names.add(problem(base_file, objectives=OBJECTIVES[:2]).study_name(policy.VERSION))
    assert len(names) == 3


# -- a chosen point --------------------------------------------------------------------------------


def test_the_scenario_file_of_a_point_repeats_its_runs_and_holds_on_fresh_seeds(base_file, tmp_path, ex):
    prob = problem(base_file, seeds=24, trials=6)
    result = policy.search(prob, executor=ex, storage="sqlite:///study.db")
    point = result.front.sort_values("government_spending").iloc[-1]
    path = policy_points.point_file(prob, point, tmp_path / "point.toml", result.study)
    scenario = load_scenario(path)
    runs = [simulate(scenario, i, run_seed(prob.base_seed, i)).row for i in range(prob.seeds)]
    again = policy.objective_values(pd.DataFrame(runs), prob.objectives, scenario.end_year)
    for name in prob.objectives:  # the same runs: the same numbers
        assert again[name][0] == pytest.approx(point[name], rel=1e-12, abs=1e-12)
    check = policy_points.check_point(prob, point, path, seeds=48, executor=ex)
    assert check["inside"].all(), check
    assert (check["fresh"] != check["search"]).any()  # fresh seeds, not the search's


def test_choose_takes_the_cheapest_point_that_meets_the_requirement():
    front = pd.DataFrame(
        {"trial": [1, 2, 3], "p_catch_up": [0.5, 0.85, 0.95], "government_spending": [1.0, 2.0, 3.0]}
    )
    names = ["p_catch_up", "government_spending"]
    chosen = policy_points.choose(front, names, [("p_catch_up", ">=", 0.8)], "government_spending")
    assert chosen["trial"] == 2
    assert policy_points.choose(front, names, [("p_catch_up", ">=", 0.99)], "government_spending") is None
    with pytest.raises(ScenarioError, match="not searched here"):
        policy_points.choose(front, names, [("p_leadership", ">=", 0.5)], "government_spending")


# -- the command line -------------------------------------------------------------------------------


def test_policy_and_policy_point_from_the_command_line(base_file, tmp_path):
    args = ["policy", str(base_file), "--levers", "procurement_support,rd_subsidy=0:0.5", "--quiet"]
    args += ["--objectives", "p_leadership,government_spending", "--trials", "5", "--seeds", "3"]
    result = catchup_cli(*args, "--out", str(tmp_path / "pol"))
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((tmp_path / "pol" / "manifest.json").read_text())
    assert manifest["kind"] == "policy" and manifest["details"]["levers"]["rd_subsidy"] == [0.0, 0.5]
    assert (tmp_path / "pol" / "figures" / "pareto.png").is_file()
    trials = pd.read_csv(tmp_path / "pol" / "policy_trials.csv")
    assert len(trials) == 5 and trials["rd_subsidy"].max() <= 0.5
    assert catchup.viz.available_kinds(tmp_path / "pol") == ["pareto"]
    assert catchup_cli("report", str(tmp_path / "pol")).exit_code == 0
    html = (tmp_path / "pol" / "report.html").read_text()
    assert "Policy search: policy_test_policy" in html and "Pareto front" in html
    point = catchup_cli(
        "policy-point", str(tmp_path / "pol"), "--require", "p_leadership>=0", "--check-seeds", "3"
    )
    assert point.exit_code in (0, 1), point.stderr  # 1: a fresh value outside (three seeds: said, not hidden)
    assert list(tmp_path.glob("pol.trial*.toml"))


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--levers", "subsidy"], "unknown lever 'subsidy' (allowed: procurement_support"),
        (["--levers", "rd_subsidy=0:3"], "outside the allowed [0, 1]"),
        (["--levers", "rd_subsidy=0.5"], "write NAME or NAME=LOW:HIGH"),
        (["--levers", "rd_subsidy_start=1980:1995"], "outside the allowed [1990, 2001]"),
        (["--levers", "rd_subsidy", "--objectives", "p_catch_up,speed"], "unknown objective 'speed'"),
        (
            ["--levers", "rd_subsidy", "--objectives", "p_catch_up"],
            "1 given; a policy search takes two to four",
        ),
        (
            [
                "--levers",
                "rd_subsidy",
                "--objectives",
                "p_catch_up,p_leadership,catch_up_year,home_share,leadership_year",
            ],
            "5 given",
        ),
        (
            ["--levers", "procurement_start"],
            "times procurement_support, which the scenario's parameters leave at 0",
        ),
        (["--levers", "rd_subsidy_years"], "add rd_subsidy to the levers"),
        (["--levers", "rd_subsidy=0:0.5,rd_subsidy=0.5:1"], "--levers rd_subsidy: given twice"),
        (["--levers", "rd_subsidy", "--samples", "3"], "no uncertain parameters to sample"),
        (["--levers", "rd_subsidy", "--storage", "sqlite://"], "keeps nothing (an in-memory database)"),
        (["--levers", "rd_subsidy", "--storage", "sqlite:///"], "keeps nothing"),
        (["--levers", "rd_subsidy", "--objectives", "p_catch_up,p_catch_up"], "names one twice"),
        (["--levers", "procurement_preference"], "acts only while procurement_support > 0"),
        (["--levers", "rd_subsidy", "--uncertain", "rd_subsidy=0:1"], "is a lever or set by one"),
        (["--levers", "rd_subsidy", "--uncertain", "niche_market_size=0:2"], "need low < high inside"),
        (["--levers", "rd_subsidy", "--uncertain", "nonsense=0:1"], "unknown parameter"),
        (["--levers", "rd_subsidy", "--storage", "nosuchdb://x"], "--storage nosuchdb://x"),
    ],
)
def test_bad_policy_input_is_a_clear_error(base_file, tmp_path, extra, message):
    objectives = [] if "--objectives" in extra else ["--objectives", "p_catch_up,government_spending"]
    result = catchup_cli("policy", str(base_file), *extra, *objectives, "--trials", "2", "--quiet")
    assert result.exit_code == 2, result.stdout
    assert message in result.stderr
    assert not (tmp_path / "results" / "policy" / "policy_test_policy").exists()


def test_a_bad_policy_file_names_file_and_key(tmp_path, base_file):
    path = tmp_path / "p.toml"
    path.write_text(
        f'name = "p"\nscenario = "{base_file.name}"\nobjectives = ["p_catch_up", "government_spending"]\n'
        "speed = 3\n[levers]\nrd_subsidy = [0, 1]\n"
    )
    result = catchup_cli("policy", str(path), "--quiet")
    assert result.exit_code == 2 and str(path) in result.stderr and "speed" in result.stderr
    path.write_text(
        'name = "p"\nscenario = "missing.toml"\nobjectives = ["p_catch_up", "government_spending"]\n'
        "[levers]\nrd_subsidy = [0, 1]\n"
    )
    result = catchup_cli("policy", str(path), "--quiet")
    assert result.exit_code == 2 and "scenario = 'missing.toml'" in result.stderr


def test_policy_point_refuses_what_it_cannot_use(base_file, tmp_path):
    run = catchup_cli("run", str(base_file), "--seeds", "2", "--out", str(tmp_path / "run"), "--quiet")
    assert run.exit_code == 0
    result = catchup_cli("policy-point", str(tmp_path / "run"), "--require", "p_catch_up>=0.5")
    assert result.exit_code == 2 and "not a policy search's" in result.stderr
    args = ["policy", str(base_file), "--levers", "rd_subsidy", "--quiet", "--trials", "3", "--seeds", "2"]
    args += ["--objectives", "p_leadership,government_spending", "--out", str(tmp_path / "pol")]
    assert catchup_cli(*args).exit_code == 0
    for extra, message in (
        (["--require", "p_leadership>=2"], "no point of the front"),
        (["--require", "speed>=2"], "not searched here"),
        (["--require", "p_leadership=2"], "write OBJECTIVE>=X"),
        (["--trial", "999"], "not on the front"),
        (["--require", "p_leadership>=0", "--out", str(tmp_path / "x.txt")], "ends in .toml"),
        (["--require", "p_leadership>=nan"], "write OBJECTIVE>=X"),
        (["--trial", "0", "--out", str(tmp_path / "pol" / "inside.toml")], "inside the result folder"),
    ):
        result = catchup_cli("policy-point", str(tmp_path / "pol"), *extra)
        assert result.exit_code == 2 and message in result.stderr, (extra, result.stderr)


# -- the government's spending (model output) ----------------------------------------------------


SEEDS = (1, 2, 3)


def spending(parameters, events=None, seed=1, **kw):
    scenario = make_scenario(parameters, events, end_year=2010, **kw)
    return simulate(scenario, 0, seed).row


@pytest.mark.parametrize("seed", SEEDS)
def test_no_policy_and_no_institutes_spend_nothing(seed):
    row = spending({"n_institutes": 0}, seed=seed)
    assert row["government_spending"] == 0.0


@pytest.mark.parametrize("seed", SEEDS)
def test_spending_rises_with_the_subsidy_and_falls_with_the_discount_rate(seed):
    low = spending({"rd_subsidy": 0.2}, seed=seed)["spending_rd_subsidy"]
    high = spending({"rd_subsidy": 0.8}, seed=seed)["spending_rd_subsidy"]
    assert 0 < low < high
    discounted = spending({"rd_subsidy": 0.8, "discount_rate": 0.2}, seed=seed)["spending_rd_subsidy"]
    assert discounted < 0.7 * high


@pytest.mark.parametrize("seed", SEEDS)
def test_procurement_costs_at_most_what_the_state_buys_from_preferred_firms(seed):
    params = {
        "publicness": 0.4,
        "procurement_support": 1.0,
        "procurement_threshold": 0.0,
        "discount_rate": 0.0,
    }
    row = spending(params, seed=seed)
    assert row["spending_procurement"] > 0
    # at most the whole procured segment's purchases: publicness of home demand, every year
    scenario = make_scenario(params, end_year=2010)
    out = simulate(scenario, 0, seed)
    home_demand = scenario.parameters["home_market_weight"] * (1 + scenario.parameters["demand_growth"]) ** (
        out.trajectory["year"] - 1990
    )
    assert row["spending_procurement"] < 0.4 * home_demand.sum() * 0.25
    # and a weaker preference costs less
    weaker = spending(params | {"procurement_preference": 1.0}, seed=seed)
    assert weaker["spending_procurement"] < row["spending_procurement"]


def test_the_trajectory_column_adds_up_to_the_undiscounted_total():
    row = spending({"rd_subsidy": 0.5, "mission": 0.5, "discount_rate": 0.0})
    out = simulate(
        make_scenario({"rd_subsidy": 0.5, "mission": 0.5, "discount_rate": 0.0}, end_year=2010), 0, 1
    )
    assert out.trajectory["government_spending"].sum() * 0.25 == pytest.approx(row["government_spending"])


def test_the_policy_data_of_a_candidate_is_a_valid_scenario_file(base_file, tmp_path):
    import tomli_w

    prob = problem(base_file)
    data = policy_data(prob, {"procurement_support": 0.5, "rd_subsidy": 0.2, "rd_subsidy_start": 1996.0})
    path = tmp_path / "c.toml"
    path.write_text(tomli_w.dumps(data))
    assert load_scenario(path).parameters["procurement_support"] == 0.5


def test_a_shipped_policy_experiment_in_small_has_a_clean_front_that_its_files_reproduce(tmp_path, ex):
    # experiments/policy/td_scdma.toml as shipped, with fewer seeds and candidates
    prob = load_policy("policy/td_scdma", seeds=4, trials=8)
    assert len(prob.levers) == 10 and prob.objectives[-1] == "government_spending"
    result = policy.search(prob, executor=ex, storage="sqlite:///study.db")
    points = signed(result.trials, list(prob.objectives))
    for i in np.flatnonzero(result.trials["pareto"].to_numpy()):
        assert not any(dominated(points[i], points[j]) for j in range(len(points)))
    for _, point in result.front.iterrows():
        path = policy_points.point_file(prob, point, tmp_path / f"t{int(point['trial'])}.toml", result.study)
        scenario = load_scenario(path)
        # the history's policy is the candidate's now: the 2002 alliance and 2009 adoption are gone,
        # the event's entry opening stays
        assert not any(e.label == "industry alliance (patent pool)" for e in scenario.events)
        assert not any("procurement_support" in e.set and e.year == 2009.0 for e in scenario.events)
        assert any(e.set.get("entrepreneurship") == 0.5 for e in scenario.events)
        runs = [simulate(scenario, i, run_seed(prob.base_seed, i)).row for i in range(prob.seeds)]
        again = policy.objective_values(pd.DataFrame(runs), prob.objectives, scenario.end_year)
        assert [again[n][0] for n in prob.objectives] == pytest.approx([point[n] for n in prob.objectives])


def test_a_confirmed_point_meets_the_requirement_on_fresh_seeds_too(base_file, ex):
    prob = problem(base_file, seeds=6, trials=10)
    result = policy.search(prob, executor=ex, storage="sqlite:///study.db")
    threshold = float(result.front["home_share"].median())
    wanted = [("home_share", ">=", threshold)]
    point, tried = policy_points.confirmed(prob, result.front, wanted, "government_spending", executor=ex)
    meeting = policy_points.ranked(result.front, list(prob.objectives), wanted, "government_spending")
    assert 1 <= tried <= len(meeting)
    if point is None:
        assert tried == len(meeting)
        return
    assert point["home_share"] >= threshold
    values = {k: float(point[k]) for k in prob.levers}
    fresh = policy.evaluate(
        prob, values, executor=ex, base_seed=prob.base_seed + policy_points.CONFIRM_SEED_OFFSET
    )
    assert fresh.objectives["home_share"][0] >= threshold
    # every cheaper point that met it on the search's seeds failed on the fresh ones
    for _, cheaper in meeting.iloc[: tried - 1].iterrows():
        again = policy.evaluate(
            prob,
            {k: float(cheaper[k]) for k in prob.levers},
            executor=ex,
            base_seed=prob.base_seed + policy_points.CONFIRM_SEED_OFFSET,
        )
        assert again.objectives["home_share"][0] < threshold


def small_search(base_file, out):
    """A two-candidate search on the test scenario into `out`, from the command line."""
    args = ["policy", str(base_file), "--levers", "rd_subsidy", "--quiet", "--trials", "2", "--seeds", "2"]
    result = catchup_cli(*args, "--objectives", "p_leadership,government_spending", "--out", str(out))
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d.pop("levers"), "details: levers"),
        (lambda d: d.pop("uncertain"), "details: uncertain"),
        (lambda d: d.update(levers=["rd_subsidy"]), "details: levers"),
        (lambda d: d.update(seeds="abc"), "details: seeds"),
        (lambda d: d.update(samples=0), "details: samples"),
        (lambda d: d.update(uncertain={"wibble": [0, 1]}), "robustness.parameters.wibble: unknown parameter"),
        (
            lambda d: d.update(objectives={"profit": "maximize", "p_leadership": "maximize"}),
            "details.objectives",
        ),
        (lambda d: d["levers"].update(mission=[0, 1]), "no column 'mission'"),
    ],
)
def test_an_edited_policy_folder_is_a_clear_error_everywhere(base_file, tmp_path, edit, message):
    small_search(base_file, tmp_path / "p")
    manifest = tmp_path / "p" / "manifest.json"
    data = json.loads(manifest.read_text())
    edit(data["details"])
    manifest.write_text(json.dumps(data))
    for command in (["policy-point", str(tmp_path / "p"), "--trial", "0"], ["report", str(tmp_path / "p")]):
        result = catchup_cli(*command)
        assert result.exit_code == 2, (command, result.stdout)
        assert message in result.stderr, (command, result.stderr)
    assert not list(tmp_path.glob("p.trial*.toml"))  # nothing written before the manifest was read


def test_a_damaged_front_table_is_a_clear_error(base_file, tmp_path):
    small_search(base_file, tmp_path / "p")
    front = tmp_path / "p" / "pareto_front.csv"
    front.write_text(front.read_text().replace(",0.0,", ",x0.0,", 1))
    result = catchup_cli("policy-point", str(tmp_path / "p"), "--trial", "0")
    assert result.exit_code == 2 and "table pareto_front: not all numbers" in result.stderr


def test_a_second_search_does_not_replace_anothers_result_unasked(base_file, tmp_path):
    base = [
        "policy",
        str(base_file),
        "--quiet",
        "--trials",
        "2",
        "--seeds",
        "2",
        "--out",
        str(tmp_path / "p"),
    ]
    first = catchup_cli(*base, "--levers", "rd_subsidy", "--objectives", "p_leadership,government_spending")
    assert first.exit_code == 0
    before = (tmp_path / "p" / "manifest.json").read_text()
    second = catchup_cli(*base, "--levers", "mission", "--objectives", "p_leadership,government_spending")
    assert second.exit_code == 2 and "holds another search's result" in second.stderr
    assert (tmp_path / "p" / "manifest.json").read_text() == before
    # the same search again is a resume: allowed, and its study sits beside the folder
    again = catchup_cli(*base, "--levers", "rd_subsidy", "--objectives", "p_leadership,government_spending")
    assert again.exit_code == 0 and (tmp_path / "p.db").is_file()


def test_a_built_in_policy_file_is_checked_by_name():
    result = catchup_cli("check", "policy/td_scdma")
    assert result.exit_code == 0 and "policy search 'td_scdma_policy'" in result.stdout
    missing = catchup_cli("policy", "policy/nonexistent", "--quiet")
    assert missing.exit_code == 2 and "policy/speech" in missing.stderr
