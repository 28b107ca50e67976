"""End to end: the dashboard served on localhost, driven in headless Chromium with Playwright.

Needs the `dashboard` extra, Debian's chromium at /usr/bin/chromium and Solara's front-end
files in its cache (`make dashboard-deps`, which .ci/run calls).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from catchup.config.scenario import load_scenario
from catchup.model.parameters import BY_NAME
from catchup.viz.style import label
from tests.conftest import ROOT

pytest.importorskip("solara", reason="needs the dashboard extra (solara)")
playwright_api = pytest.importorskip("playwright.sync_api", reason="needs playwright")
Page, sync_playwright = playwright_api.Page, playwright_api.sync_playwright

CHROMIUM = "/usr/bin/chromium"
SLIDER = "technology_maturity"  # the first slider in the sidebar


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "catchup",
            "dashboard",
            "--port",
            str(port),
            "--scenarios",
            str(ROOT / "scenarios"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://localhost:{port}/"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            assert proc.poll() is None, proc.stdout.read().decode()
            time.sleep(0.5)
    else:
        proc.kill()
        raise AssertionError("the dashboard did not start within 90 s")
    yield url
    os.killpg(proc.pid, 15)
    proc.wait(timeout=30)


def chart_source(page: Page) -> str:
    return page.locator("main img, .v-main img").first.get_attribute("src")


def table_text(page: Page) -> str:
    return page.locator("table").first.inner_text()


def shown_value(page: Page) -> float:
    """The value in the caption of SLIDER's slider, which must also name its unit."""
    caption = page.locator(".slider-caption", has_text=label(SLIDER)).first.inner_text()
    unit = BY_NAME[SLIDER].unit  # from the parameter table, so a renamed unit is still found
    shown = re.fullmatch(
        rf"{re.escape(label(SLIDER))}: (\d+(?:\.\d+)?) \({re.escape(unit)}\)", caption.strip()
    )
    assert shown, f"caption {caption!r} does not show a plain value and the unit {unit!r}"
    return float(shown[1])


def scenario_value(name: str) -> float:
    return float(load_scenario(ROOT / "scenarios" / f"{name}.toml").parameters[SLIDER])


def wait_for_change(page: Page, read, before: str, what: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = read(page)
        if now != before:
            return now
        page.wait_for_timeout(200)
    raise AssertionError(f"the {what} did not change")


@pytest.mark.slow
def test_pick_a_case_move_a_slider_step_and_see_chart_table_and_caption_change(server, tmp_path):
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(server, wait_until="networkidle", timeout=90_000)
        page.locator("main img, .v-main img").first.wait_for(timeout=60_000)
        page.get_by_text("Reproduce").wait_for()
        chart, table = chart_source(page), table_text(page)
        assert "firm" in table and "institute" in table and "foreign" in table
        assert shown_value(page) == pytest.approx(scenario_value("baseline"))

        # pick a case: the paradigm-change scenario
        page.locator(".v-select").first.click()
        page.get_by_role("option", name="paradigm_change").click()
        page.get_by_text("paradigm_change.toml").wait_for(timeout=30_000)
        chart = wait_for_change(page, chart_source, chart, "chart after picking a case")
        table = wait_for_change(page, table_text, table, "table after picking a case")
        assert scenario_value("paradigm_change") != scenario_value("baseline")
        assert shown_value(page) == pytest.approx(scenario_value("paradigm_change"))

        # move a slider (technology maturity) with the keyboard
        slider = page.get_by_role("slider").first
        slider.focus()
        for _ in range(3):
            page.keyboard.press("ArrowLeft")
        moved = round(scenario_value("paradigm_change") - 3 * 0.05, 4)
        page.get_by_text(f"{SLIDER}={moved:g}").wait_for(timeout=30_000)
        assert shown_value(page) == pytest.approx(moved)
        # a less mature technology: the incumbents start at a lower capability
        table = wait_for_change(page, table_text, table, "table after moving a slider")

        # step the model
        for _ in range(4):
            page.get_by_role("button", name="Step").click()
            page.wait_for_timeout(300)
        wait_for_change(page, chart_source, chart, "chart after stepping")
        after = wait_for_change(page, table_text, table, "table after stepping")
        assert "firm" in after
        shot = tmp_path / "dashboard.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 20_000
        if os.environ.get("CATCHUP_SCREENSHOT"):
            page.screenshot(path=os.environ["CATCHUP_SCREENSHOT"], full_page=True)
        browser.close()
