"""The stewards' console in a real headless Chromium: open the queue, decide a task, split a
customer, then read the outcome back through gRPC.

Needs Debian's `chromium` and `chromium-driver` (.ci/run installs them); skipped, saying so, on a
machine without them. SINGLEVIEW_CONSOLE_SCREENSHOT=docs/console-task.png also saves the task
page there (the README's picture); every run saves one under the test's tmp_path.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    StaleElementReferenceException,
    TimeoutException,
    WebDriverException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

from singleview.v1 import common_pb2
from singleview.v1 import steward_service_pb2 as pb
from singleview.v1.identity_service_pb2_grpc import IdentityServiceStub
from singleview.v1.profile_service_pb2 import GetCustomerRequest
from singleview.v1.profile_service_pb2_grpc import ProfileServiceStub
from singleview.v1.steward_service_pb2_grpc import StewardServiceStub
from singleview.v1.timeline_service_pb2_grpc import TimelineServiceStub
from tests.support.server import ServerThread
from tests.support.stewardship import open_task, uncertain_pair
from tests.support.timeline_builders import interaction
from tests.support.timeline_builders import record as contact

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or not Path(CHROMEDRIVER).exists(),
    reason="headless Chromium not installed (apt-get install chromium chromium-driver)",
)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1400",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _wait_for(driver: WebDriver, text: str) -> None:
    """Until the page the last click led to says `text` (a form post returns before it loads).

    While the next page replaces the last one, reading an element of the old one fails: stale,
    or (Chromium) "node does not belong to the document"; both mean "not yet"."""
    not_yet = [StaleElementReferenceException, WebDriverException]
    try:
        WebDriverWait(driver, 15, ignored_exceptions=not_yet).until(
            lambda d: text in d.find_element(By.TAG_NAME, "main").text
        )
    except TimeoutException:
        main = driver.find_element(By.TAG_NAME, "main").text
        raise AssertionError(f"{text!r} never showed; the page says: {main}") from None


def _screenshot(driver: WebDriver, tmp_path: Path) -> None:
    driver.save_screenshot(str(tmp_path / "console-task.png"))
    target = os.environ.get("SINGLEVIEW_CONSOLE_SCREENSHOT")
    if target:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tmp_path / "console-task.png", target)


def test_a_steward_decides_a_task_and_splits_a_customer_in_the_browser(
    server: ServerThread, channel: grpc.Channel, browser: WebDriver, tmp_path: Path
) -> None:
    identity, steward = IdentityServiceStub(channel), StewardServiceStub(channel)
    profiles, timeline = ProfileServiceStub(channel), TimelineServiceStub(channel)
    pair = uncertain_pair(identity)
    for n, name in enumerate((pair.older, pair.younger)):
        what = interaction(common_pb2.CHANNEL_CHAT, minutes_ago=30 - n, summary=f"asked about {n}")
        timeline.RecordInteraction(contact("chat", f"c{n}", what, customer=name))
    task = open_task(steward, pair)
    driver = browser
    find = driver.find_element

    driver.get(server.console_url + "/")
    assert "Review queue" in driver.title
    find(By.LINK_TEXT, task.name).click()
    assert pair.email in find(By.TAG_NAME, "main").text
    _screenshot(driver, tmp_path)
    find(By.ID, "reason").send_keys("same person: the receipt names both")
    find(By.CSS_SELECTOR, 'button[value="SAME"]').click()
    _wait_for(driver, "SAME, now DECIDED")

    driver.get(f"{server.console_url}/customers/{pair.older.split('/')[1]}")
    assert "asked about 1" in find(By.TAG_NAME, "main").text
    pos = next(
        box
        for box in driver.find_elements(By.NAME, "record")
        if '"pos"' in (box.get_attribute("value") or "")
    )
    pos.click()
    find(By.ID, "split-reason").send_keys("two people after all")
    find(By.XPATH, "//button[text()='Split']").click()
    _wait_for(driver, "Split 1 record(s)")

    decided = steward.GetReviewTask(pb.GetReviewTaskRequest(name=task.name))
    assert (decided.state, decided.verdict) == (pb.REVIEW_TASK_STATE_DECIDED, pb.VERDICT_SAME)
    assert decided.reason == "same person: the receipt names both"
    older = profiles.GetCustomer(GetCustomerRequest(name=pair.older))
    younger = profiles.GetCustomer(GetCustomerRequest(name=pair.younger))
    assert [(r.source, r.record_id) for r in older.records] == [("crm", "m0")]
    assert [(r.source, r.record_id) for r in younger.records] == [("pos", "m0")]
    events = steward.ListAuditEvents(pb.ListAuditEventsRequest(customer=pair.older))
    actions = [e.action for e in events.audit_events]
    assert {"DECIDE_REVIEW_TASK", "SPLIT"} <= set(actions)
    assert all(e.actor == "steward" for e in events.audit_events)
