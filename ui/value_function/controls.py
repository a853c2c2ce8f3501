"""Widgets of the value-function page: p_data, p_g, a logistic D, and the settings of its other
tabs, all described once in SETTINGS (ranges, steps, choices, defaults), which draws the widgets
and makes the page shareable (ui.share.widget_setup).

Widget values live in st.session_state under `vf_<name>` (`vf_<who>_<field>` for the two
densities), so buttons (equilibrium, best logistic D) can set them from callbacks before the
widgets are drawn."""

from __future__ import annotations

import streamlit as st

from gan_core import dirac
from gan_core.theory import Mixture1D
from classroom.settings_codec import Flag, Number, OneOf, SettingsTable, SomeOf, Whole
from ui.kit.table_widgets import widget

DEFAULTS = {
    "data": dict(mean1=0.0, sigma1=1.0, two=False, mean2=3.0, sigma2=0.5, weight2=0.3),
    "g": dict(mean1=2.0, sigma1=0.7, two=False, mean2=-2.5, sigma2=0.6, weight2=0.3),
}
FIELDS = ("mean1", "sigma1", "two", "mean2", "sigma2", "weight2")


def _mixture_settings(who: str) -> dict:
    d = DEFAULTS[who]
    return {f"{who}_mean1": Number(-4.0, 4.0, 0.1, d["mean1"]), f"{who}_sigma1": Number(0.2, 2.0, 0.05, d["sigma1"]),
            f"{who}_two": Flag(d["two"]),
            f"{who}_mean2": Number(-4.0, 4.0, 0.1, d["mean2"]), f"{who}_sigma2": Number(0.2, 2.0, 0.05, d["sigma2"]),
            f"{who}_weight2": Number(0.05, 0.95, 0.05, d["weight2"])}


METHODS = tuple(dirac.METHODS)
SETTINGS = SettingsTable("value_function", "vf", {
    **_mixture_settings("data"), **_mixture_settings("g"),
    "slope": Number(-10.0, 10.0, 0.05, -1.0), "offset": Number(-10.0, 10.0, 0.05, 1.0),  # ① ②
    "alpha": Number(0.5, 1.0, 0.05, 0.9),  # ④ label smoothing
    "dfake": Number(0.01, 0.99, 0.01, 0.05), "dreal": Number(0.05, 0.99, 0.01, 0.9),  # ⑤ generator losses
    # ⑥ Dirac-GAN
    "dirac_method": OneOf(METHODS, METHODS[0]),
    "dirac_h": Number(0.01, 1.0, 0.01, 0.1), "dirac_steps": Whole(10, 2000, 10, 500),
    "dirac_theta0": Number(-2.0, 2.0, 0.1, 1.0), "dirac_psi0": Number(-2.0, 2.0, 0.1, 1.0),
    "dirac_gamma": Number(0.0, 5.0, 0.1, 1.0), "dirac_lambda": Number(0.0, 10.0, 0.1, 1.0),
    "dirac_clip": Number(0.1, 2.0, 0.1, 1.0), "dirac_eta": Number(0.0, 2.0, 0.05, 0.5),
    "dirac_compare": SomeOf(METHODS, ("gan", "nsgan", "wgan", "wgan_gp", "r1")),
})
SLOPE_RANGE = (SETTINGS["slope"].lo, SETTINGS["slope"].hi)
OFFSET_RANGE = (SETTINGS["offset"].lo, SETTINGS["offset"].hi)


def key(who: str, field: str) -> str:
    return SETTINGS.key(f"{who}_{field}")


def mixture_from_state(who: str) -> Mixture1D:
    s = {f: st.session_state[key(who, f)] for f in FIELDS}
    if not s["two"]:
        return Mixture1D.gaussian(s["mean1"], s["sigma1"])
    return Mixture1D((s["mean1"], s["mean2"]), (s["sigma1"], s["sigma2"]), (1.0 - s["weight2"], s["weight2"]))


def mixture_controls(who: str, title: str) -> Mixture1D:
    """Sliders for a Gaussian, or a two-component mixture when the box is ticked."""
    st.markdown(title)
    a, b = st.columns(2)
    widget(SETTINGS, f"{who}_mean1", "mean μ₁", a)
    widget(SETTINGS, f"{who}_sigma1", "spread σ₁", b)
    widget(SETTINGS, f"{who}_two", "add a second mode")
    if st.session_state[key(who, "two")]:
        c, d, e = st.columns(3)
        widget(SETTINGS, f"{who}_mean2", "mean μ₂", c)
        widget(SETTINGS, f"{who}_sigma2", "spread σ₂", d)
        widget(SETTINGS, f"{who}_weight2", "weight of mode 2", e)
    return mixture_from_state(who)


def set_equilibrium() -> None:
    """Callback: p_g becomes a copy of p_data."""
    for field in FIELDS:
        st.session_state[key("g", field)] = st.session_state[key("data", field)]


def set_logistic(slope: float, offset: float) -> None:
    """Callback: move the student's D (clipped to the sliders' range, onto their steps)."""
    st.session_state["vf_slope"] = SETTINGS["slope"].nearest(slope)
    st.session_state["vf_offset"] = SETTINGS["offset"].nearest(offset)


def logistic_controls() -> tuple[float, float]:
    """The student's D: slope and offset sliders, one above the other (a narrow controls column)."""
    widget(SETTINGS, "slope", "slope w")
    widget(SETTINGS, "offset", "offset b")
    return float(st.session_state["vf_slope"]), float(st.session_state["vf_offset"])
