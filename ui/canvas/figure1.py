"""Figure 1 of the 2014 paper on the live canvas: p_data, p_g, D and D* on the x axis with the
D = ½ line, and under it the z axis with a line from each z to G(z)."""

from __future__ import annotations

import numpy as np

from gan_core.lab1d import Figure1Frame
from gan_core.pointwise_optimum import OptimumRule
from ui.canvas.scene import Panel, hline, legend_item, lines, points, text
from ui.figures.theory import D_COLOR, DATA_COLOR, DSTAR_COLOR, G_COLOR

LINE_COLOR = "#2ca02c"


def d_star_label(f: Figure1Frame) -> str:
    """What the drawn D* is: the pointwise optimum for the loss and labels in use (gan_core.pointwise_optimum),
    for the G being trained when the drawn p_g is a weight average's."""
    if not f.optimum.exists:
        return f"D*: none under {f.optimum.loss} (no pointwise optimum)"
    return f.optimum.formula + (" (trained G)" if f.averaged else "")


def figure1_panels(f: Figure1Frame, width: float, height: float) -> list[Panel]:
    lo, hi = f.view
    pad = 0.05 * (hi - lo)
    x_range = (lo - pad, hi + pad)
    top = max(1.05, 1.15 * float(f.p_data.max()))
    p_g = np.minimum(f.p_g, top * 0.995)  # a spike taller than the window is cut, and said so below
    layers = [hline(0.5, "gray", dash=(2, 3), width=1.5),
              lines(f.x, f.p_data, DATA_COLOR, width=3, dash=(3, 4)),
              lines(f.x, p_g, G_COLOR, width=3.5),
              lines(f.x, f.d, D_COLOR, width=3, dash=(9, 5))]
    if f.d_star is not None:  # NaN (no mass: D* undefined) breaks the line
        layers.append(lines(f.x, f.d_star, DSTAR_COLOR, width=2))
    level = f.optimum.level
    if level is not None and level != 0.5:  # D* where p_data = p_g, when it is not the D = ½ line
        layers.append(hline(level, DSTAR_COLOR, dash=(2, 3), width=1))
    if f.p_g.max() > top:
        layers.append(text(float(f.x[np.argmax(f.p_g)]), top * 0.95, f" p_g peaks at {f.p_g.max():.1f} ↑",
                           color=G_COLOR, align="left"))
    upper_h = height * 0.68
    upper = Panel(box=(0, 0, width, upper_h), x=x_range, y=(0.0, top), layers=layers, ylabel="density · probability",
                  legend=[legend_item(DATA_COLOR, "p_data (exact)", "dash"),
                          legend_item(G_COLOR, "p_g (KDE of G)", "line"),
                          legend_item(D_COLOR, "D(x)", "dash"),
                          legend_item(DSTAR_COLOR if f.d_star is not None else "#bbbbbb", d_star_label(f),
                                      "line" if f.d_star is not None else "square"),
                          legend_item("gray", "D = ½", "dash")])
    # the z axis: z's range laid out under the middle 80 % of the x window
    (z_lo, z_hi), margin = f.z_span, 0.1 * (hi - lo)
    z_pos = lo + margin + (np.asarray(f.z) - z_lo) / (z_hi - z_lo) * (hi - lo - 2 * margin)
    gz = np.clip(f.gz, *x_range)  # an off-window G(z) is drawn at the edge
    nan = np.full_like(gz, np.nan)
    mapping = lines(np.column_stack([z_pos, gz, nan]).ravel(), np.tile([0.0, 1.0, np.nan], len(gz)),
                    LINE_COLOR, width=1.6, alpha=0.55)
    labels = [text(lo + margin + (z - z_lo) / (z_hi - z_lo) * (hi - lo - 2 * margin), -0.22, f"z={z:g}")
              for z in np.linspace(z_lo, z_hi, 5)]
    lower = Panel(box=(0, upper_h + 6, width, height - upper_h - 6), x=x_range, y=(-0.35, 1.1),
                  layers=[mapping, points(np.column_stack([z_pos, np.zeros_like(z_pos)]), "black", r=2.5, alpha=1),
                          points(np.column_stack([gz, np.ones_like(gz)]), G_COLOR, r=3, alpha=1)] + labels,
                  yticks=[0, 1], yticklabels=["z", "x"], xlabel="x")
    return [upper, lower]


def equilibrium_words(rule: OptimumRule) -> str:
    """What D* is once p_g = p_data, for the page's introduction."""
    if not rule.exists:
        return f"the critic has no pointwise optimum to settle on ({rule.loss})"
    if rule.loss == "hinge":
        return "any D between −1 and 1 is optimal (the hinge D* = sign(p_data − p_g) has no sign to take)"
    a, b = rule.real_label, rule.fake_label
    if (a, b) == (1.0, 0.0):
        return "D* = ½ everywhere"
    if b == 0:
        return f"D* = α/2 = {a / 2:g} everywhere (real label α = {a:g}; ½ without smoothing)"
    return f"D* = (α + β)/2 = {(a + b) / 2:g} everywhere (real label α = {a:g}, fake label β = {b:g}; ½ for 1 and 0)"
