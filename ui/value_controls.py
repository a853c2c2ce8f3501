"""Widgets of the value-function page that set up a 1D game: p_data, p_g and a logistic D.

Widget values live in st.session_state under `vf_<who>_<field>`, so buttons (equilibrium, best
logistic D) can set them from callbacks before the widgets are drawn."""

from __future__ import annotations

import streamlit as st

from gan_core.theory import Mixture1D

DEFAULTS = {
    "data": dict(mean1=0.0, sigma1=1.0, two=False, mean2=3.0, sigma2=0.5, weight2=0.3),
    "g": dict(mean1=2.0, sigma1=0.7, two=False, mean2=-2.5, sigma2=0.6, weight2=0.3),
}
FIELDS = ("mean1", "sigma1", "two", "mean2", "sigma2", "weight2")
SLOPE_RANGE, OFFSET_RANGE = (-10.0, 10.0), (-10.0, 10.0)


def key(who: str, field: str) -> str:
    return f"vf_{who}_{field}"


def init_state() -> None:
    for who, values in DEFAULTS.items():
        for field, value in values.items():
            st.session_state.setdefault(key(who, field), value)
    st.session_state.setdefault("vf_slope", -1.0)
    st.session_state.setdefault("vf_offset", 1.0)


def mixture_from_state(who: str) -> Mixture1D:
    s = {f: st.session_state[key(who, f)] for f in FIELDS}
    if not s["two"]:
        return Mixture1D.gaussian(s["mean1"], s["sigma1"])
    return Mixture1D((s["mean1"], s["mean2"]), (s["sigma1"], s["sigma2"]), (1.0 - s["weight2"], s["weight2"]))


def mixture_controls(who: str, title: str) -> Mixture1D:
    """Sliders for a Gaussian, or a two-component mixture when the box is ticked."""
    st.markdown(title)
    a, b = st.columns(2)
    a.slider("mean μ₁", -4.0, 4.0, step=0.1, key=key(who, "mean1"))
    b.slider("spread σ₁", 0.2, 2.0, step=0.05, key=key(who, "sigma1"))
    st.checkbox("add a second mode", key=key(who, "two"))
    if st.session_state[key(who, "two")]:
        c, d, e = st.columns(3)
        c.slider("mean μ₂", -4.0, 4.0, step=0.1, key=key(who, "mean2"))
        d.slider("spread σ₂", 0.2, 2.0, step=0.05, key=key(who, "sigma2"))
        e.slider("weight of mode 2", 0.05, 0.95, step=0.05, key=key(who, "weight2"))
    return mixture_from_state(who)


def set_equilibrium() -> None:
    """Callback: p_g becomes a copy of p_data."""
    for field in FIELDS:
        st.session_state[key("g", field)] = st.session_state[key("data", field)]


def set_logistic(slope: float, offset: float) -> None:
    """Callback: move the student's D (clipped to the sliders' range)."""
    on_step = lambda v, lo, hi: round(min(max(v, lo), hi) * 20) / 20  # the sliders' 0.05 steps
    st.session_state["vf_slope"] = on_step(slope, *SLOPE_RANGE)
    st.session_state["vf_offset"] = on_step(offset, *OFFSET_RANGE)


def logistic_controls() -> tuple[float, float]:
    a, b = st.columns(2)
    a.slider("slope w", *SLOPE_RANGE, step=0.05, key="vf_slope")
    b.slider("offset b", *OFFSET_RANGE, step=0.05, key="vf_offset")
    return float(st.session_state["vf_slope"]), float(st.session_state["vf_offset"])
