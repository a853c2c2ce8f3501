"""Test-only page: the smallest page that shares its setup through ui.share.page_setup the way a real
page does, with a setup of its own (a TrainConfig in the session state and a `preset` link extra)."""

import streamlit as st

from gan_core.config import TrainConfig
from classroom.sharing import config_from_query, config_to_query, preset_from_json, preset_to_json
from ui.share.page_setup import PageSetup, keep_address, restore_link, share_expander

BASE = TrainConfig(target="ring8", g_width=8, d_width=8, g_depth=1, d_depth=1, batch_size=16)
PRESETS = ("Ring of 8: plain GAN",)


class SessionConfigSetup(PageSetup):
    page_key = "toy_2d"
    link_note = "Send this link: it opens this page with these settings (target, seed, every setting you changed)."
    loaded_note = "a fresh run with its settings"

    def apply_link(self, params):
        restored = config_from_query(params, BASE, extras={"preset": PRESETS})
        st.session_state["config"] = restored.config
        st.session_state["preset"] = restored.extras.get("preset", "")
        return restored.messages

    def link_params(self):
        return config_to_query(st.session_state["config"], BASE, extras={"preset": st.session_state.get("preset", "")})

    def preset_json(self, name, what_to_watch):
        return preset_to_json(st.session_state["config"], self.page_key, name, what_to_watch)

    def read_preset(self, data):
        return preset_from_json(data, BASE, page=self.page_key)

    def preset_applies(self, decoded):
        return decoded.config != BASE or not decoded.errors

    def apply_preset(self, decoded):
        st.session_state["config"] = decoded.config
        return decoded


def _seed_up() -> None:
    st.session_state["config"] = st.session_state["config"].replace(seed=st.session_state["config"].seed + 1)


sharing = SessionConfigSetup()
st.session_state.setdefault("config", BASE)
restore_link(sharing)
st.button("seed + 1", key="seed_up", on_click=_seed_up)
keep_address(sharing)
share_expander(sharing, name="test preset", what_to_watch="Watch *this*.")
config = st.session_state["config"]
st.markdown(f"config: target={config.target} seed={config.seed} batch_size={config.batch_size} "
            f"real_label={config.real_label}")
