"""The dashboard in a real browser: headless Chromium (Debian's) driven by Selenium.

Screenshots of each page are kept in test-artifacts/ for a person to look at.
`make test` installs chromium and chromium-driver; without them this module is
skipped with that reason.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from plugin.app import create_app
from plugin.queue import InProcessQueue
from plugin.store import HandoffRecord, Store
from tests.conftest import make_settings

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                reason="needs Debian's chromium and chromium-driver; `make test` installs them")
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
TOKEN = "browser-test-token"


def seed(store: Store) -> None:
    now = datetime.now(UTC)
    moves = [("4001", "a", 50, "accepted", True), ("4001", "b", 45, "accepted", False),
             ("4002", "c", 30, "flagged", None), ("4003", "d", 20, "reverted", None),
             ("4004", "e", 10, "accepted", False)]
    for ticket, change, minutes, outcome, repeat in moves:
        changed = now - timedelta(minutes=minutes)
        store.record_handoff(HandoffRecord(
            vendor="zendesk", ticket_id=ticket, change_id=change, changed_at=changed, actor_id="9002",
            from_assignee="9002", from_group="7001", to_assignee="9003", to_group="7002", outcome=outcome,
            missing=() if outcome == "accepted" else ("reason",),
            details={"note": "Handoff\nSituation: charged twice for May", "flags": ["frustrated"],
                     "summary": "Baton handoff summary\nThe customer was charged twice for May."}))
        if repeat is not None:
            store.record_quality("zendesk", ticket, change, repeat, [{"kind": "order_number"}] if repeat else [],
                                 changed + timedelta(minutes=12))


@pytest.fixture(scope="module")
def dashboard_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    settings = make_settings(dashboard={"token": TOKEN}, store={"database_url": f"sqlite:///{folder / 'b.db'}"})
    store = Store(settings["store"]["database_url"])
    seed(store)
    app = create_app(settings, queue=InProcessQueue(lambda data: None), store=store)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--window-size=1280,1000",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Bearer {TOKEN}"}})
    ARTIFACTS.mkdir(exist_ok=True)
    yield driver
    driver.quit()


def screenshot(driver: object, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))  # type: ignore[attr-defined]
    assert path.stat().st_size > 10_000
    return path


def test_overview_lists_handoffs_and_links_to_the_trail(browser, dashboard_url) -> None:
    from selenium.webdriver.common.by import By

    browser.get(dashboard_url + "/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Recent handoffs"
    rows = browser.find_elements(By.CSS_SELECTOR, "main table tbody tr")
    assert len(rows) == 5
    screenshot(browser, "overview")
    browser.find_element(By.LINK_TEXT, "zendesk #4003").click()
    assert browser.find_element(By.TAG_NAME, "h1").text == "Zendesk ticket #4003"
    assert "reverted" in browser.find_element(By.CSS_SELECTOR, "main table").text


def test_quality_page_draws_its_charts(browser, dashboard_url) -> None:
    from selenium.webdriver.common.by import By

    browser.get(dashboard_url + "/quality")
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert len(charts) == 3
    assert all(chart.size["width"] > 300 and chart.size["height"] > 50 for chart in charts)
    rate = browser.find_element(By.CSS_SELECTOR, ".counts .count b").text
    assert rate == "33%"  # one repeat question among three judged first replies
    screenshot(browser, "quality")


def test_handoff_queue_shows_recent_transfers_with_flags(browser, dashboard_url) -> None:
    from selenium.webdriver.common.by import By

    browser.get(dashboard_url + "/queue")
    rows = browser.find_elements(By.CSS_SELECTOR, "main table tbody tr")
    assert [row.find_element(By.TAG_NAME, "a").text for row in rows] == [
        "zendesk #4004", "zendesk #4002", "zendesk #4001"]
    assert "frustrated" in rows[0].text and "complete" in rows[0].text
    screenshot(browser, "queue")


def test_the_dashboard_refuses_a_browser_without_the_token(browser, dashboard_url) -> None:
    browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {}})
    try:
        browser.get(dashboard_url + "/api/handoffs")
        # The 401 carries WWW-Authenticate: Basic, so a browser asks for credentials and shows no data.
        assert "4001" not in browser.page_source and "Recent handoffs" not in browser.page_source
    finally:
        browser.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Bearer {TOKEN}"}})
