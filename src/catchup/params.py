"""The parameter table: the single source of truth for every model parameter.

Scenario validation, `catchup params`, `--set` parsing and the parameter table in
docs/ODD.md are all derived from `PARAMETERS`, so a parameter is added in one place.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

# Where a value comes from; "paper" refers to Han (2025), the seed paper, by table.
PAPER = "Han 2025"
LLM = "Landini, Lee & Malerba 2017"


@dataclass(frozen=True)
class Parameter:
    """One model parameter: its type, default, allowed range and meaning."""

    name: str
    type: type
    default: Any
    low: float
    high: float
    unit: str
    meaning: str
    source: str
    group: str

    def allowed(self) -> str:
        """Human-readable allowed values, used in error messages and docs."""
        kind = "integer" if self.type is int else "number"
        return f"{kind} in [{_fmt(self.low)}, {_fmt(self.high)}]"

    def check(self, value: Any) -> Any:
        """Return `value` coerced to this parameter's type, or raise ValueError."""
        if isinstance(value, bool):
            raise ValueError(f"expected {self.allowed()}, got a boolean")
        if self.type is int:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if not isinstance(value, int):
                raise ValueError(f"expected {self.allowed()}, got {value!r}")
        else:
            if not isinstance(value, (int, float)):
                raise ValueError(f"expected {self.allowed()}, got {value!r}")
            value = float(value)
        if not (self.low <= value <= self.high):
            raise ValueError(f"{value!r} is out of range; allowed: {self.allowed()}")
        return value


def _fmt(x: float) -> str:
    return f"{x:g}"


def _p(name, type_, default, low, high, unit, meaning, source, group) -> Parameter:
    return Parameter(name, type_, default, low, high, unit, meaning, source, group)


F = float
I = int  # noqa: E741

PARAMETERS: tuple[Parameter, ...] = (
    # --- technology -------------------------------------------------------------
    _p(
        "technology_maturity",
        F,
        0.5,
        0,
        1,
        "share of S-curve",
        "Where the first generation stands on its S-curve at the start: 0 emerging (far "
        "from its ceiling, moving fast), 1 mature (near the ceiling, slow). Also sets the "
        "incumbents' initial patent coverage (mature fields have dense patent thickets).",
        f"{PAPER}, technology stage dimension; Tables 1, 2",
        "technology",
    ),
    _p(
        "knowledge_cumulativeness",
        F,
        0.7,
        0,
        1,
        "share",
        "How much of a firm's relative position in the old generation carries into a new "
        "one (1: leaders keep their lead; 0: everyone restarts at the entry level).",
        f"{PAPER}, paradigm change; Table 5; {LLM}",
        "technology",
    ),
    _p(
        "frontier_growth_rate",
        F,
        0.3,
        0.01,
        2,
        "1/year",
        "Logistic growth rate of every generation's frontier towards its ceiling.",
        "modelling choice",
        "technology",
    ),
    _p(
        "generation_ceiling_ratio",
        F,
        2.0,
        1,
        10,
        "ratio",
        "Ceiling of each new generation relative to the previous generation's ceiling.",
        "modelling choice",
        "technology",
    ),
    _p(
        "new_generation_start",
        F,
        0.1,
        0.01,
        0.9,
        "share of S-curve",
        "Progress of a new generation's frontier on its own S-curve when it arrives.",
        "modelling choice",
        "technology",
    ),
    _p(
        "generation_entry_level",
        F,
        0.3,
        0,
        1,
        "share of frontier",
        "Relative position (capability / frontier) that any firm or institute starts "
        "from in a new generation, before carry-over by cumulativeness.",
        "modelling choice",
        "technology",
    ),
    _p(
        "generation_hazard",
        F,
        0.0,
        0,
        1,
        "1/year",
        "Rate at which a new generation arrives by itself (Poisson; the chance within a "
        "year is 1 - exp(-rate)), in addition to dated `new_generation` events.",
        "modelling choice",
        "technology",
    ),
    _p(
        "public_knowledge",
        F,
        0.5,
        0,
        1,
        "share of frontier advance",
        "Share of each advance of the frontier that becomes public knowledge (papers, "
        "textbooks, open standards) taken up by every firm and institute in that "
        "generation; home actors get only the part not under embargo. Fast-moving "
        "(emerging) frontiers thus lift latecomers most.",
        f"{PAPER}, Table 1 (emerging: little prior knowledge needed)",
        "technology",
    ),
    _p(
        "adoption_hurdle",
        F,
        0.1,
        0,
        2,
        "share",
        "A firm moves to a newer generation when its expected capability there exceeds "
        "its current capability by this margin, or when a rival in the newer generation "
        "already beats it (the incumbent trap follows from this rule).",
        f"{LLM} (incumbent trap)",
        "technology",
    ),
    # --- patents and access to knowledge ----------------------------------------
    _p(
        "patent_barrier",
        F,
        0.5,
        0,
        1,
        "share",
        "How strongly the IP regime turns a knowledge holder's patent coverage into a "
        "brake on imitation (0: patents do not block; 1: covered knowledge is blocked).",
        f"{PAPER}, Table 2 (patent blockade), Table 5",
        "patents",
    ),
    _p(
        "licensing",
        F,
        0.2,
        0,
        1,
        "share",
        "Share of foreign patent coverage open to licence; licensed knowledge can be imitated, at a royalty.",
        f"{PAPER}, Table 5 (fee cuts)",
        "patents",
    ),
    _p(
        "royalty_rate",
        F,
        0.05,
        0,
        0.5,
        "share of revenue",
        "Royalty a licensee pays on its revenue, scaled by `licensing`.",
        "modelling choice",
        "patents",
    ),
    _p(
        "technology_embargo",
        F,
        0.0,
        0,
        1,
        "share",
        "Share of foreign knowledge closed to home actors (1: no access at all, neither "
        "imitation nor licence).",
        f"{PAPER}, Table 4 (technology blockade)",
        "patents",
    ),
    _p(
        "patent_filing_rate",
        F,
        3.0,
        0,
        20,
        "coverage per unit innovation",
        "How fast innovation turns into patent coverage: coverage grows by this rate "
        "times the innovation step relative to the frontier.",
        "modelling choice",
        "patents",
    ),
    _p(
        "patent_life",
        F,
        20.0,
        1,
        50,
        "years",
        "Mean life of patent coverage (coverage decays at 1/patent_life per year).",
        "statutory patent term",
        "patents",
    ),
    # --- market -----------------------------------------------------------------
    _p(
        "niche_market_size",
        F,
        0.1,
        0,
        1,
        "share of home demand",
        "Share of non-procured home demand in home niche segments, where home firms have "
        "a fit advantage (language, local geology).",
        f"{PAPER}, Tables 1, 2 (market)",
        "market",
    ),
    _p(
        "home_fit_advantage",
        F,
        2.0,
        0,
        8,
        "utility",
        "Average extra attractiveness of a home firm in a home niche (logit utility).",
        f"{PAPER}, Table 1 (Chinese language), Table 2 (geology)",
        "market",
    ),
    _p(
        "niche_count", I, 3, 1, 10, "segments", "Number of home niche segments.", "modelling choice", "market"
    ),
    _p(
        "niche_heterogeneity",
        F,
        0.5,
        0,
        1,
        "share",
        "Spread of the home-fit advantage across niches (each niche's fit is the mean "
        "times 1 + heterogeneity x a uniform draw in [-1, 1]).",
        f"{PAPER}, Table 2 (diverse demand)",
        "market",
    ),
    _p(
        "standardization",
        F,
        0.5,
        0,
        1,
        "share",
        "How standardised the mainstream product is: scales the network effect (lock-in "
        "by installed base) in mainstream segments.",
        f"{PAPER}, market dimension",
        "market",
    ),
    _p(
        "network_effect",
        F,
        6.0,
        0,
        20,
        "utility",
        "Utility of a full installed base in a fully standardised segment.",
        "modelling choice",
        "market",
    ),
    _p(
        "publicness",
        F,
        0.1,
        0,
        1,
        "share",
        "Public-good character of the product: the share of each region's demand bought "
        "by its government (0 commodity, 1 the state is the only buyer).",
        f"{PAPER}, product dimension; Table 4",
        "market",
    ),
    _p(
        "quality_sensitivity",
        F,
        6.0,
        0,
        30,
        "utility per log quality",
        "Weight buyers put on the log quality ratio to the best product in the segment.",
        "modelling choice",
        "market",
    ),
    _p(
        "price_sensitivity",
        F,
        2.0,
        0,
        10,
        "utility per log price",
        "Weight buyers put on log price.",
        "modelling choice",
        "market",
    ),
    _p(
        "home_cost_advantage",
        F,
        0.1,
        0,
        0.5,
        "share of price",
        "Price advantage of home firms (lower factor costs).",
        "modelling choice",
        "market",
    ),
    _p(
        "share_adjustment_rate",
        F,
        0.5,
        0.01,
        1,
        "share per year",
        "Share of the gap between current and target market shares closed per year.",
        "modelling choice",
        "market",
    ),
    _p(
        "home_market_weight",
        F,
        0.3,
        0.01,
        0.99,
        "share of world demand",
        "Home region's share of world demand.",
        "modelling choice",
        "market",
    ),
    _p(
        "demand_growth",
        F,
        0.05,
        -0.2,
        0.5,
        "1/year",
        "Growth rate of world demand.",
        "modelling choice",
        "market",
    ),
    _p(
        "profit_margin",
        F,
        0.25,
        0,
        1,
        "share of revenue",
        "Gross margin on sales before R&D and fixed costs.",
        "modelling choice",
        "market",
    ),
    # --- firms ------------------------------------------------------------------
    _p(
        "n_foreign_firms",
        I,
        3,
        1,
        20,
        "firms",
        "Foreign incumbent firms at the start.",
        "modelling choice",
        "firms",
    ),
    _p(
        "n_home_firms",
        I,
        4,
        0,
        50,
        "firms",
        "Home latecomer firms at the start (0 when a dated event founds them later, see `home_entrants`).",
        "modelling choice",
        "firms",
    ),
    _p(
        "max_home_firms",
        I,
        20,
        1,
        200,
        "firms",
        "Upper bound on home firms alive at once (entry stops there).",
        "modelling choice",
        "firms",
    ),
    _p(
        "home_initial_capability",
        F,
        0.05,
        0,
        1,
        "share of first ceiling",
        "Latecomers' initial capability (general engineering knowledge), capped at half "
        "the incumbents' initial level: the gap is small in an emerging field and large in "
        "a mature one.",
        f"{PAPER}, Table 1 (levels close when emerging)",
        "firms",
    ),
    _p(
        "foreign_initial_position",
        F,
        0.9,
        0.1,
        1,
        "share of frontier",
        "Incumbents' initial capability relative to the frontier.",
        "modelling choice",
        "firms",
    ),
    _p(
        "home_initial_cash",
        F,
        0.05,
        0,
        100,
        "demand units",
        "Mean cash of a new home firm, in units of the initial world demand per year "
        "(each founder draws uniformly between 0.5 and 1.5 times the mean).",
        "modelling choice",
        "firms",
    ),
    _p(
        "foreign_initial_cash",
        F,
        5.0,
        0,
        1000,
        "demand units",
        "Cash of a foreign incumbent at the start.",
        "modelling choice",
        "firms",
    ),
    _p("rd_intensity", F, 0.1, 0, 1, "share of revenue", "R&D spending out of revenue.", f"{LLM}", "firms"),
    _p(
        "cash_burn_rate",
        F,
        0.3,
        0,
        2,
        "share of cash per year",
        "Home firms' R&D out of cash, scaled by entrepreneurship (risk-taking).",
        "modelling choice",
        "firms",
    ),
    _p(
        "fixed_cost",
        F,
        0.005,
        0,
        10,
        "demand units per year",
        "Fixed cost of staying in business; a firm whose cash runs out exits.",
        "modelling choice",
        "firms",
    ),
    _p(
        "innovation_rate",
        F,
        0.8,
        0,
        5,
        "1/year",
        "Share of the gap to the frontier that R&D closes per year at saturating effort.",
        f"{LLM}",
        "firms",
    ),
    _p(
        "imitation_rate",
        F,
        0.15,
        0,
        5,
        "1/year",
        "Share of the gap to the best accessible capability that imitation closes per "
        "year at full access and absorptive capacity.",
        f"{LLM}",
        "firms",
    ),
    _p(
        "learning_by_doing",
        F,
        0.3,
        0,
        5,
        "1/year",
        "Share of the gap to the frontier closed per year by production experience at "
        "saturating output (trial-and-error iteration with users).",
        f"{PAPER}, product dimension (first market, iteration)",
        "firms",
    ),
    _p(
        "rd_reference",
        F,
        0.1,
        0.001,
        1,
        "share of world demand per year",
        "R&D spending (and output) at which effort is half-saturated: effort = x/(x+ref).",
        "modelling choice",
        "firms",
    ),
    _p(
        "innovation_noise",
        F,
        0.3,
        0,
        2,
        "log-sd",
        "Log-normal noise on each innovation and research step.",
        "modelling choice",
        "firms",
    ),
    # --- research institutes ----------------------------------------------------
    _p(
        "n_institutes",
        I,
        2,
        0,
        20,
        "institutes",
        "Home research institutes.",
        "modelling choice",
        "institutes",
    ),
    _p(
        "institute_funding",
        F,
        0.01,
        0,
        10,
        "share of world demand per year",
        "Government base funding of all institutes together.",
        f"{PAPER}, Tables 1, 2",
        "institutes",
    ),
    _p(
        "research_productivity",
        F,
        0.5,
        0,
        5,
        "1/year",
        "Share of the gap to the frontier that an institute's research closes per year at "
        "saturating funding.",
        "modelling choice",
        "institutes",
    ),
    _p(
        "university_industry_linkage",
        F,
        0.5,
        0,
        1,
        "probability",
        "Chance that a home firm partners with a given institute (industry-university-research cooperation).",
        f"{PAPER}, Tables 1, 2 (mode)",
        "institutes",
    ),
    _p(
        "spillover_rate",
        F,
        0.2,
        0,
        5,
        "1/year",
        "Share of the gap to a partner institute's knowledge closed per year.",
        f"{PAPER}, Table 1",
        "institutes",
    ),
    _p(
        "contract_research_share",
        F,
        0.1,
        0,
        1,
        "share of R&D",
        "Share of a firm's own R&D paid to its partner institutes as contract research "
        "(funds their research in the next step instead of the firm's own).",
        f"{PAPER}, Tables 1, 2 (industry-university-research cooperation)",
        "institutes",
    ),
    # --- government and institutions --------------------------------------------
    _p(
        "procurement_support",
        F,
        0.0,
        0,
        1,
        "share",
        "Strength of the government's preference for qualifying home firms in the procured segment.",
        f"{PAPER}, product and institutions dimensions",
        "institutions",
    ),
    _p(
        "procurement_threshold",
        F,
        0.5,
        0,
        1,
        "relative capability",
        "Quality threshold: a home firm qualifies for procurement preference when its "
        "capability is at least this share of the best foreign firm's.",
        f"{PAPER}, Table 2 (first tender)",
        "institutions",
    ),
    _p(
        "procurement_preference",
        F,
        5.0,
        0,
        20,
        "utility",
        "Utility bonus of a qualifying home firm at procurement_support = 1.",
        "modelling choice",
        "institutions",
    ),
    _p(
        "rd_subsidy",
        F,
        0.0,
        0,
        1,
        "share",
        "R&D subsidy intensity: at 1 the government pays `subsidy_scale` of home demand "
        "per year to home firms' R&D, split equally.",
        f"{PAPER}, Table 2 (863 Programme)",
        "institutions",
    ),
    _p(
        "subsidy_scale",
        F,
        0.05,
        0,
        1,
        "share of home demand per year",
        "Subsidy budget at rd_subsidy = 1.",
        "modelling choice",
        "institutions",
    ),
    _p(
        "home_market_protection",
        F,
        0.0,
        0,
        1,
        "share",
        "Protection of the home market: a utility penalty on foreign firms in every home segment.",
        f"{PAPER}, market dimension (exclusivity)",
        "institutions",
    ),
    _p(
        "protection_strength",
        F,
        3.0,
        0,
        20,
        "utility",
        "Utility penalty on foreign firms at home_market_protection = 1.",
        "modelling choice",
        "institutions",
    ),
    _p(
        "alliance",
        F,
        0.0,
        0,
        1,
        "share",
        "Home patent-sharing alliance: opens home members' patents to each other (patent "
        "pool) and pools their installed base as one home standard in mainstream segments.",
        f"{PAPER}, Table 5 (TD-SCDMA alliance)",
        "institutions",
    ),
    _p(
        "mission",
        F,
        0.0,
        0,
        1,
        "share",
        "Whole-nation mission intensity: mission budget to institutes, concentration of "
        "talent, and transfer of institute results to home producers.",
        f"{PAPER}, Table 4",
        "institutions",
    ),
    _p(
        "mission_budget",
        F,
        0.1,
        0,
        10,
        "share of world demand per year",
        "Mission funding to institutes at mission = 1.",
        f"{PAPER}, Table 4 (1960 research spending 5.25% of fiscal spending)",
        "institutions",
    ),
    _p(
        "mission_target",
        F,
        0.8,
        0.1,
        1,
        "share of frontier",
        "The mission is reached when the best home capability (firms or institutes) is "
        "this share of the frontier.",
        f"{PAPER}, Table 4",
        "institutions",
    ),
    _p(
        "talent_concentration",
        F,
        1.0,
        0,
        10,
        "multiplier",
        "Multiplier on institutes' research productivity and on their spillover rate to "
        "home firms at mission = 1 (1 + mission x talent_concentration).",
        f"{PAPER}, Table 4 (talent)",
        "institutions",
    ),
    _p(
        "entrepreneurship",
        F,
        0.3,
        0,
        1,
        "share",
        "Entry rate of new home firms (entrepreneurship x `max_entry_rate` per year) and "
        "their risk-taking (R&D out of cash).",
        f"{PAPER}, institutions dimension",
        "institutions",
    ),
    _p(
        "max_entry_rate",
        F,
        1.0,
        0,
        10,
        "firms per year",
        "Expected home entrants per year at entrepreneurship = 1.",
        "modelling choice",
        "institutions",
    ),
    # --- observation ------------------------------------------------------------
    _p(
        "catch_up_threshold",
        F,
        0.9,
        0.1,
        2,
        "relative capability",
        "Catch-up year: the first year relative capability reaches this value.",
        "MODEL.md outcomes",
        "observation",
    ),
)

BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}

# Read only when the model is set up (or, for the observation thresholds, when the run is
# summarised), so a dated event may not change them.
SETUP_ONLY: frozenset[str] = frozenset(
    {p.name for p in PARAMETERS if p.type is int}
    | {
        "technology_maturity",
        "frontier_growth_rate",
        "generation_ceiling_ratio",
        "new_generation_start",
        "home_fit_advantage",
        "niche_heterogeneity",
        "foreign_initial_cash",
        "foreign_initial_position",
        "catch_up_threshold",
        "mission_target",
    }
)


def defaults() -> dict[str, Any]:
    """Every parameter at its default, the starting point of every scenario."""
    return {p.name: p.default for p in PARAMETERS}


def parse_assignment(text: str) -> tuple[str, Any]:
    """Parse a `--set name=value` string into a checked (name, value) pair."""
    if "=" not in text:
        raise ValueError(f"--set expects name=value, got {text!r}")
    name, raw = (s.strip() for s in text.split("=", 1))
    if name not in BY_NAME:
        close = difflib.get_close_matches(name, list(BY_NAME), n=3)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise ValueError(f"--set: unknown parameter {name!r}{hint} (see `catchup params` for the list)")
    param = BY_NAME[name]
    try:
        value: Any = int(raw) if param.type is int else float(raw)
    except ValueError:
        raise ValueError(f"--set {name}: {raw!r} is not a number; allowed: {param.allowed()}") from None
    try:
        return name, param.check(value)
    except ValueError as err:
        raise ValueError(f"--set {name}: {err}") from None


def markdown_table() -> str:
    """The parameter table as Markdown, embedded in docs/ODD.md."""
    head = "| name | type | default | range | unit | meaning | source |\n|---|---|---|---|---|---|---|\n"
    rows = []
    for p in PARAMETERS:
        rng = f"[{_fmt(p.low)}, {_fmt(p.high)}]"
        rows.append(
            f"| `{p.name}` | {p.type.__name__} | {_fmt(p.default)} | {rng} | {p.unit} | "
            f"{p.meaning} | {p.source} |"
        )
    return head + "\n".join(rows) + "\n"
