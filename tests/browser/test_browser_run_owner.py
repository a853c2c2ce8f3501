"""Real browsers: the address bar is not a remote control (issue 20, 3.1).

A teacher plays the 2D lab. A student, in another browser (its own cookie jar), opens the teacher's
address-bar URL, run id included: the student gets the teacher's settings on a run of their own at
iteration 0, and their Pause and Reset never reach the teacher's run, which keeps training. The
teacher's own reload (F5) still finds the teacher's run."""

from urllib.parse import parse_qs, urlparse

import pytest

from browser_support import address_bar, int_metric, open_app_page, open_page, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def query(page) -> dict:
    return parse_qs(urlparse(address_bar(page)).query)


def test_a_student_opening_the_teachers_url_gets_the_setup_on_their_own_run(chromium, app_server):
    teacher_browser = chromium.new_context(viewport={"width": 1440, "height": 900})
    student_browser = chromium.new_context(viewport={"width": 1440, "height": 900})
    try:
        teacher = teacher_browser.new_page()
        open_app_page(teacher, app_server, "/toy_2d")
        wait_until(lambda: int_metric(teacher, "Iteration") == 0, 120, what="the teacher's lab")
        assert any(c["name"] == "gan_classroom_owner" for c in teacher_browser.cookies()), "no owner cookie"
        teacher.locator(".st-key-toy_play button").first.click()
        wait_until(lambda: (n := int_metric(teacher, "Iteration")) is not None and n >= 30, 240,
                   what="the teacher's run to train")
        teachers_url = wait_until(lambda: "run" in query(teacher) and address_bar(teacher), 60,
                                  what="the run id in the teacher's address bar")

        student = student_browser.new_page()
        open_page(student, teachers_url)
        wait_until(lambda: int_metric(student, "Iteration") is not None, 120, what="the student's lab")
        assert int_metric(student, "Iteration") == 0, "the student was given the teacher's run"
        wait_until(lambda: query(student).get("run") not in (None, query(teacher)["run"]), 60,
                   what="the student's own run id in their address bar")
        # the student presses Play, Pause and Reset on what they see
        student.locator(".st-key-toy_play button").first.click()
        wait_until(lambda: (int_metric(student, "Iteration") or 0) > 0, 120, what="the student's run to train")
        student.locator(".st-key-toy_play button").first.click()
        student.locator(".st-key-toy_reset button").first.click()
        wait_until(lambda: int_metric(student, "Iteration") == 0, 60, what="the student's reset")

        # the teacher's run never stopped nor went back
        before = int_metric(teacher, "Iteration")
        wait_until(lambda: (int_metric(teacher, "Iteration") or 0) > before, 60,
                   what="the teacher's run to keep training")
        assert "pause" in teacher.locator(".st-key-toy_play button").first.inner_text().lower()

        # and the teacher's F5 still finds the teacher's run
        teacher.reload(wait_until="domcontentloaded")
        after = wait_until(lambda: int_metric(teacher, "Iteration"), 120, what="the teacher's lab after F5")
        assert after >= before, f"the teacher's reload started a fresh run ({after} < {before})"
    finally:
        teacher_browser.close()
        student_browser.close()
