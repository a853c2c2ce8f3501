"""The 2D lab's views over the plane as live-canvas panels (the plotly builders in ui.figures.toy_2d
stay for exports): D's heatmap with its ½ contour under real samples and G's fixed-noise fakes,
pushes on the fakes, G's gradient field, the generator manifold, and D beside D*."""

from __future__ import annotations

from gan_core.pointwise_optimum import OptimumRule
from gan_core.toy_fields import FIELD_RES, PlaneFrame, PlaneScene
from ui.canvas.scene import Panel, contour, image, legend_item, lines, points, text
from ui.figures.toy_2d import (ARROW_COLOR, FAKE_COLOR, LAYERS, REAL_COLOR, TRAINED_COLOR, TRAINED_EDGE, arrow_segments,
                               polylines)

MANIFOLD_COLORS = ("#ff7f0e", "#8c564b")


def _ranges(scene: PlaneScene) -> dict:
    (x0, x1), (y0, y1) = scene.bounds
    return {"x": (x0, x1), "y": (y0, y1), "equal": True}


def _manifold_layers(frame: PlaneFrame, width: float = 1.2) -> list[dict]:
    """G's image of the z grid: the z₁ lines and the z₂ lines in two colours."""
    if frame.manifold is None:
        return []
    m = frame.manifold
    half = len(m) // 2 if len(m) > 1 else len(m)
    return [lines(*polylines(group), color, width=width, alpha=0.85)
            for group, color in ((m[:half], MANIFOLD_COLORS[0]), (m[half:], MANIFOLD_COLORS[1])) if len(group)]


def fakes_label(frame: PlaneFrame) -> str:
    """The legend of the fakes drawn: the average's when the run keeps one."""
    return "fakes: EMA of G" if frame.averaged else "fakes G(z)"


def plane_panel(scene: PlaneScene, frame: PlaneFrame, box, layers=LAYERS, title: str | None = None,
                trained: bool = False) -> Panel:
    """The main view: what D believes (blue fake, red real, dashed ½ line), the real samples, G's
    fakes for fixed z, and at the first fakes the arrow of where G's loss gradient pushes them.
    With a weight average the fakes are the average's; `trained` also draws the G being trained
    on the same z (under them, in its own colour)."""
    drawn, legend = [], []
    if "D heatmap" in layers:
        drawn.append(image(frame.heat, 0.0, 1.0, "rdbu"))
        legend += [legend_item("#2166ac", "D says fake", "square"), legend_item("#b2182b", "D says real", "square")]
    if "D = ½ contour" in layers:
        drawn.append(contour(frame.heat, 0.5))
        legend.append(legend_item("black", "D = ½", "dash"))
    if "manifold" in layers:
        drawn += _manifold_layers(frame, width=1.0)
        if frame.manifold is not None:
            legend.append(legend_item(MANIFOLD_COLORS[0], "G(z grid)", "line"))
    if "real samples" in layers:
        drawn.append(points(scene.real, REAL_COLOR, r=2.5, alpha=0.8))
        legend.append(legend_item(REAL_COLOR, "real"))
    if trained and frame.trained_fakes is not None:
        # larger and underneath: where both G's agree a gold rim shows around the average's dot
        drawn.append(points(frame.trained_fakes, TRAINED_COLOR, r=3.6, alpha=0.9, edge=TRAINED_EDGE))
        legend.append(legend_item(TRAINED_COLOR, "fakes: G being trained"))
    if "fakes" in layers:
        drawn.append(points(frame.fakes, FAKE_COLOR, r=2.5, alpha=0.85))
        legend.append(legend_item(FAKE_COLOR, fakes_label(frame)))
    if "arrows at fakes" in layers:
        span = max(hi - lo for lo, hi in scene.bounds)
        n = len(frame.fake_arrows)
        drawn.append(lines(*arrow_segments(frame.fakes[:n], frame.fake_arrows, 0.08 * span), ARROW_COLOR, width=1.2))
        legend.append(legend_item(ARROW_COLOR, "push on fakes", "line"))
    return Panel(box=box, layers=drawn, legend=legend, background="white",
                 title=title if title is not None else f"D(x) and samples · iteration {frame.iteration:,}",
                 **_ranges(scene))


def field_panel(scene: PlaneScene, frame: PlaneFrame, box) -> Panel:
    """Where D's gradient would push a fake placed anywhere on the plane (−∇ₓ of G's loss)."""
    (x0, x1), _ = scene.bounds
    cell = (x1 - x0) / (FIELD_RES - 1)
    layers = [points(scene.real, REAL_COLOR, r=1.8, alpha=0.5), points(frame.fakes, FAKE_COLOR, r=1.8, alpha=0.5),
              lines(*arrow_segments(scene.field_points, frame.field, 0.9 * cell), ARROW_COLOR, width=1.1)]
    return Panel(box=box, layers=layers, title="G's gradient field: where D pushes a fake",
                 legend=[legend_item(ARROW_COLOR, "−∇ₓ G's loss", "line")], background="white", **_ranges(scene))


def manifold_panel(scene: PlaneScene, frame: PlaneFrame, box) -> Panel:
    """The z grid (z_dim 1 or 2) warped by G, over the real samples."""
    if frame.manifold is None:
        return Panel(box=box, title="Generator manifold: needs z_dim 1 or 2", background="#f4f4f6", **_ranges(scene))
    return Panel(box=box, layers=[points(scene.real, REAL_COLOR, r=1.8, alpha=0.5)] + _manifold_layers(frame),
                 title="Generator manifold: the z grid warped by G", background="white",
                 legend=[legend_item(MANIFOLD_COLORS[0], "z₁ lines", "line"),
                         legend_item(MANIFOLD_COLORS[1], "z₂ lines", "line")], **_ranges(scene))


NO_DATA_LABEL = "no data"  # D* is undefined where neither density has mass


def d_star_title(rule: OptimumRule, averaged: bool = False) -> str:
    """The D* panel's title: the formula for the loss and labels in use, or that there is none; with
    a weight average, that D* is for the G being trained (the one D faces), not the average drawn."""
    if not rule.exists:
        return f"{rule.loss}: no pointwise D*"
    return rule.formula + (" · trained G" if averaged else "")


def d_versus_optimal_panels(scene: PlaneScene, frame: PlaneFrame, boxes) -> list[Panel]:
    """D as trained beside D* for the G that D trains against, on one grid and one colour scale.
    D* is hatched where neither density has mass (any D is optimal there) and its dashed line,
    where p_data = p_g, is drawn only between cells where D* is defined."""
    rule = frame.optimum
    # one legend row on each panel, so the two squares stay the same size
    trained = Panel(box=boxes[0], layers=[image(frame.heat), contour(frame.heat, 0.5)], title="D as trained",
                    legend=[legend_item("#2166ac", "fake", "square"), legend_item("#b2182b", "real", "square"),
                            legend_item("black", "D = ½", "dash")], **_ranges(scene))
    if frame.d_star is None:  # WGAN-GP: nothing to draw at each x, and the panel says why
        (x0, x1), (y0, y1) = scene.bounds
        mid, step = (x0 + x1) / 2, (y1 - y0) / 9
        words = ["The critic's objective is linear in D(x):", "no best value at each x.",
                 "Its best is a 1-Lipschitz function", "of the whole plane (the penalty ties",
                 "neighbouring points together)."]
        layers = [text(mid, y1 - (i + 2.5) * step, w) for i, w in enumerate(words)]
        return [trained, Panel(box=boxes[1], title=d_star_title(rule), background="#f4f4f6", layers=layers,
                               **_ranges(scene))]
    layers, legend = [image(frame.d_star)], [legend_item("#9a9aa6", NO_DATA_LABEL, "hatch")]
    if rule.level is not None:
        layers.append(contour(frame.d_star, rule.level))
        legend.append(legend_item("black", f"p_data = p_g ({rule.level:g})", "dash"))
    return [trained, Panel(box=boxes[1], layers=layers, legend=legend, title=d_star_title(rule, frame.averaged),
                           **_ranges(scene))]


def d_star_caption(rule: OptimumRule, exact_density: bool, bandwidth: float, averaged: bool) -> str:
    """The words under D beside D*: what D* is for this loss and these labels, how it is estimated,
    what hatching means, and which G it is for."""
    if not rule.exists:
        return ("Under WGAN-GP there is no pointwise D*: the critic's objective E[D(x)] − E[D(G(z))] is linear "
                "in D(x), so at each x a larger output is always better; only the gradient penalty, which ties "
                "neighbouring points together, bounds it. The best critic is a 1-Lipschitz function of the whole "
                "plane (the Kantorovich potential), not a value chosen point by point. Labels do not enter.")
    blur = "the exact p_data" if exact_density else "p_data estimated from real samples"
    fakes = "the G being trained (the one D faces; the fakes drawn are the EMA's)" if averaged else "G"
    if rule.loss == "hinge":
        what = ("Under the hinge loss D's best output at each point is +1 where p_data > p_g and −1 where "
                "p_g > p_data (labels do not enter), drawn through the same σ as D: 0.73 and 0.27; where G "
                "matches the data any value in [−1, 1] is optimal")
    else:
        what = (f"D* is the best D at each point for the {rule.loss} loss with real label {rule.real_label:g} and "
                f"fake label {rule.fake_label:g}: {rule.formula}; where G matches the data, D* = "
                f"{rule.at_equilibrium.rstrip('0').rstrip('.')}")
    return (f"{what}. It uses {blur} and a kernel density estimate of 512 fakes of {fakes} for p_g, both seen "
            f"through the same Gaussian blur (h = {bandwidth:.2f}). Hatched: no data, neither density has mass "
            "there, so every D does equally well and D* is undefined.")
