"""Copy the case figures and small snapshots of the case tables to results/figures/.

Run after `make run` and `make counterfactuals`; the full-size figures and the run tables stay
in results/ (ignored by git), the curated copies in results/figures/ are committed:

- each case's history figure and counterfactual figure, halved in size and reduced to a
  256-colour palette (`case_<case>_history.png`, `case_<case>_counterfactuals.png`; the README
  shows three of them);
- each case's fit table (`results/cases/<case>/fit.csv`) as `case_<case>_fit.csv` and its
  counterfactual changes table (`results/counterfactuals/<case>/changes.csv`) as
  `case_<case>_counterfactuals.csv`;
- `case_snapshots.json`: for each case, the catchup version, date and seeds that produced the
  snapshots (from the result folders' manifests) and the replicated case's summary row.

The documentation's case pages (docs/_ext/case_pages.py) are built from these snapshots.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

from PIL import Image  # matplotlib depends on Pillow

CASES = ("speech", "shield", "two_bombs", "td_scdma")
# (folder under results/, figure, name in results/figures/) for every case
SHOWN = tuple(
    item
    for case in CASES
    for item in (
        (f"cases/{case}", "history", f"case_{case}_history.png"),
        (f"counterfactuals/{case}", "counterfactual", f"case_{case}_counterfactuals.png"),
    )
)
# (table under results/, name in results/figures/)
TABLES = tuple(
    item
    for case in CASES
    for item in (
        (f"cases/{case}/fit.csv", f"case_{case}_fit.csv"),
        (f"counterfactuals/{case}/changes.csv", f"case_{case}_counterfactuals.csv"),
    )
)
SNAPSHOTS = "case_snapshots.json"
# Summary fields of a replicated case kept in the snapshot (results/cases/summary.json).
SUMMARY_FIELDS = (
    "seeds",
    "base_seed",
    "targets",
    "targets_inside",
    "validation_facts",
    "validation_inside",
    "catch_up_share",
    "median_catch_up_year",
    "leadership_share",
    "median_first_product_year",
    "median_mission_year",
    "median_final_home_share_home_market",
)


def halved(source: Path, target: Path) -> None:
    """The figure at half its size, as a palette PNG (the figures are opaque, few colours)."""
    with Image.open(source) as image:
        small = image.reduce(2).convert("RGB")
    small.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        target, optimize=True
    )


def _manifest(folder: Path) -> dict[str, Any] | None:
    path = folder / "manifest.json"
    if not path.is_file():
        return None
    data = json.loads(path.read_text())
    return {
        "catchup": data.get("versions", {}).get("catchup"),
        "started": data.get("started"),
        "runs": data.get("n_runs"),
        "status": data.get("status"),
    }


def snapshots(root: Path) -> dict[str, Any]:
    """Where each case's snapshots come from: versions, dates and runs, and its summary row."""
    summary_file = root / "cases" / "summary.json"
    summary = json.loads(summary_file.read_text()).get("cases", []) if summary_file.is_file() else []
    rows = {row["case"]: row for row in summary}
    out: dict[str, Any] = {}
    for case in CASES:
        row = rows.get(case, {})
        out[case] = {
            "fit": _manifest(root / "cases" / case),
            "counterfactuals": _manifest(root / "counterfactuals" / case),
            "summary": {k: row.get(k) for k in SUMMARY_FIELDS} if row else None,
        }
    return out


def main(root: Path = Path("results")) -> int:
    out = root / "figures"
    out.mkdir(parents=True, exist_ok=True)
    missing = []
    for folder, figure, name in SHOWN:
        source = root / folder / "figures" / f"{figure}.png"
        if not source.exists():
            missing.append(str(source))
            continue
        halved(source, out / name)
    for table, name in TABLES:
        source = root / table
        if not source.exists():
            missing.append(str(source))
            continue
        shutil.copyfile(source, out / name)
    (out / SNAPSHOTS).write_text(json.dumps(snapshots(root), indent=2) + "\n")
    for path in missing:
        print(f"missing: {path}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
