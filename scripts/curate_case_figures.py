"""Copy the case figures the README shows, halved in size, to results/figures/.

Run after `make run` and `make counterfactuals`; the full-size figures stay in results/.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image  # matplotlib depends on Pillow

# (folder under results/, figure, name in results/figures/)
SHOWN = (
    ("cases/speech", "history", "case_speech_history.png"),
    ("cases/td_scdma", "history", "case_td_scdma_history.png"),
    ("counterfactuals/two_bombs", "counterfactual", "case_two_bombs_counterfactuals.png"),
)


def main(root: Path = Path("results")) -> int:
    out = root / "figures"
    out.mkdir(parents=True, exist_ok=True)
    missing = []
    for folder, figure, name in SHOWN:
        source = root / folder / "figures" / f"{figure}.png"
        if not source.exists():
            missing.append(str(source))
            continue
        with Image.open(source) as image:
            image.reduce(2).save(out / name, optimize=True)
    for path in missing:
        print(f"missing: {path}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
