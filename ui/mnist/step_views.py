"""The step-by-step views drawn: what one D update and one G update did, image by image (the
views themselves are made where the run trains: classroom.step_views)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from gan_core.inactive_settings import labels_apply
from gan_core.step_probe import DStepView, DVerdict, GStepView
from ui.figures.digits import score_caption, tile_grid_html
from ui.kit.readout import readout

TILE_WIDTH = 64  # pixels per tile on screen


def _image_row(images: np.ndarray, scores: np.ndarray, captions: list[str]) -> None:
    st.html(tile_grid_html(images, scores, captions, width=TILE_WIDTH, scale=2))


def _age(view_update: int, latest_update: int) -> str:
    behind = latest_update - view_update
    return "the latest update" if behind == 0 else f"{behind:,} update(s) ago"


def d_verdict_section(verdict: DVerdict) -> None:
    st.markdown("#### What D says now")
    st.caption(f"While the run plays, D's current scores on fresh real and fake digits (not a "
               f"training batch), at iteration {verdict.iteration:,}. Pause and press **Step D** "
               "to see one D update's own batch and loss terms.")
    readout([("D accuracy on these", f"{100 * verdict.accuracy:.0f}%")])
    st.markdown(f"**Real digits** — mean D(x) = {verdict.p_real.mean():.3f}")
    _image_row(verdict.real, verdict.p_real, [score_caption(p) for p in verdict.p_real])
    st.markdown(f"**G's fakes** — mean D(G(z)) = {verdict.p_fake.mean():.3f}")
    _image_row(verdict.fake, verdict.p_fake, [score_caption(p) for p in verdict.p_fake])


def d_step_section(view: DStepView | None, latest_update: int, verdict: DVerdict | None = None) -> None:
    if verdict is not None:
        d_verdict_section(verdict)
        return
    st.markdown("#### One D update (G frozen)")
    if view is None:
        st.info("Press **Step D** to see the batch one discriminator update learns from: real "
                "digits, G's fakes, and the score D gives each of them.")
        return
    st.caption(f"Update #{view.update:,} ({_age(view.update, latest_update)}), at iteration "
               f"{view.iteration:,}; batch of {view.batch_size} real + {view.batch_size} fake, "
               f"first {len(view.p_real)} of each shown. Frame colour: red = D says fake, "
               "grey = undecided, green = D says real.")
    readout([("Real error", f"{view.loss_real:.3f}"), ("Fake error", f"{view.loss_fake:.3f}"),
             ("D accuracy", f"{100 * view.accuracy:.0f}%")])
    st.caption("Real error: D's loss on the real images (log loss: −mean[y·log D(x) + (1−y)·log(1−D(x))] at "
               "the real label y). Fake error: −mean log(1 − D(G(z))). Accuracy: real images scored above ½ "
               "plus fakes scored below ½, over the whole batch.")
    labelled = labels_apply(view.loss)  # WGAN-GP and hinge have no labels to smooth
    real_words = (f"labelled {view.real_label:g}{' (one-sided label smoothing)' if view.real_label < 1 else ''}"
                  if labelled else f"no label (the {view.loss} loss uses none)")
    st.markdown(f"**Real batch** — {real_words}; mean D(x) = {view.mean_real:.3f}")
    _image_row(view.real, view.p_real, [score_caption(p) for p in view.p_real])
    st.markdown(f"**Fake batch** — {'labelled 0' if labelled else 'no label'}; mean D(G(z)) = {view.mean_fake:.3f}")
    _image_row(view.fake, view.p_fake, [score_caption(p) for p in view.p_fake])
    st.caption("These are the scores D gave in the update; its weights then moved to push real "
               + ("scores up towards the real label and fake scores down towards 0." if labelled
                  else "scores up and fake scores down."))


def g_step_section(view: GStepView | None, latest_update: int) -> None:
    st.markdown("#### One G update (D frozen)")
    if view is None:
        st.info("Press **Step G** to see the same noise z through G before and after one "
                "generator update, each fake scored by D.")
        return
    st.caption(f"Update #{view.update:,} ({_age(view.update, latest_update)}), now at iteration "
               f"{view.iteration:,}; batch of {view.batch_size}, first {len(view.p_before)} shown.")
    readout([("Mean D(G(z)) before", f"{view.mean_before:.3f}"),
             ("Mean D(G(z)) after", f"{view.mean_after:.3f} ({view.mean_after - view.mean_before:+.3f})"),
             ("Rated higher now", f"{100 * view.improved:.0f}%")])
    st.markdown("**Before the update**: the fakes G was trained on, *labelled real* for G's loss")
    _image_row(view.before, view.p_before, [score_caption(p) for p in view.p_before])
    st.markdown("**After the update**: the same z through the new G")
    _image_row(view.after, view.p_after,
               [f"{score_caption(a)} ({a - b:+.2f})" for a, b in zip(view.p_after, view.p_before)])
    words = {"nonsaturating": "−log D(G(z)): binary cross-entropy with the label *real* on fakes",
             "minimax": "log(1 − D(G(z))): the saturating form of the minimax game",
             "least_squares": "½(D(G(z)) − 1)²: pull the fakes' score towards 1 (whatever D's real label is)"}
    st.caption(f"The “misleading labels”: G's loss {words.get(view.loss, 'follows the critic')}. "
               f"G loss this update: {view.loss_g:.3f}. D did not change, so each change of score "
               "is G's doing; G never saw a real digit, only D's gradient. Scores here are D with "
               "dropout off, the same way before and after.")
