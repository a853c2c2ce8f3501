"""Test-only page: a small 2D run and every live knob of ui.kit.live_controls, to check which are
drawn disabled (and why) under the run's loss and optimizer."""

from gan_core.config import TrainConfig
from gan_core.trainer import Trainer
from ui.kit.live_controls import KNOBS, knob_widgets
from ui.kit.session import get_run

SMALL = TrainConfig(target="ring8", g_width=8, d_width=8, g_depth=1, d_depth=1, batch_size=16, seed=2)

run = get_run("knobs test", lambda: Trainer(SMALL))
knob_widgets(run, "kt", tuple(KNOBS))
