"""Real browsers in class mode (issue 19): a teacher and two students, each in their own browser
(their own cookie jar, so their own owner key). The students join by code, their 2D labs say so;
the teacher pushes a preset and the students' labs switch to it and say so; Pause all pauses a
playing student, and Play all plays her again on her screen; the spotlight shows a student's run
and the sweep its points; a student who opens the teacher's console address or another student's
run address is refused in words.

The server keeps its classes in a fresh SQLite file (GAN_CLASSROOM_DB), not the repository's."""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qs, urlparse

import pytest

from browser_support import StreamlitServer, address_bar, browser_available, int_metric, metric_value, open_app_page, \
    open_page, open_section, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]
EXCEPTION = "[data-testid='stException']"
PRESET = "Grid of 25: plain GAN"  # what the teacher pushes (a 2D lab preset on another target)


def server_on(db) -> StreamlitServer:
    """A healthy `streamlit run app.py` keeping its classes in the SQLite file `db`."""
    before = os.environ.get("GAN_CLASSROOM_DB")
    os.environ["GAN_CLASSROOM_DB"] = str(db)  # the server process inherits it
    try:
        server = StreamlitServer()
    finally:
        if before is None:
            os.environ.pop("GAN_CLASSROOM_DB")
        else:
            os.environ["GAN_CLASSROOM_DB"] = before
    server.wait_healthy()
    return server


@pytest.fixture(scope="module")
def class_server(tmp_path_factory):
    if reason := browser_available():
        pytest.skip(reason)
    server = server_on(tmp_path_factory.mktemp("class_db") / "classroom.sqlite3")
    yield server.url
    server.stop()


def main_text(page) -> str:
    return page.locator("[data-testid='stMainBlockContainer']").inner_text()


def sidebar_text(page) -> str:
    """Where a lab page of a student says the class (ui/class_mode/student_banner.py)."""
    return page.locator("[data-testid='stSidebar']").inner_text()


def pick(page, key: str, option: str) -> None:
    """Choose `option` in the selectbox with widget key `key`."""
    box = page.locator(f".st-key-{key} input[role='combobox']").first
    box.click()
    page.get_by_role("option", name=option, exact=True).first.click()
    wait_until(lambda: box.input_value() == option, 30, what=f"{option} picked")


def start_class(page, title: str = "") -> str:
    """On the Class page of a browser in no class: start one; returns its code (from the console)."""
    if title:
        page.locator(".st-key-class_start_title input").fill(title)
    page.locator(".st-key-class_start_submit button").first.click()
    return wait_until(lambda: re.fullmatch(r"[A-Z2-9]{6}", metric_value(page, "Class code")) and
                      metric_value(page, "Class code"), 90, what="the console's class code")


def join_class(page, base_url: str, code: str, pseudonym: str) -> None:
    """Open the join link, type a pseudonym, join."""
    open_app_page(page, base_url, f"/class_mode?join={code}")
    field = page.locator(".st-key-class_join_code input")
    wait_until(lambda: field.input_value() == code, 60, what="the code filled in from the join link")
    page.locator(".st-key-class_join_name input").fill(pseudonym)
    page.locator(".st-key-class_join_submit button").first.click()
    wait_until(lambda: f"You are in class {code} as {pseudonym}" in main_text(page), 60, what=f"{pseudonym} joined")


def open_lab(page, base_url: str, code: str, pseudonym: str) -> None:
    open_app_page(page, base_url, "/toy_2d")
    wait_until(lambda: int_metric(page, "Iteration") is not None, 120, what="the 2D lab")
    wait_until(lambda: f"You are in class {code} as {pseudonym}" in sidebar_text(page), 60, what="the class banner")


def playing(page) -> bool:
    return "pause" in page.locator(".st-key-toy_play button").first.inner_text().lower()


def still_iteration(page, seconds: float = 2.0) -> tuple[int] | None:
    """(the page's iteration,) if it stays the same for `seconds`, else None."""
    before = int_metric(page, "Iteration")
    page.wait_for_timeout(seconds * 1000)
    return (before,) if before is not None and int_metric(page, "Iteration") == before else None


def gallery_label(page) -> str:
    canvas = page.locator(".st-key-class_gallery_canvas canvas")
    return canvas.first.get_attribute("aria-label") if canvas.count() else ""


def test_a_class_in_three_browsers(chromium, class_server):
    contexts = {who: chromium.new_context(viewport={"width": 1440, "height": 900})
                for who in ("teacher", "ana", "ben")}
    try:
        teacher, ana, ben = (contexts[w].new_page() for w in ("teacher", "ana", "ben"))
        for page in (teacher, ana, ben):
            page.set_default_timeout(90_000)
        open_app_page(teacher, class_server, "/class_mode")
        code = start_class(teacher, "Monday")
        # the join link: the server's address, the Class page and the code; nothing secret
        teacher.get_by_role("button", name="Join link").first.click()
        link = wait_until(lambda: teacher.locator("[data-testid='stCode']").first.inner_text().strip(), 30,
                          what="the join link")
        assert link == f"{class_server}/class_mode?join={code}", link
        teachers_key = next(c["value"] for c in contexts["teacher"].cookies() if c["name"] == "gan_classroom_owner")
        assert teachers_key not in link
        teacher.keyboard.press("Escape")

        join_class(ana, class_server, code, "Ana")
        join_class(ben, class_server, code, "Ben")
        open_lab(ana, class_server, code, "Ana")
        open_lab(ben, class_server, code, "Ben")
        wait_until(lambda: gallery_label(teacher) == "the class gallery: 2 runs", 30,
                   what="both runs in the teacher's gallery (it redraws every 2 s)")
        assert metric_value(teacher, "Students") == "2"

        ana.locator(".st-key-toy_play button").first.click()
        wait_until(lambda: (int_metric(ana, "Iteration") or 0) > 20, 120, what="Ana's run to train")

        # the teacher pushes a preset: both labs switch to it and say so, without a click of theirs
        pick(teacher, "class_push_preset", PRESET)
        teacher.locator(".st-key-class_push button").first.click()
        wait_until(lambda: f"Pushed {PRESET}" in main_text(teacher), 90, what="the teacher's confirmation")
        for page in (ana, ben):
            wait_until(lambda p=page: f"Your teacher set the class preset: {PRESET}" in sidebar_text(p), 60,
                       what="the student's lab to say the class preset")
            wait_until(lambda p=page: "target grid25" in main_text(p), 30, what="the preset's target in the status")
        assert playing(ana), "a pushed preset stopped a playing run (install keeps play state)"

        # pause all: Ana's playing run stops, and her page shows Play again
        teacher.locator(".st-key-class_pause_all button").first.click()
        wait_until(lambda: "Paused 1 run." in main_text(teacher), 90, what="the teacher's count of paused runs")
        wait_until(lambda: not playing(ana), 90, what="Ana's run to pause")
        # the steps her worker took before the pause reached it still arrive: then the count stands still
        (stopped,) = wait_until(lambda: still_iteration(ana), 30, what="Ana's iteration to stand still")
        ana.wait_for_timeout(2000)
        assert int_metric(ana, "Iteration") == stopped

        # spotlight: Ana's run full size on the teacher's console, with who it is
        open_section(teacher, "class_tab", "Spotlight")
        wait_until(lambda: teacher.locator(".st-key-class_spotlight_canvas canvas").count() > 0, 60,
                   what="the spotlight's plane")
        wait_until(lambda: "Ana (slot 1, 2D lab)" in main_text(teacher), 90, what="whose run is in the spotlight")

        # the class as a sweep: one point per measured run, on the setting the teacher picks
        open_section(teacher, "class_tab", "Sweep")
        sweep = teacher.locator(".st-key-class_sweep_canvas canvas")
        wait_until(lambda: sweep.count() > 0 and re.fullmatch(
            r"the class as a sweep of label_smoothing: [12] runs measured", sweep.first.get_attribute("aria-label")),
            60, what="the sweep of label smoothing")
        pick(teacher, "class_sweep_field", "batch_size")
        wait_until(lambda: (sweep.first.get_attribute("aria-label") or "").startswith(
            "the class as a sweep of batch_size: "), 90, what="the sweep redrawn on batch size")

        # Ben tries the teacher's console address: refused in words, no console
        console_url = address_bar(teacher)
        assert parse_qs(urlparse(console_url).query).get("class") == [code]
        open_page(ben, console_url)
        wait_until(lambda: f"The console of class {code} opens only in the browser that started it"
                   in main_text(ben), 60, what="the console refused to a student")
        assert metric_value(ben, "Class code") == "" and ben.locator(".st-key-class_gallery_canvas").count() == 0

        # Ben tries Ana's run address: his own run at iteration 0, and a toast that says why
        anas_url = wait_until(lambda: "run" in parse_qs(urlparse(u := address_bar(ana)).query) and u, 30,
                              what="Ana's run id in her address bar")
        open_page(ben, anas_url)
        toasts = ben.locator("[data-testid='stToast']")
        wait_until(lambda: "not open in this browser" in " ".join(toasts.all_inner_texts()), 60,
                   what="the toast that says the run is not Ben's")
        wait_until(lambda: int_metric(ben, "Iteration") is not None, 60, what="Ben's lab")
        assert int_metric(ben, "Iteration") == 0
        assert int_metric(ana, "Iteration") == stopped, "Ben's visit changed Ana's run"

        # play all: Ana's paused lab shows her run training again, without a click of hers (a paused
        # tab looks every 2 s whether its run was played elsewhere)
        teacher.locator(".st-key-class_play_all button").first.click()
        wait_until(lambda: re.search(r"Started [0-9]+ runs?\.", main_text(teacher)), 90,
                   what="the teacher's count of started runs")
        wait_until(lambda: playing(ana), 90, what="Ana's lab to show her run playing")
        wait_until(lambda: (int_metric(ana, "Iteration") or 0) > stopped + 20, 120, what="Ana's counter to rise")
        for page in (teacher, ana, ben):
            assert page.locator(EXCEPTION).count() == 0
    finally:
        for context in contexts.values():
            context.close()


def test_the_teacher_reopens_the_class_after_a_server_restart(chromium, tmp_path):
    if reason := browser_available():
        pytest.skip(reason)
    db = tmp_path / "classroom.sqlite3"
    teacher_browser = chromium.new_context(viewport={"width": 1440, "height": 900})  # keeps its cookie
    student_browser = chromium.new_context(viewport={"width": 1440, "height": 900})
    server = server_on(db)
    try:
        teacher = teacher_browser.new_page()
        teacher.set_default_timeout(90_000)
        open_app_page(teacher, server.url, "/class_mode")
        code = start_class(teacher, "Monday")
        ana = student_browser.new_page()
        ana.set_default_timeout(90_000)
        join_class(ana, server.url, code, "Ana")
        open_lab(ana, server.url, code, "Ana")
        ana.locator(".st-key-toy_play button").first.click()
        wait_until(lambda: (int_metric(ana, "Iteration") or 0) > 50, 120, what="Ana's run to train")
        assert playing(ana)  # the server goes down mid-lesson, her run still training (a crash, a restart)
        teacher.wait_for_timeout(5000)  # the recorder stores each run's numbers every 2 s
    finally:
        server.stop()

    server = server_on(db)  # a new process: nothing of the class is in memory
    try:
        teacher.goto(server.url + "/class_mode", wait_until="domcontentloaded")
        wait_until(lambda: metric_value(teacher, "Class code") == code, 120,
                   what="the console of the same class after the restart")
        wait_until(lambda: gallery_label(teacher) == "the class gallery: 1 runs", 60, what="last lesson's run")
        assert metric_value(teacher, "Students") == "1"
        open_section(teacher, "class_tab", "Spotlight")  # Ana's run is last lesson's, not live
        picked = teacher.locator(".st-key-class_spotlight input[role='combobox']").first
        wait_until(lambda: picked.input_value() == "1 · Ana · 2D lab (not open)", 60, what="the spotlight picker")
        wait_until(lambda: "is not open now" in main_text(teacher), 30, what="the spotlight saying so")
        assert teacher.locator(EXCEPTION).count() == 0
    finally:
        server.stop()
        teacher_browser.close()
        student_browser.close()
