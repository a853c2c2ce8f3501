"""Test-only page: a training page's setup (ui.share.run_setup.RunSetup) on a stand-in run whose
install refuses a batch above 256, as a trainer refuses a config it cannot build."""

from types import SimpleNamespace

import streamlit as st

from gan_core.config import TrainConfig
from ui.share.page_setup import keep_address, restore_link, share_expander
from ui.share.run_setup import RunSetup

BASE = TrainConfig(target="ring8", g_width=8, d_width=8, g_depth=1, d_depth=1, batch_size=16)
LARGEST_BATCH = 256


def install(run, config: TrainConfig) -> None:
    if config.batch_size > LARGEST_BATCH:
        raise ValueError(f"batch_size {config.batch_size} is more than this run takes")
    run.trainer = SimpleNamespace(config=config)


run = st.session_state.setdefault("run", SimpleNamespace(run_id="testrun", trainer=SimpleNamespace(config=BASE)))
sharing = RunSetup("refusing", run, BASE, install=install)
restore_link(sharing)
keep_address(sharing)
share_expander(sharing)
