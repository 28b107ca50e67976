"""Property-based fuzzing of user input (Hypothesis): scenario and experiment files for
`catchup check`, `--set` strings and `--out` paths for `catchup run`.

The property: every input either succeeds (exit 0) or is refused with exit status 2 and a clear
message on stderr starting with "error: "; never an uncaught exception, never another exit code.
Every example works in a fresh folder under the test's temporary folder (the current directory).
"""

from __future__ import annotations

import math
import os
import tempfile
import traceback
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import HealthCheck, Phase, assume, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from catchup.cli import app
from catchup.model.outcomes import TRAJECTORY_TABLE_COLUMNS
from catchup.model.parameters import PARAMETERS
from tests.conftest import SHORT

runner = CliRunner()


def fuzz_settings(n: int) -> settings:
    return settings(
        max_examples=n,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],  # no slow explain
    )


def invoke(*args: str) -> Result:
    """Run the CLI in this process and check the property: exit 0, or exit 2 with one clear
    "error: " message; never an uncaught exception or a traceback."""
    result = runner.invoke(app, list(args))
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        where = "".join(traceback.format_exception(*result.exc_info)[-4:])[-3000:]
        raise AssertionError(f"uncaught {type(exc).__name__}: {exc}\nargs: {args!r}\n{where}")
    assert result.exit_code in (0, 2), (
        f"exit code {result.exit_code}\nargs: {args!r}\nstderr: {result.stderr[:2000]}"
    )
    assert "Traceback" not in result.stdout and "Traceback" not in result.stderr, result.stderr[:2000]
    if result.exit_code == 2:
        assert result.stderr.strip(), f"exit 2 without a message\nargs: {args!r}"
        assert result.stderr.startswith("error: "), f"args: {args!r}\nstderr: {result.stderr[:2000]}"
    return result


def fresh_folder() -> Path:
    """A new folder per example (the test's tmp_path is shared by all its examples)."""
    return Path(os.path.relpath(tempfile.mkdtemp(prefix="ex", dir=".")))


def check_file(path: Path) -> Result:
    result = invoke("check", str(path))
    if result.exit_code == 0:
        assert ": ok (" in result.stdout, result.stdout
    return result


# ---------------------------------------------------------------------------------------------
# Values of every kind
# ---------------------------------------------------------------------------------------------

PARAMETER_NAMES = [p.name for p in PARAMETERS]
BY_NAME = {p.name: p for p in PARAMETERS}
FLOAT_NAMES = [p.name for p in PARAMETERS if p.type is float]
FAKE_NAMES = [
    "patent_barier",
    "technology",
    "[/x]",
    "[bold]",
    "",
    " ",
    "mission ",
    "Mission",
    "n_home_firms.x",
    "ünïcödé",
    "名前",
    "a" * 300,
    "__class__",
    "model_fields",
    "point_id",
    "seed",
]
SPECIAL_TEXT = [
    "",
    " ",
    "[/x]",
    "[bold]",
    "[bold red]x[/]",
    "[link=file:///etc/passwd]x[/link]",
    ":warning:",
    "\x00",
    "\t\n\r",
    "ünïcödé",
    "名前",
    "🙂",
    "\u202e",
    "..",
    ".",
    "/",
    "../..",
    "nan",
    "inf",
    "-inf",
    "1e999",
    "%s%n",
    "{0}",
    "short",
    "baseline",
    "nowhere.toml",
    "a" * 5000,
]
SAFE_CHARS = st.characters(exclude_categories=("Cs",))  # surrogates are no text a file can hold

texts = st.one_of(
    st.sampled_from(SPECIAL_TEXT),
    st.text(SAFE_CHARS, max_size=30),
    st.builds(lambda s, n: s * n, st.text(SAFE_CHARS, min_size=1, max_size=4), st.integers(500, 3000)),
)
ints = st.one_of(
    st.integers(-10, 100),
    st.integers(),
    st.integers(2**63 - 2, 2**63 + 2),
    st.integers(min_value=2**64, max_value=2**300),
    st.integers(max_value=-(2**63)),
    st.sampled_from([0, -1, 1, 2**31, 2**63 - 1, 10**6, 10**6 + 1, 10**8 + 1]),
)
floats = st.one_of(
    st.floats(),
    st.floats(0, 1),
    st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 5e-324, 1.7976931348623157e308, 0.5, 1.5]),
)
scalars = st.one_of(
    ints,
    floats,
    texts,
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
)
keys = st.one_of(st.sampled_from(PARAMETER_NAMES + FAKE_NAMES), st.text(SAFE_CHARS, max_size=12))
junk = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=4),
    ),
    max_leaves=12,
)


def within_range(p: Any) -> st.SearchStrategy[Any]:
    if p.type is int:
        return st.integers(int(p.low), int(p.high))
    return st.floats(p.low, p.high)


# A parameter with a value that is often valid, sometimes just outside, sometimes of any type.
def parameter_value(name: str) -> st.SearchStrategy[Any]:
    p = next((p for p in PARAMETERS if p.name == name), None)
    if p is None:
        return st.one_of(floats, junk)
    return st.one_of(
        within_range(p),
        within_range(p),
        st.sampled_from([p.low, p.high, p.low - 1, p.high + 1, p.high + 1e-9, -p.high]),
        floats,
        junk,
    )


parameter_tables = st.dictionaries(
    st.one_of(st.sampled_from(PARAMETER_NAMES), st.sampled_from(PARAMETER_NAMES), keys), st.none(), max_size=5
).flatmap(
    lambda names: (
        st.fixed_dictionaries({name: parameter_value(name) for name in names}) if names else st.just({})
    )
)
parameters = st.one_of(parameter_tables, parameter_tables, junk)

years = st.one_of(st.integers(1800, 2300), st.floats(1985, 2035), st.sampled_from([1990, 1999.75, 2000]))
names = st.one_of(st.from_regex(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,20}", fullmatch=True), texts)

# Valid pieces, so that most files get past the first check and reach the deeper ones.
SETUP_ONLY = {p.name for p in PARAMETERS if p.setup_only}
valid_name = st.from_regex(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,20}", fullmatch=True)


def in_range_table(allowed: list[str], min_size: int = 0, max_size: int = 4) -> st.SearchStrategy[Any]:
    return st.lists(st.sampled_from(allowed), min_size=min_size, max_size=max_size, unique=True).flatmap(
        lambda chosen: st.fixed_dictionaries({n: within_range(BY_NAME[n]) for n in chosen})
    )


def sorted_pair(name: str) -> st.SearchStrategy[list[Any]]:
    return st.lists(within_range(BY_NAME[name]), min_size=2, max_size=2).map(sorted)


valid_parameters = in_range_table(PARAMETER_NAMES)
valid_event = st.fixed_dictionaries(
    {"year": st.one_of(st.integers(1990, 1999), st.floats(1990, 1999.75))},
    optional={
        "label": st.one_of(st.sampled_from(["", "a", "[/x]", "ünï"]), st.text(SAFE_CHARS, max_size=20)),
        "new_generation": st.booleans(),
        "home_entrants": st.integers(0, 5),
        "set": in_range_table([n for n in PARAMETER_NAMES if n not in SETUP_ONLY], max_size=3),
    },
)
valid_scenario = st.fixed_dictionaries(
    {"name": valid_name, "start_year": st.integers(1985, 1990), "end_year": st.integers(2000, 2030)},
    optional={
        "description": st.text(SAFE_CHARS, max_size=40),
        "steps_per_year": st.integers(1, 12),
        "seeds": st.integers(1, 100),
        "base_seed": st.integers(0, 2**63 - 1),
        "parameters": valid_parameters,
        "events": st.lists(valid_event, max_size=3),
    },
)
DELETE = object()  # a mutation that removes a key


def mutations(chaos: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """None, or up to three keys (known or not) replaced by hostile values, or removed."""
    changed = st.lists(st.one_of(st.sampled_from(sorted(chaos)), keys), min_size=1, max_size=3, unique=True)
    return st.one_of(
        st.just({}),
        changed.flatmap(
            lambda ks: st.fixed_dictionaries({k: st.one_of(chaos.get(k, junk), st.just(DELETE)) for k in ks})
        ),
    )


def mutate(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    data = {**base, **changes}
    return {k: v for k, v in data.items() if v is not DELETE}


EVENT_CHAOS = {
    "year": st.one_of(years, floats, junk),
    "label": st.one_of(texts, junk),
    "new_generation": st.one_of(st.booleans(), junk),
    "home_entrants": st.one_of(st.integers(-1, 201), ints, junk),
    "set": parameters,
}
event = st.builds(mutate, valid_event, mutations(EVENT_CHAOS))  # a valid event with a few bad fields
events = st.one_of(st.lists(event, min_size=1, max_size=4), junk)

CALIBRATION_CHAOS = {
    "history": st.one_of(st.sampled_from(["h.csv", "", "/", "../nowhere.csv"]), junk),
    "seeds": st.one_of(st.integers(0, 20_000), junk),
    "base_seed": ints,
    "trials": st.one_of(st.integers(0, 200_000), junk),
    "free": st.one_of(st.dictionaries(keys, st.lists(floats, max_size=3), max_size=3), junk),
}
valid_calibration = st.fixed_dictionaries(
    {
        "history": st.just("h.csv"),
        "free": st.lists(st.sampled_from(FLOAT_NAMES), min_size=1, max_size=2, unique=True).flatmap(
            lambda chosen: st.fixed_dictionaries({n: sorted_pair(n) for n in chosen})
        ),
    },
    optional={"seeds": st.integers(16, 64), "trials": st.integers(1, 10), "base_seed": st.integers(0, 99)},
)
calibration = st.one_of(st.builds(mutate, valid_calibration, mutations(CALIBRATION_CHAOS)), junk)


SCENARIO_CHAOS = {
    "name": st.one_of(names, junk),
    "description": st.one_of(texts, junk),
    "start_year": st.one_of(years, junk),
    "end_year": st.one_of(years, junk),
    "steps_per_year": st.one_of(st.integers(0, 60), junk),
    "seeds": st.one_of(st.integers(0, 1_000_001), junk),
    "base_seed": ints,
    "parameters": parameters,
    "events": events,
    "calibration": calibration,
}


def scenario_data(extends: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(mutate, valid_scenario, mutations({**SCENARIO_CHAOS, "extends": extends}))


def write_toml(path: Path, data: dict[str, Any]) -> None:
    """Write data as TOML, skipping (rejecting) what tomli_w cannot write."""
    try:
        text = tomli_w.dumps(data)
    except (TypeError, ValueError):
        assume(False)
    path.write_bytes(text.encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# 1. Scenario files
# ---------------------------------------------------------------------------------------------

EXTENDS = st.one_of(
    st.sampled_from([str(SHORT), "s.toml", "nowhere.toml", "", ".", "/", "/proc/self/status", "sub"]),
    junk,
)
FILE_NAMES = ["s.toml", "[x] s.toml", "ünï cödé.toml", "s", "[bold]s.txt"]

# Known hostile files, always tried first (as explicit examples), then drawn among the others.
RAW_CASES = [
    "x = " + "9" * 5000,  # an integer over Python's digit limit
    "x = " + "[" * 3000,
    "a.b.c.d = {" * 500,
    "name = 'a'\n" * 2,
    "name = 'a'\n[parameters]\npatent_barrier = 1.5\n",
    "name = 'a'\n[parameters]\npatent_barrier = nan\n",
    "name = 'a'\nstart_year = inf\n",
    "name = 'a'\nstart_year = nan\nend_year = nan\n",
    "\ufeffname = 'a'\n",
    "name = 'a'\n[[events]]\nyear = 1e400\nnew_generation = true\n",
    "name = 'a'\n[[events]]\nyear = nan\nnew_generation = true\n",
    "name = 'a'\nseeds = 1e3\n",
]
raw_files = st.one_of(
    st.binary(max_size=300),
    st.text(SAFE_CHARS, max_size=300),
    st.just(""),
    st.sampled_from(RAW_CASES),
)


def raw_examples(test: Any) -> Any:
    for raw in reversed(RAW_CASES):
        test = example(data={}, file_name="s.toml", how="raw", cut=0.0, raw=raw)(test)
    return test


@fuzz_settings(300)
@given(
    data=scenario_data(EXTENDS),
    file_name=st.sampled_from(FILE_NAMES),
    how=st.sampled_from(["toml"] * 6 + ["truncated", "raw"]),
    cut=st.floats(0, 1),
    raw=raw_files,
)
@raw_examples
def test_check_any_scenario_file(data, file_name, how, cut, raw):
    folder = fresh_folder()
    (folder / "sub").mkdir()
    path = folder / file_name
    if how == "raw":
        path.write_bytes(raw if isinstance(raw, bytes) else raw.encode("utf-8"))
    else:
        write_toml(path, data)
        if how == "truncated":
            blob = path.read_bytes()
            path.write_bytes(blob[: int(len(blob) * cut)])
    check_file(path)


# ---------------------------------------------------------------------------------------------
# 2. Experiment files
# ---------------------------------------------------------------------------------------------

grid_values = st.one_of(
    st.lists(st.one_of(st.floats(0, 1), st.integers(0, 5), floats), min_size=0, max_size=5),
    junk,
)
small_grid = st.dictionaries(
    st.one_of(st.sampled_from(PARAMETER_NAMES), keys), grid_values, min_size=0, max_size=4
)
# Ten parameters of a thousand values: a design far over any max_runs, refused before it is built.
huge_grid = st.builds(
    lambda names, n: {name: [i / n for i in range(n)] for name in names},
    st.lists(st.sampled_from(PARAMETER_NAMES), min_size=3, max_size=10, unique=True),
    st.sampled_from([1000, 1001]),
)
factor_level = st.fixed_dictionaries(
    {},
    optional={
        "set": parameters,
        "events": events,
        "drop_events": st.one_of(st.lists(texts, max_size=3), junk),
        "extra": junk,
    },
)
factors = st.one_of(
    st.dictionaries(
        st.one_of(st.sampled_from(["stage", "point_id", "patent_barrier", "[x]"]), keys),
        st.dictionaries(keys, factor_level, max_size=3),
        max_size=3,
    ),
    junk,
)
ranges = st.one_of(
    st.dictionaries(
        st.one_of(st.sampled_from(PARAMETER_NAMES), keys),
        st.one_of(st.lists(st.one_of(st.floats(0, 1), floats, st.integers(-2, 3)), max_size=3), junk),
        max_size=4,
    ),
    junk,
)
sample = st.one_of(
    st.fixed_dictionaries(
        {},
        optional={
            "method": st.one_of(st.sampled_from(["latin", "sobol", "morris", "Sobol", ""]), junk),
            # sizes the schema accepts stay small, so an accepted design is quick to build
            "size": st.one_of(
                st.integers(-2, 64),
                st.sampled_from([128, 256, 3]),
                st.integers(10**6 + 1, 10**12),
                floats,
                texts,
            ),
            "seed": st.one_of(ints, junk),
            "levels": st.one_of(st.integers(0, 101), junk),
            "ranges": ranges,
            "extra": junk,
        },
    ),
    junk,
)
SCENARIO_REFS = st.one_of(
    st.sampled_from([str(SHORT), "baseline", "s.toml", "nowhere.toml", "", ".", "/", "sub"]),
    texts,
    junk,
)
EXPERIMENT_CHAOS = {
    "name": st.one_of(names, junk),
    "description": st.one_of(texts, junk),
    "scenario": SCENARIO_REFS,
    "replications": st.one_of(st.integers(0, 4), st.integers(0, 100_001), junk),
    "base_seed": ints,
    "chunk_size": st.one_of(st.integers(0, 100_001), junk),
    "max_runs": st.one_of(st.integers(0, 10**8 + 1), st.sampled_from([1, 10**8]), junk),
    "trajectories": st.one_of(
        st.booleans(),
        st.lists(st.one_of(st.sampled_from(TRAJECTORY_TABLE_COLUMNS), texts), max_size=4),
        junk,
    ),
    "set": parameters,
    "grid": st.one_of(small_grid, huge_grid),
    "factors": factors,
    "sample": sample,
}
valid_grid = st.lists(st.sampled_from(PARAMETER_NAMES), min_size=1, max_size=3, unique=True).flatmap(
    lambda chosen: st.fixed_dictionaries(
        {n: st.lists(within_range(BY_NAME[n]), min_size=1, max_size=4) for n in chosen}
    )
)
valid_level = st.fixed_dictionaries(
    {},
    optional={
        "set": in_range_table([n for n in PARAMETER_NAMES if n not in SETUP_ONLY], max_size=2),
        "events": st.lists(valid_event, max_size=2),
        "drop_events": st.lists(st.sampled_from(["a", "[/x]"]), max_size=1),
    },
)
valid_factors = st.dictionaries(
    st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True),
    st.dictionaries(st.from_regex(r"[A-Za-z0-9_]{1,8}", fullmatch=True), valid_level, min_size=1, max_size=3),
    min_size=1,
    max_size=2,
)
valid_sample = st.fixed_dictionaries(
    {
        "method": st.sampled_from(["latin", "sobol", "morris"]),
        "size": st.sampled_from([2, 4, 8, 16]),
        "ranges": st.lists(st.sampled_from(FLOAT_NAMES), min_size=1, max_size=3, unique=True).flatmap(
            lambda chosen: st.fixed_dictionaries(
                {n: st.lists(within_range(BY_NAME[n]), min_size=2, max_size=2).map(sorted) for n in chosen}
            )
        ),
    },
    optional={"seed": st.integers(0, 2**32), "levels": st.integers(2, 10)},
)
valid_design = st.one_of(
    st.fixed_dictionaries({"grid": valid_grid}),
    st.fixed_dictionaries({"factors": valid_factors}),
    st.fixed_dictionaries({"grid": valid_grid, "factors": valid_factors}),
    st.fixed_dictionaries({"sample": valid_sample}),
)
valid_experiment = st.builds(
    lambda base, design: {**base, **design},
    st.fixed_dictionaries(
        {"name": valid_name, "scenario": st.just(str(SHORT))},
        optional={
            "description": st.text(SAFE_CHARS, max_size=40),
            "replications": st.integers(1, 4),
            "base_seed": st.integers(0, 2**63 - 1),
            "chunk_size": st.integers(1, 100),
            "max_runs": st.integers(1, 10**8),
            "trajectories": st.one_of(
                st.booleans(), st.lists(st.sampled_from(TRAJECTORY_TABLE_COLUMNS), max_size=3)
            ),
            "set": in_range_table(PARAMETER_NAMES, max_size=2),
        },
    ),
    valid_design,
)
mutated_experiment = st.builds(mutate, valid_experiment, mutations(EXPERIMENT_CHAOS))
# A valid file whose grid has 3 to 10 parameters of 1,000 values each: it must be refused by the
# size check (over any max_runs) before a point is built, so it stays fast.
huge_experiment = st.builds(
    lambda base, grid: {k: v for k, v in base.items() if k != "sample"} | {"grid": grid},
    valid_experiment,
    huge_grid,
)
experiment_data = st.integers(0, 4).flatmap(lambda i: huge_experiment if i == 0 else mutated_experiment)


@fuzz_settings(200)
@given(data=experiment_data, scenario=scenario_data(st.just(str(SHORT))), truncate=st.booleans())
def test_check_any_experiment_file(data, scenario, truncate):
    data.setdefault("scenario", str(SHORT))  # always an experiment
    folder = fresh_folder()
    (folder / "sub").mkdir()
    write_toml(folder / "s.toml", scenario)  # a random base scenario, for `scenario = "s.toml"`
    path = folder / "e.toml"
    write_toml(path, data)
    if truncate:
        blob = path.read_bytes()
        path.write_bytes(blob[: len(blob) // 2])
    check_file(path)


# ---------------------------------------------------------------------------------------------
# 3. --set strings
# ---------------------------------------------------------------------------------------------

VALUE_TEXTS = [
    "",
    "0",
    "1",
    "0.5",
    "2_5",
    "0_5",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e999",
    "-1e999",
    "1e-999",
    "0x10",
    "0b1",
    "1/2",
    "½",
    "٣",
    "１",
    "²",
    "0.5 ",
    " 0.5",
    "true",
    "True",
    "[1]",
    "=",
    "==",
    "[/x]",
    "[bold]",
    "9" * 5000,
    "1" + "0" * 400,
    "0." + "0" * 400 + "1",
]
set_names = st.one_of(
    st.sampled_from(PARAMETER_NAMES), st.sampled_from(FAKE_NAMES), st.text(SAFE_CHARS, max_size=10)
)
set_values = st.one_of(
    st.sampled_from(VALUE_TEXTS),
    floats.map(repr),
    ints.map(str),
    st.text(SAFE_CHARS, max_size=10),
)
set_strings = st.one_of(
    st.builds(lambda n, v: f"{n}={v}", set_names, set_values),
    st.builds(lambda n, v: f"{n}={v}", set_names, set_values),
    st.sampled_from(
        ["", "=", "==", "=1", "mission", "mission=", "mission==1", "=mission=1", " mission = 1 "]
    ),
    st.text(SAFE_CHARS, max_size=20),
)


@fuzz_settings(80)
@given(sets=st.lists(set_strings, min_size=1, max_size=3))
@example(sets=["mission=nan"])
@example(sets=["mission=1e999"])
@example(sets=["n_home_firms=2_5"])
@example(sets=["mission=\u0663"])
@example(sets=["", "=="])
def test_run_with_any_set(sets):
    out = fresh_folder() / "out"
    args = ["run", str(SHORT), "--seeds", "1", "--quiet", "--no-figure"]
    for s in sets:
        args.append(f"--set={s}")  # one token, so a value starting with "-" stays a value
    invoke(*args, "--out", str(out))


# ---------------------------------------------------------------------------------------------
# 4. --out paths
# ---------------------------------------------------------------------------------------------

COMPONENTS = [
    "o",
    "[x]",
    "[bold]",
    "[/x]",
    "with space",
    " lead",
    "trail ",
    "ünïcödé",
    "名前",
    "🙂",
    "..",
    ".",
    "a" * 255,
    "a" * 300,
    "-dash",
    "new\nline",
    "afile",
    "adir",
    "results",
]
ABSOLUTE = ["/", "/proc/x", "/proc/self/status", "/dev/null", "/dev/null/x", "/sys/x", "/proc"]


@fuzz_settings(80)
@given(
    start=st.sampled_from(["fresh", "afile", "adir", "full", "done", "absolute", "empty"]),
    parts=st.lists(st.sampled_from(COMPONENTS), max_size=3),
    absolute=st.sampled_from(ABSOLUTE),
)
@example(start="empty", parts=[], absolute="/")
@example(start="absolute", parts=[], absolute="/")
@example(start="fresh", parts=["a" * 300], absolute="/")
@example(start="afile", parts=["x"], absolute="/")
def test_run_with_any_out(start, parts, absolute):
    folder = fresh_folder()
    (folder / "afile").write_text("x")
    (folder / "adir").mkdir()
    (folder / "full").mkdir()
    (folder / "full" / "notes.txt").write_text("mine")
    if start == "done":  # a folder that already holds this scenario's run
        invoke("run", str(SHORT), "--seeds", "1", "--quiet", "--no-figure", "--out", str(folder / "done"))
    base = Path(absolute) if start == "absolute" else folder / ("fresh" if start == "fresh" else start)
    target = str(base.joinpath(*parts))  # relative to the working directory, or absolute
    if start == "empty":
        target = "/".join(parts)  # "" when no parts: the empty path
    invoke("run", str(SHORT), "--seeds", "1", "--quiet", "--no-figure", "--out", target)
    if start == "full":
        assert (folder / "full" / "notes.txt").read_text() == "mine"
