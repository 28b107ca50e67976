"""Who is in a scenario beyond the parameters: firm cohorts by country and entry date, third
countries with their own markets, and buyer classes with their own tastes and requirements.
Their schema, the checks across them (names, countries, sellers, shares, span), and their
plain-data form for manifests."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BaseModel, Field

from catchup.config.messages import STRICT
from catchup.model.cohorts import BUILT_IN_COHORTS, FOREIGN_COUNTRY, HOME_COUNTRY, BuyerClass, Cohort, Country

COHORT_NAME = r"^[A-Za-z][A-Za-z0-9_]*$"  # it names output columns: share_<name>


class CohortSpec(BaseModel):
    """A group of firms from one country entering at one date (beyond the incumbents and
    latecomers the parameters set up)."""

    model_config = STRICT
    name: Annotated[str, Field(pattern=COHORT_NAME, max_length=40)]
    """The cohort's name; it names output columns (`share_<name>`)."""
    country: Annotated[str, Field(min_length=1, max_length=40)]
    """`home`, `foreign` or the name of a `[[countries]]` entry."""
    year: Annotated[float, Field(allow_inf_nan=False)]
    """When the cohort's firms enter."""
    firms: Annotated[int, Field(ge=1, le=200)]
    """How many firms enter."""
    position: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]
    """Capability at entry, relative to the newest generation's opportunity."""
    cash: Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)] | None = None
    """Founders' cash per firm (default: the country's default)."""

    def resolve(self) -> Cohort:
        return Cohort(self.name, self.country, self.year, self.firms, self.position, self.cash)


class CountrySpec(BaseModel):
    """A third country with its own market, taken from the foreign market's share."""

    model_config = STRICT
    name: Annotated[str, Field(pattern=COHORT_NAME, max_length=40)]
    """The country's name (a cohort's `country`)."""
    market_weight: Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)]
    """Its market's weight in world demand, taken from the foreign market."""

    def resolve(self) -> Country:
        return Country(self.name, self.market_weight)


class BuyerSpec(BaseModel):
    """A class of buyers with its own tastes and requirements, in every mainstream market."""

    model_config = STRICT
    name: Annotated[str, Field(pattern=COHORT_NAME, max_length=40)]
    """The buyer class's name."""
    share: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False)]
    """Its share of demand in every mainstream market (the shares of all classes sum to at most 1)."""
    quality_sensitivity: Annotated[float, Field(ge=0, le=30, allow_inf_nan=False)]
    """How strongly these buyers choose by quality."""
    price_sensitivity: Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)]
    """How strongly they choose by price."""
    network_effect: Annotated[float, Field(ge=0, le=20, allow_inf_nan=False)]
    """How strongly they follow a product's installed base."""
    minimum_quality: Annotated[float, Field(ge=0, le=1e6, allow_inf_nan=False)] = 0.0
    """Products below this quality are not considered (capability units: the first generation's ceiling is
    1)."""
    maximum_price: Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)] | None = None
    """Products above this price are not bought (default: no limit)."""
    sellers: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)] | None = None
    """Only firms of these cohorts may sell to them (default: anyone)."""
    network_floor: Annotated[float, Field(ge=0, le=0.5, allow_inf_nan=False)] | None = None
    """The bandwagon's floor for this class: installed bases below it count as none, and doubling a small
    base counts as much as doubling a large one (default: the `network_floor` parameter)."""

    def resolve(self) -> BuyerClass:
        return BuyerClass(
            self.name,
            self.share,
            self.quality_sensitivity,
            self.price_sensitivity,
            self.network_effect,
            self.minimum_quality,
            math.inf if self.maximum_price is None else self.maximum_price,
            None if self.sellers is None else tuple(self.sellers),
            self.network_floor,
        )


def population_problems(
    source: str,
    countries_given: list[CountrySpec],
    cohorts_given: list[CohortSpec],
    buyers_given: list[BuyerSpec],
    span: tuple[float, float],
    home_market_weight: float,
) -> list[str]:
    """Cohorts, countries and buyer classes must name each other consistently: unique names,
    known countries and sellers, entry inside the span, market weights that leave the foreign
    market some demand, buyer shares summing to 1."""
    problems: list[str] = []
    countries = [c.name for c in countries_given]
    known_countries = [HOME_COUNTRY, FOREIGN_COUNTRY, *countries]
    for i, name in enumerate(countries):
        if name in (HOME_COUNTRY, FOREIGN_COUNTRY) or name in countries[:i]:
            problems.append(
                f"{source}: countries[{i}].name = {name!r}: must be new (home and foreign exist; "
                "names unique)"
            )
    weight = home_market_weight + sum(c.market_weight for c in countries_given)
    if countries_given and weight >= 1:
        problems.append(
            f"{source}: countries.market_weight: with parameters.home_market_weight = "
            f"{home_market_weight:g} they sum to {weight:g} (allowed: less than 1, the foreign "
            "market keeps the rest)"
        )
    cohorts = [c.name for c in cohorts_given]
    first, last = span
    for i, c in enumerate(cohorts_given):
        if c.name in BUILT_IN_COHORTS or c.name in cohorts[:i]:
            problems.append(
                f"{source}: cohorts[{i}].name = {c.name!r}: must be unique and not a built-in cohort "
                f"({', '.join(BUILT_IN_COHORTS)})"
            )
        if c.country not in known_countries:
            problems.append(
                f"{source}: cohorts[{i}].country = {c.country!r}: unknown (allowed: "
                f"{', '.join(known_countries)}; declare a third country under [[countries]])"
            )
        if not first <= c.year <= last:
            problems.append(
                f"{source}: cohorts[{i}].year = {c.year:g}: outside the scenario's span "
                f"(allowed: {first:g} <= year <= {last:g}, the start of the last step)"
            )
    buyers = [b.name for b in buyers_given]
    all_cohorts = [*BUILT_IN_COHORTS, *cohorts]
    for i, b in enumerate(buyers_given):
        if b.name in buyers[:i]:
            problems.append(f"{source}: buyers[{i}].name = {b.name!r}: buyer class names must be unique")
        for seller in b.sellers or []:
            if seller not in all_cohorts:
                problems.append(
                    f"{source}: buyers[{i}].sellers: {seller!r} is not a cohort "
                    f"(allowed: {', '.join(all_cohorts)})"
                )
    problems += _column_clashes(source, all_cohorts, buyers)
    total = sum(b.share for b in buyers_given)
    if buyers_given and abs(total - 1.0) > 1e-9:
        problems.append(f"{source}: buyers.share: the classes' shares sum to {total:g} (allowed: exactly 1)")
    return problems


def population_dict(scenario: Any) -> dict[str, Any]:
    """Declared cohorts, countries and buyer classes as plain data (none: nothing)."""
    out: dict[str, Any] = {}
    for key in ("cohorts", "countries", "buyers"):
        items = getattr(scenario, key)
        if items:
            out[key] = [
                {
                    k: (None if v == math.inf else list(v) if isinstance(v, tuple) else v)
                    for k, v in vars(x).items()
                }
                for x in items
            ]
    return out


def _column_clashes(source: str, cohorts: list[str], buyers: list[str]) -> list[str]:
    """Cohort and buyer-class names make output columns (share_<cohort>, <class>_hhi,
    <class>_served, <class>_share_<cohort>): none may repeat another or a column of the
    model's own, or one would overwrite the other."""
    from catchup.model.outcomes import TRAJECTORY_TABLE_COLUMNS  # plain data: no Mesa

    made: dict[str, str] = {}
    problems = []
    for kind, name, columns in [("cohort", c, [f"share_{c}"]) for c in cohorts] + [
        ("buyer class", b, [f"{b}_hhi", f"{b}_served", *(f"{b}_share_{c}" for c in cohorts)]) for b in buyers
    ]:
        for column in columns:
            clash = "the model's own column" if column in TRAJECTORY_TABLE_COLUMNS else made.get(column)
            if clash:
                problems.append(
                    f"{source}: {kind} {name!r}: its output column {column!r} is also {clash} "
                    "(allowed: names whose columns differ; rename it)"
                )
            made.setdefault(column, f"{kind} {name!r}'s")
    return problems


def market_overflow(
    key: str, home_market_weight: float, countries: Sequence[Country | CountrySpec]
) -> str | None:
    """Why a home market weight set later (by an event or `--set`) cannot be: with the third
    countries' markets world demand would exceed 1 (None when it fits). `key` names where the
    value was given."""
    third = sum(c.market_weight for c in countries)
    if not countries or home_market_weight + third < 1:
        return None
    return (
        f"{key} = {home_market_weight:g}: with the third countries' market_weight ({third:g}) world "
        f"demand would exceed 1 (allowed: home_market_weight < {1 - third:g})"
    )
