"""Latent walk: G along a path between two noise vectors, each chosen by a seed. Neighbouring z
give neighbouring digits; where the path crosses between two digit modes, G draws blends."""

from __future__ import annotations

import streamlit as st

from classroom.service import Run
from gan_core.step_probe import latent_walk
from ui.figures.digits import tile_grid_html


@st.fragment
def latent_walk_section(run: Run, prefix: str, labeller=None) -> None:
    """labeller() -> label_digits or None; label_digits(images (S, 28, 28) in [0, 1]) ->
    [(digit, confidence)]: the classifier's reading of each step, once a classifier is ready."""
    st.markdown("#### Latent walk")
    a, b, n, how = st.columns([1, 1, 1.4, 1.4])
    seed_a = a.number_input("Seed of z₁", 0, 10_000, 1, key=f"{prefix}_walk_a")
    seed_b = b.number_input("Seed of z₂", 0, 10_000, 2, key=f"{prefix}_walk_b")
    steps = n.slider("Steps", 3, 16, 10, key=f"{prefix}_walk_steps")
    spherical = how.toggle("Great-circle path (slerp)", value=False, key=f"{prefix}_walk_slerp",
                           help="A straight line between two Gaussian z passes through shorter z "
                                "than the prior usually draws; slerp keeps the norm.")
    walk = run.call(lambda t: latent_walk(t, int(seed_a), int(seed_b), steps, spherical))
    label_digits = labeller() if labeller else None
    readings = label_digits(walk.images) if label_digits else None
    captions = [f"t={t:.2f} D={p:.2f}" for t, p in zip(walk.t, walk.p_real)]
    if readings:
        captions = [f"{c} → {d} ({conf:.0%})" for c, (d, conf) in zip(captions, readings)]
    st.html(tile_grid_html(walk.images, walk.p_real, captions, width=84, scale=3))
    st.caption(f"G at iteration {run.trainer.iteration:,}, quietly (the run is not changed). "
               "Frame colour and D= are D's score; → is the digit classifier's reading. "
               "Moving any control here redraws the walk with the current G.")
