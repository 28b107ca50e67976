"""The interactive dashboard: a Mesa SolaraViz page for the catch-up model.

Run with `catchup dashboard` (a thin wrapper over `solara run catchup.dashboard.app`). The
sidebar has a scenario picker, sliders for the main parameters (each captioned with its
current value and unit) and a seed; picking a scenario moves the sliders to its values.
The page shows relative capability and home shares by year with the windows detected so
far shaded, and a table of firms and institutes. What is on screen is run 0 of
`catchup run SCENARIO --seeds 1 --base-seed SEED --set ...` (the page shows the exact
command).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import solara
from matplotlib.figure import Figure
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from catchup.config.builtin import SCENARIOS
from catchup.config.scenario import Scenario, load_scenario
from catchup.errors import CatchupError
from catchup.experiments.runs import run_seed
from catchup.model.agents import ForeignIncumbent, Latecomer, ResearchInstitute
from catchup.model.model import CatchUpModel
from catchup.model.parameters import BY_NAME
from catchup.model.windows import WINDOW_TYPES, detect_windows
from catchup.viz.style import SERIES_COLOURS, WINDOW_COLOURS, label, styled

SLIDERS = (
    "technology_maturity",
    "knowledge_cumulativeness",
    "patent_barrier",
    "niche_market_size",
    "procurement_support",
    "publicness",
    "standardization",
)


def scenario_dir() -> Path:
    """Where the scenario files are: $CATCHUP_SCENARIOS, else the built-in scenarios."""
    return Path(os.environ.get("CATCHUP_SCENARIOS", str(SCENARIOS)))


def available_scenarios() -> dict[str, Path]:
    """Scenario name -> file, for every valid scenario file under the scenario folder."""
    found = {}
    folder = scenario_dir()
    # a calibrated case file shares its case's name and wins over it (it comes last)
    for path in sorted(folder.rglob("*.toml"), key=lambda p: (p.name.endswith(".calibrated.toml"), str(p))):
        try:
            found[load_scenario(path).name] = path
        except CatchupError:
            continue
    return found


class DashboardModel(CatchUpModel):
    """The catch-up model built from the dashboard's current settings (a shared dict)."""

    def __init__(self, settings: dict[str, Any] | None = None, **_: Any) -> None:
        settings = settings if settings is not None else initial_settings()
        scenario: Scenario = settings["scenario_object"]
        params = dict(scenario.parameters)
        params.update({name: settings[name] for name in SLIDERS})
        self.settings = dict(settings)
        super().__init__(
            params,
            rng=run_seed(int(settings["seed"]), 0),
            start_year=scenario.start_year,
            end_year=scenario.end_year,
            steps_per_year=scenario.steps_per_year,
            events=scenario.events,
        )

    def step(self) -> None:
        """One step; past end_year nothing changes and play stops (Mesa counts the call anyway)."""
        if self.steps > self.n_steps:
            self.running = False
            return
        super().step()
        self.running = self.steps < self.n_steps


def initial_settings() -> dict[str, Any]:
    scenarios = available_scenarios()
    name = "baseline" if "baseline" in scenarios else next(iter(scenarios))
    return settings_for(name, seed=1, scenarios=scenarios)


def settings_for(name: str, seed: int, scenarios: dict[str, Path]) -> dict[str, Any]:
    scenario = load_scenario(scenarios[name])
    return {
        "scenario": name,
        "scenario_object": scenario,
        "seed": seed,
        **{k: scenario.parameters[k] for k in SLIDERS},
    }


def format_value(value: float) -> str:
    """A parameter value in plain decimals, never scientific notation ("1000", not "1e+03").

    At most four decimals (the sliders round to four) with trailing zeros dropped, so a
    reader sees "0.05" rather than "0.0500" or "5e-02".
    """
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def slider_caption(name: str, value: float) -> str:
    """The text shown with a parameter's slider: its name, current value and unit.

    The slider's thumb shows the value only while dragging and never its unit, so the
    caption carries both, e.g. "niche market size: 0.1 (share of home demand)". The unit
    comes from the parameter table; an empty or "-" unit gives just the value.
    """
    unit = BY_NAME[name].unit.strip()
    text = f"{label(name)}: {format_value(value)}"
    return text if unit in ("", "-") else f"{text} ({unit})"


def reproduce_command(path: Path, settings: dict[str, Any]) -> str:
    """The `catchup run` command that gives the run on screen (run 0 of base seed = the seed)."""
    sets = " ".join(f"--set {k}={settings[k]:g}" for k in SLIDERS)
    return f"Reproduce: `catchup run {path} --seeds 1 --base-seed {settings['seed']} {sets}`"


def trajectory_frame(model: CatchUpModel) -> pd.DataFrame:
    return pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in model.trajectory.items()})


@solara.component
def TrajectoryChart(model: CatchUpModel):
    """Relative capability and home shares by year, windows detected so far shaded."""
    update_counter.get()
    table = trajectory_frame(model)
    with styled():
        fig = Figure(figsize=(7, 3.6), layout="constrained")  # not pyplot: nothing to close
        ax = fig.subplots()
        if len(table):
            windows, _ = detect_windows(table.to_dict("series"), model.steps_per_year)
            for w in windows:
                ax.axvspan(w.open_year, w.close_year, color=WINDOW_COLOURS[w.type], alpha=0.18, linewidth=0)
            for column, colour in SERIES_COLOURS.items():
                ax.plot(table["year"], table[column], color=colour, linewidth=1.8, label=label(column))
        ax.set_xlim(model.start_year, model.end_year)
        ax.set_ylim(0, max(1.05, float(table["relative_capability"].max()) * 1.05) if len(table) else 1.05)
        ax.axhline(0.9, color="grey", linestyle=":", linewidth=1)
        ax.set_xlabel("year")
        ax.set_ylabel("ratio / share of demand")
        handles = [
            matplotlib.patches.Patch(color=WINDOW_COLOURS[k], alpha=0.3, label=f"{k} window")
            for k in WINDOW_TYPES
        ]
        ax.legend(
            handles=ax.get_legend_handles_labels()[0] + handles,
            fontsize=7,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
        )
        year = model.period_start_year if model.steps else model.start_year
        ax.set_title(
            f"{model.settings['scenario']}, seed {model.settings['seed']}: year {year:.2f}", loc="left"
        )
    return solara.FigureMatplotlib(fig, format="png", dependencies=[model.steps, id(model)])


@solara.component
def AgentTable(model: CatchUpModel):
    """Firms (origin, capability, share, cash, alive) and institutes."""
    update_counter.get()
    rows = []
    for agent in model.agents:
        if isinstance(agent, (Latecomer, ForeignIncumbent)):
            sales = float(agent.sales / (model.world_demand_per_year * model.dt)) if model.steps else 0.0
            rows.append(
                {
                    "agent": f"firm {agent.unique_id}",
                    "origin": "home" if agent.is_home else "foreign",
                    "generation": agent.generation,
                    "capability": round(agent.capability, 4),
                    "share of world demand": round(sales, 4),
                    "cash": round(agent.cash, 4),
                    "alive": True,
                }
            )
        elif isinstance(agent, ResearchInstitute):
            rows.append(
                {
                    "agent": f"institute {agent.unique_id}",
                    "origin": "home",
                    "generation": agent.generation,
                    "capability": round(agent.knowledge, 4),
                    "share of world demand": None,
                    "cash": None,
                    "alive": True,
                }
            )
    return solara.DataFrame(pd.DataFrame(rows), items_per_page=20)


@solara.component
def Page():
    scenarios = solara.use_memo(available_scenarios, [])
    settings = solara.use_memo(initial_settings, [])  # one dict shared with the model factory
    version, set_version = solara.use_state(0)
    first_model = solara.use_memo(lambda: DashboardModel(settings), [])
    model = solara.use_reactive(first_model)  # a new value each render would loop

    def rebuild(**changes: Any) -> None:
        if "scenario" in changes:
            settings.update(settings_for(changes["scenario"], settings["seed"], scenarios))
        else:
            settings.update(changes)
        model.value = DashboardModel(settings)
        set_version(version + 1)

    with solara.Sidebar(), solara.Card("Scenario and parameters"):
        solara.Select(
            "scenario",
            values=list(scenarios),
            value=settings["scenario"],
            on_value=lambda v: rebuild(scenario=v),
        )
        for name in SLIDERS:
            p = BY_NAME[name]
            # the caption sits above its slider: beside it, it would squeeze the slider
            solara.Text(slider_caption(name, settings[name]), classes=["slider-caption"])
            solara.SliderFloat(
                "",
                value=float(settings[name]),
                min=p.low,
                max=p.high,
                step=0.05,
                on_value=lambda v, name=name: rebuild(**{name: round(float(v), 4)}),
            )
        solara.InputInt("seed", value=int(settings["seed"]), on_value=lambda v: rebuild(seed=int(v)))
        solara.Markdown(reproduce_command(scenarios[settings["scenario"]], settings))
    SolaraViz(
        model, components=[], model_params={"settings": settings}, name="catchup dashboard", play_interval=50
    )
    with solara.Column():
        TrajectoryChart(model.value)
        AgentTable(model.value)


page = Page
