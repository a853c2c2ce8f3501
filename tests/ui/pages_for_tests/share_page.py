"""Test-only page: the smallest page that uses ui.share.links the way a real page does."""

import streamlit as st

from gan_core.config import TrainConfig
from ui.share.links import restore_from_query, share_panel, show_messages, write_query

BASE = TrainConfig(target="ring8", g_width=8, d_width=8, g_depth=1, d_depth=1, batch_size=16)
PRESETS = ("Ring of 8: plain GAN",)

st.session_state.setdefault("config", BASE)
restored = restore_from_query("toy_2d", BASE, extras={"preset": PRESETS})
if restored is not None:
    st.session_state["config"] = restored.config
    st.session_state["preset"] = restored.extras.get("preset", "")
    show_messages(restored.messages)


def _seed_up() -> None:
    st.session_state["config"] = st.session_state["config"].replace(seed=st.session_state["config"].seed + 1)


def _imported(decoded) -> None:
    st.session_state["config"] = decoded.config


st.button("seed + 1", key="seed_up", on_click=_seed_up)
config = st.session_state["config"]
write_query("toy_2d", config, BASE, extras={"preset": st.session_state.get("preset", "")})
share_panel("toy_2d", config, BASE, on_import=_imported, name="test preset", what_to_watch="Watch *this*.")
st.markdown(f"config: target={config.target} seed={config.seed} batch_size={config.batch_size} "
            f"real_label={config.real_label}")
