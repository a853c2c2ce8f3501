"""Screenshots of every lesson page, as the projector shows them: at 1440x900, and at 1280x720 with
teacher mode on, after pressing Play where the page trains (the frame a class sees), saved as
docs/screenshots/<page>_1440.png and <page>_1280.png. It prints where each page's main view lies
(the same table and measure as tests/browser/test_first_screen.py) so a figure can be quoted.

    python bench/screenshots.py                 # every page
    python bench/screenshots.py --pages /mnist --out /tmp/shots --play-seconds 10
    python bench/screenshots.py --pages /class_mode --class-students 4   # the console with students

The Class page is shot as a teacher sees it in a lesson: --class-students students (default 4) join
the class the shot's browser started, each in a browser of its own, and play their 2D labs, one
with the default setup and the others each with one setting changed (STUDENT_SETUPS), so the
gallery shows runs and how they differ from the class preset.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "tests"), os.path.join(ROOT, "tests", "browser")]

from browser_support import CHROMIUM, CHROMIUM_ARGS, StreamlitServer  # noqa: E402
from browser_support import int_metric, metric_value, open_app_page, wait_until  # noqa: E402
from test_class_browser import gallery_label, join_class  # noqa: E402
from test_first_screen import MAIN_VIEWS, SCREENS, box, open_on_screen, within_first_screen  # noqa: E402

# the Play button of each page that trains (pages without one are shot as they open)
PLAY = {"/toy_2d": ".st-key-toy_play button", "/toy_1d": ".st-key-toy1d_play button",
        "/side_by_side": ".st-key-sbs_play button", "/mnist": ".st-key-mnist_play button",
        "/mode_coverage": ".st-key-cov_play button"}


STUDENT_SETUPS = [("Ana", ""), ("Ben", "?label_smoothing=0.1"), ("Cleo", "?batch_size=512"), ("Dan", "?lr_d=0.0002"),
                  ("Eve", "?loss=hinge"), ("Finn", "?d_steps=2")]
CLASS_PLAY_SECONDS = 20.0  # the students' runs train this long before the console is shot


def students_playing(browser, base_url: str, teacher_page, n: int) -> list:
    """n students join the class the teacher's page started and play their 2D labs; their browser
    contexts (the caller closes them)."""
    code = wait_until(lambda: metric_value(teacher_page, "Class code"), 60, what="the class code")
    contexts = []
    for name, query in STUDENT_SETUPS[:n]:
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(120_000)
        join_class(page, base_url, code, name)
        open_app_page(page, base_url, "/toy_2d" + query)
        wait_until(lambda p=page: int_metric(p, "Iteration") is not None, 120, what=f"{name}'s lab")
        page.locator(".st-key-toy_play button").first.click()
    wait_until(lambda: gallery_label(teacher_page) == f"the class gallery: {n} runs", 60, what="the gallery")
    teacher_page.wait_for_timeout(CLASS_PLAY_SECONDS * 1000)
    return contexts


def file_name(path: str, width: int) -> str:
    return f"{path.strip('/') or 'home'}_{width}.png"


def shoot(browser, base_url: str, path: str, width: int, height: int, teacher: bool, out: str,
          play_seconds: float, students: int = 0) -> str:
    context, page = open_on_screen(browser, base_url, path, width, height, teacher)
    student_contexts = []
    try:
        if path == "/class_mode" and students:
            student_contexts = students_playing(browser, base_url, page, students)
        selector = MAIN_VIEWS[path][0]
        if path in PLAY:
            page.locator(PLAY[path]).first.click()
        page.wait_for_timeout(play_seconds * 1000)
        main = box(page, selector)
        target = os.path.join(out, file_name(path, width))
        page.screenshot(path=target)
        where = "first screen" if within_first_screen(main, width, height) else "BELOW THE FOLD"
        return (f"{path:<16} {width}x{height}{' teacher' if teacher else '        '}  main view "
                f"{main['width']:.0f}x{main['height']:.0f} at y={main['y']:.0f} ({where}) -> {target}")
    finally:
        for student in student_contexts:
            student.close()
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", nargs="*", default=list(MAIN_VIEWS), choices=list(MAIN_VIEWS))
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "screenshots"))
    parser.add_argument("--play-seconds", type=float, default=6.0, help="play this long before the shot")
    parser.add_argument("--class-students", type=int, default=4, choices=range(len(STUDENT_SETUPS) + 1),
                        help="students playing in the class the Class page's shot starts")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    from playwright.sync_api import sync_playwright

    # the classes a shot starts go to a file of their own, not the teacher's data/classroom.sqlite3
    os.environ.setdefault("GAN_CLASSROOM_DB", os.path.join(tempfile.mkdtemp(prefix="gan-shots-"), "classes.sqlite3"))
    server = StreamlitServer()
    server.wait_healthy()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            for path in args.pages:
                for width, height, teacher in SCREENS:
                    print(shoot(browser, server.url, path, width, height, teacher, args.out, args.play_seconds,
                                args.class_students), flush=True)
            browser.close()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
