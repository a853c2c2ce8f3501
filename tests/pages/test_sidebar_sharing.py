"""The sidebar tells a tab when its run shares the CPU with other tabs' runs (the worker processes
step their runs in turn), and says nothing while the tab's run plays alone."""

import re

from streamlit.testing.v1 import AppTest

from gan_core.config import TrainConfig
from classroom.service import open_run, runs_playing
from gan_core.trainer import Trainer
from page_support import APP

SMALL = TrainConfig(g_width=8, d_width=8, g_depth=1, d_depth=1, batch_size=16)


def sharing_captions(at) -> list[str]:
    return [c.value for c in at.sidebar.caption if "runs are playing on this server" in c.value]


def test_the_sidebar_says_when_other_tabs_runs_share_the_cpu():
    at = AppTest.from_file(APP, default_timeout=90).run()
    at.switch_page("views/toy_2d.py").run()
    mine = at.session_state["_live_runs"]["2D lab"]
    mine.replace_trainer(Trainer(SMALL))
    other = open_run(Trainer(SMALL.replace(seed=1)), idle_timeout=60)  # another tab's
    try:
        at.run()
        assert sharing_captions(at) == []  # nothing plays
        mine.play()
        at.run()
        if runs_playing() == 1:  # alone (no earlier test left a run playing): no note
            assert sharing_captions(at) == []
        other.play()
        at.run()
        [note] = sharing_captions(at)
        playing = int(re.match(r"(\d+) runs are playing", note).group(1))
        assert playing >= 2
        assert "each worker process training its runs one iteration at a time" in note
        other.pause()
        mine.pause()
        at.run()
        assert sharing_captions(at) == []  # this tab's run paused: the note is about its speed
        assert not at.exception
    finally:
        other.pause()
        mine.pause()
