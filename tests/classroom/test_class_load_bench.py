"""bench/class_load.py: its arguments, and a class of two measured for 2 seconds on the local workers."""

import pytest

from bench import class_load
from classroom.workers import default_worker_count


def test_arguments_default_to_the_issue_and_refuse_nonsense():
    args = class_load.parse_args([])
    assert (args.students, args.backend, args.fps, args.seconds, args.gallery_every, args.ray_cpus) == \
        (30, "workers", 4.0, 60.0, 2.0, 2)
    with pytest.raises(SystemExit):
        class_load.parse_args(["--students", "0"])
    with pytest.raises(SystemExit):
        class_load.parse_args(["--backend", "threads"])


def test_two_students_two_seconds():
    args = class_load.parse_args(["--students", "2", "--seconds", "2", "--warmup", "0"])
    r = class_load.measure(args)
    assert r["playing"] == 2 and not r["failures"] and not r["teacher_failure"]
    # at most 4 frames/s (one frame may start on the window's last instant), at least one each
    assert 1 / 2 <= r["fps_min"] <= r["fps_median"] <= 9 / 2
    assert r["gallery_rows"] == 2 and 1 <= r["gallery_refreshes"] <= 2  # every 2 s in a 2 s window
    # a cell holds 256 fakes and 160 real points, two numbers each: more than 1 kB, and the issue's 20 kB at most
    assert 1.0 < r["thumbnail_kb"] <= 20.0
    assert r["its_min"] > 0
    assert r["run_processes"] == min(2, default_worker_count())  # the app's pool opens a worker per run up to its size
    assert "| workers | 2 of 2 |" in class_load.table_row(r)
