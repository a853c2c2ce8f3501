"""Every figure of a 2D-lab redraw, built from a RenderData (no Streamlit calls, so the
throughput bench measures the page's own work). The plane views redraw with the live fragment
(4 a second); the time charts live in a second fragment that redraws once a second, and are
rebuilt only when something new arrived."""

from __future__ import annotations

import time

from ui.plots import d_output_figure, loss_figure
from ui.toy_charts import mode_timeline_figure, modes_figure
from ui.toy_render_data import LabViews, RenderData
from ui.toy_views import LAYERS, d_versus_optimal_figures, field_figure, manifold_figure, plane_figure

SLOW_CHARTS_EVERY = 1.0  # seconds between rebuilds of the time charts while playing


class FigureCache:
    def __init__(self, every: float = SLOW_CHARTS_EVERY):
        self.every = every
        self._slow: tuple | None = None  # (built at, stamp, {name: figure})

    def time_charts(self, data: RenderData, playing: bool) -> dict:
        """Losses, D's outputs, modes and the per-mode timeline."""
        now = time.monotonic()
        stamp = (data.updates, len(data.events), len(data.modes["iteration"]))
        if self._slow and (self._slow[1] == stamp or (playing and now - self._slow[0] < self.every)):
            return self._slow[2]
        figs = {"losses": loss_figure(data.history, data.events),
                "d_out": d_output_figure(data.history, data.events)}
        if data.n_modes:
            figs["modes"] = modes_figure(data.modes, data.n_modes, data.events)
            figs["mode_timeline"] = mode_timeline_figure(data.modes, data.events)
        self._slow = (now, stamp, figs)
        return figs

    def plane_figures(self, views: LabViews, data: RenderData, layers=LAYERS, chart_height: int = 380) -> dict:
        """The views over the plane, rebuilt at every redraw."""
        scene, frame = views.scene, data.frame
        d_fig, d_star_fig = d_versus_optimal_figures(scene, frame, height=chart_height)
        figs = {"plane": plane_figure(scene, frame, layers), "field": field_figure(scene, frame),
                "d": d_fig, "d_star": d_star_fig}
        if frame.manifold is not None:
            figs["manifold"] = manifold_figure(scene, frame, height=chart_height)
        return figs
