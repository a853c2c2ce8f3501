"""Value function & D*: V(D, G), the optimal discriminator, C(G) = −log 4 + 2·JSD, label smoothing,
the generator's three losses and the Dirac-GAN saddle. Every number is computed by gan_core.theory
(quadrature on a grid) or gan_core.dirac, and every formula shown is the one those functions use."""

import math

import numpy as np
import streamlit as st

from gan_core import dirac
from gan_core import theory as T
from ui.figures.dirac import distance_figure, field_figure
from ui.figures.theory import (c_of_g_bar, densities_figure, generator_loss_figure, smoothing_figure,
                               value_plane_figure, value_terms_figure)
from ui.kit.readout import compact_page, readout
from ui.kit.teacher_mode import is_teacher_mode
from ui.kit.table_widgets import widget
from ui.share.page_setup import share
from ui.share.widget_setup import WidgetTableSetup
from ui.value_function import controls as vc

PLANE_SLOPES = np.linspace(*vc.SLOPE_RANGE, 41)
PLANE_OFFSETS = np.linspace(*vc.OFFSET_RANGE, 41)


@st.cache_data(max_entries=64, show_spinner=False)
def logistic_landscape(p: T.Mixture1D, q: T.Mixture1D):
    """V over the (w, b) plane and the best logistic D (BFGS from the plane's best cell)."""
    x = T.quadrature_grid(p, q, n=1201, n_sigma=8)
    plane = T.value_plane(p.pdf(x), q.pdf(x), x, PLANE_SLOPES, PLANE_OFFSETS)
    i, j = np.unravel_index(np.nanargmax(plane), plane.shape)
    xf = T.quadrature_grid(p, q)
    best = T.best_logistic(p.pdf(xf), q.pdf(xf), xf, start=(PLANE_SLOPES[j], PLANE_OFFSETS[i]))
    return plane, best


# The first screen (1440x900, or 1280x720 in teacher mode) is the lesson's instrument: your D's
# sliders | p_data, p_g, D* and your D on one axis | the real error, fake error and V, with the two
# areas whose sizes they are. The densities' sliders sit in a popover beside; explanations, the
# (w, b) plane, C(G), label smoothing, the generator losses and the Dirac-GAN in tabs below.
LAYOUT = {False: {"controls": 230, "main": 600, "side": 330, "main_height": 600, "side_height": 330},
          True: {"controls": 215, "main": 540, "side": 260, "main_height": 560, "side_height": 250}}
size = LAYOUT[is_teacher_mode()]

compact_page()
st.markdown("### Value function V(D, G) and the optimal D*")
controls, main, side = st.columns([size["controls"], size["main"], size["side"]], gap="small")
with controls:
    knobs, share_slot = st.container(), st.container()
with share_slot:  # restores a link before any widget is drawn; its messages show here, on the first screen
    share(WidgetTableSetup(vc.SETTINGS), name="value function setup")
tabs = st.tabs(["① V(D, G) and D*, explained", "② Every logistic D", "③ C(G) = −log 4 + 2·JSD",
                "④ Label smoothing", "⑤ Generator losses", "⑥ The saddle: Dirac-GAN"])

with knobs:
    st.markdown("**Your D(x) = σ(w·x + b)**")
    w, b = vc.logistic_controls()
    with st.popover("p_data and p_g", icon=":material/tune:", width="stretch"):
        p = vc.mixture_controls("data", "**p_data**: the real data (black, dotted)")
        q = vc.mixture_controls("g", "**p_g**: what the generator makes (green)")
    st.button("Set p_g = p_data (equilibrium)", key="vf_equilibrium", on_click=vc.set_equilibrium, width="stretch")
    plane, (bw, bb, bv) = logistic_landscape(p, q)
    st.button("Move your D to the best logistic ★", key="vf_best", on_click=vc.set_logistic, args=(bw, bb),
              width="stretch")

x = T.quadrature_grid(p, q)  # 20001 points covering both densities' mass
pd, pg = p.pdf(x), q.pdf(x)
d_star = T.optimal_discriminator(pd, pg)
c_value = T.optimal_value(pd, pg, x)
lo, hi = T.quadrature_grid(p, q, n=3, n_sigma=4)[[0, -1]]
view = (x >= lo) & (x <= hi)
xv = x[view][:: max(1, int(view.sum() // 800))]  # about 800 points to draw
real, fake = T.value_terms_logit(w * x + b, pd, pg, x)  # from the logit: finite however sure D is
v_user = float(T.logistic_value(w, b, pd, pg, x))

# Teacher mode enlarges plot legends with CSS (ui.kit.teacher_mode); plotly must place them at that size
legend = dict(legend_font_size=17) if is_teacher_mode() else {}
with main, st.container(key="vf_main_view"):
    st.plotly_chart(densities_figure(xv, p.pdf(xv), q.pdf(xv), T.optimal_discriminator(p.pdf(xv), q.pdf(xv)),
                                     T.logistic_d(xv, w, b), height=size["main_height"]).update_layout(**legend),
                    key="vf_densities")
with side:
    readout([("real error", f"{-real:.4f}"), ("fake error", f"{-fake:.4f}"),
             ("V(D, G)", f"{v_user:.4f}"), ("V(D*, G)", f"{c_value:.4f}")])
    terms = value_terms_figure(xv, p.pdf(xv), q.pdf(xv), w * xv + b, height=size["side_height"])
    st.plotly_chart(terms.update_layout(**legend), key="vf_terms")
    st.caption("Move w, b: V = −(real + fake error) stays below V(D*, G).")

with tabs[0]:
    st.latex(r"V(D,G) = \textcolor{#1f77b4}{\underbrace{\mathbb{E}_{x\sim p_{data}}[\log D(x)]}_{-\,\text{real error}}}"
             r" + \textcolor{#d62728}{\underbrace{\mathbb{E}_{x\sim p_g}[\log(1 - D(x))]}_{-\,\text{fake error}}}"
             r"\qquad (x = G(z),\ z \sim p_z)")
    st.markdown("D **maximises** V, G **minimises** it. D's binary cross-entropy loss is the *real error* "
                "−E[log D(x)] plus the *fake error* −E[log(1 − D(G(z)))], so D minimising its loss is D "
                "maximising V. Here p_data and p_g are 1D densities you set in the *p_data and p_g* popover, "
                "and every expectation is an integral computed on a fine grid "
                "(Simpson's rule): nothing is sampled, so the numbers are exact to many digits.")
    st.markdown("Your discriminator is a logistic curve **D(x) = σ(w·x + b)**. Move it and watch the two "
                "terms of V; the optimal discriminator is")
    st.latex(r"D^*(x) = \frac{p_{data}(x)}{p_{data}(x) + p_g(x)}")
    st.markdown(f"Now: :blue[real error] −E[log D(x)] = **{-real:.4f}**, :red[fake error] −E[log(1 − D(G(z)))] = "
                f"**{-fake:.4f}**, so V(D, G) = −(real + fake error) = **{v_user:.4f}**; D* reaches "
                f"V(D*, G) = **{c_value:.4f}**, **{c_value - v_user:.4f}** more than yours.")
    st.markdown("The shaded areas on the right of the plot *are* the two terms of V, minus the two errors: "
                "**:blue[blue]** = ∫ p_data(x)·log D(x) dx, **:red[red]** = ∫ p_g(x)·log(1 − D(x)) dx. "
                "D raises V by pushing D(x) → 1 where real data lives and D(x) → 0 where fakes live; it cannot "
                "do both where the two overlap.")

with tabs[1]:
    st.markdown("Each point of this plane is one logistic discriminator σ(w·x + b); the colour is its V(D, G). "
                "V is concave in (w, b), so there is one best logistic D (★). D* is the best of **all** "
                "discriminators; it is logistic only when log(p_data/p_g) is a straight line in x (two "
                "Gaussians of equal σ). Otherwise even the best logistic D stays below V(D*, G).")
    stats = st.columns(3)
    stats[0].metric("best logistic V", f"{bv:.6f}", help=f"w = {bw:.3f}, b = {bb:.3f}")
    stats[1].metric("V(D*, G) = C(G)", f"{c_value:.6f}")
    stats[2].metric("gap C(G) − best logistic", f"{c_value - bv:.2e}")
    star_point = None
    if len(p.means) == 1 and len(q.means) == 1 and p.sigmas[0] == q.sigmas[0]:
        star_point = T.gaussian_optimal_logit(p.means[0], q.means[0], p.sigmas[0])
        st.latex(r"\sigma_{data} = \sigma_g \Rightarrow D^*(x) = \sigma(w^* x + b^*),\ "
                 rf"w^* = \tfrac{{\mu_{{data}} - \mu_g}}{{\sigma^2}} = {star_point[0]:.3f},\ "
                 rf"b^* = \tfrac{{\mu_g^2 - \mu_{{data}}^2}}{{2\sigma^2}} = {star_point[1]:.3f}")
    st.caption("*Move your D to the best logistic ★* (left of the plot) puts your sliders on the star.")
    st.plotly_chart(value_plane_figure(PLANE_SLOPES, PLANE_OFFSETS, plane, (w, b), (bw, bb), c_value, star_point),
                    key="vf_plane")

with tabs[2]:
    d_numeric, c_numeric = T.max_value_pointwise(pd, pg, x)
    jsd_value = T.jsd(pd, pg, x)
    identity = T.c_from_jsd(jsd_value)
    st.markdown("Plug D* into V and the maximum over D becomes a divergence (Theorem 1 of the 2014 paper):")
    st.latex(r"C(G) = \max_D V(D,G) = -\log 4 + 2\cdot \mathrm{JSD}(p_{data} \,\|\, p_g),\quad "
             r"\mathrm{JSD}(p\|q) = \tfrac12 \mathrm{KL}\big(p \,\|\, \tfrac{p+q}2\big) "
             r"+ \tfrac12 \mathrm{KL}\big(q \,\|\, \tfrac{p+q}2\big)")
    st.markdown("Left: max over D found **numerically** (Newton's method on D's logit at each of "
                f"{len(x):,} grid points, without the D* formula), then integrated. Right: the KL integrals.")
    cols = st.columns(4)
    cols[0].metric("max_D V(D, G)  (numerical)", f"{c_numeric:.12f}")
    cols[1].metric("−log 4 + 2·JSD", f"{identity:.12f}")
    cols[2].metric("JSD(p_data ‖ p_g)", f"{jsd_value:.6f}", help="between 0 (equal) and log 2 = 0.693147")
    cols[3].metric("difference", f"{c_numeric - identity:.1e}")
    st.success(c_of_g_bar(c_numeric, identity))
    lively = (pd + pg) > 1e-6 * float(np.max(pd + pg))
    st.markdown(f"D* on the region where either density lives ranges from **{d_numeric[lively].min():.4f}** "
                f"to **{d_numeric[lively].max():.4f}**. At the equilibrium p_g = p_data the generator has "
                f"nothing left to fix: D* = ½ everywhere and C(G) = −log 4 = **{-math.log(4):.12f}**, its "
                "smallest value. Press *Set p_g = p_data* (left of the plot) to see it.")

with tabs[3]:
    st.markdown("One-sided label smoothing trains D with real label **α** (e.g. 0.9) instead of 1 and fake "
                "label 0. D then maximises the smoothed objective, whose maximiser is")
    st.latex(r"\max_D\ \mathbb{E}_{p_{data}}[\alpha\log D + (1-\alpha)\log(1-D)] + \mathbb{E}_{p_g}[\log(1-D)]"
             r"\ \Rightarrow\ D^*_\alpha(x) = \frac{\alpha\, p_{data}(x)}{p_{data}(x) + p_g(x)}")
    alpha = widget(vc.SETTINGS, "alpha", "real label α")
    d_alpha_numeric, v_alpha = T.max_value_pointwise(pd, pg, x, real_label=alpha)
    d_alpha = T.optimal_discriminator(pd, pg, alpha)
    cols = st.columns(4)
    cols[0].metric("most confident D*_α(x)", f"{d_alpha[lively].max():.4f}",
                   help="never above α: D is never sure a sample is real")
    cols[1].metric("D*_α at equilibrium", f"{alpha / 2:.3f}", help="α·½ when p_g = p_data")
    cols[2].metric("max |numerical maximiser − formula|", f"{np.abs(d_alpha_numeric - d_alpha)[lively].max():.1e}")
    cols[3].metric("smoothed objective at D*_α", f"{v_alpha:.6f}")
    st.markdown("Without smoothing D* reaches 1 where only real data lives, and the generator gets pushed "
                "hard by an over-confident D; with α < 1 D's confidence is capped at α, which softens "
                "the gradients it sends back. Only the real label is smoothed: a fake label above 0 "
                "would reward D for calling fakes partly real.")
    st.plotly_chart(smoothing_figure(xv, p.pdf(xv), q.pdf(xv), (1.0, alpha) if alpha < 1 else (1.0,)),
                    key="vf_smoothing")

with tabs[4]:
    st.markdown("Early in training D confidently rejects the fakes: d = D(G(z)) ≈ 0 (shaded). What reaches "
                "G is the gradient through D's logit l (d = σ(l)):")
    st.latex(r"\tfrac{d}{dl}\log(1-\sigma(l)) = -d \qquad\quad \tfrac{d}{dl}\big(-\log\sigma(l)\big) = -(1-d)"
             r"\qquad\quad J_G = -J_D = \log D(x) + \log(1 - D(G(z)))")
    c1, c2 = st.columns(2)
    d_mark = widget(vc.SETTINGS, "dfake", "D(G(z))", c1)
    d_real = widget(vc.SETTINGS, "dreal", "D(x) on the real sample (zero-sum curve only)", c2)
    curves = T.generator_loss_curves(np.linspace(0.002, 0.998, 499), d_real=d_real)
    at_mark = T.generator_loss_curves(np.array([d_mark]), d_real=d_real)
    cols = st.columns(3)
    for col, c in zip(cols, at_mark):
        col.metric(f"{c.name}: dL/dl", f"{c.grad_logit[0]:.4f}", help=f"L = {c.loss[0]:.4f}, dL/dd = {c.grad_d[0]:.4f}")
    ratio = at_mark[1].grad_logit[0] / at_mark[0].grad_logit[0]
    st.markdown(f"At D(G(z)) = {d_mark:.2f} the non-saturating loss pushes G **{ratio:.1f}×** harder than "
                "the minimax loss. Both have the same fixed point (d → 1 is what G wants), but the minimax "
                "gradient vanishes exactly when G is worst. J_G = −J_D is the minimax game written as a "
                "zero-sum loss: G cannot change D(x), so its curve is the minimax curve shifted by log D(x).")
    st.plotly_chart(generator_loss_figure(np.linspace(0.002, 0.998, 499), curves, d_mark), key="vf_gloss")

with tabs[5]:
    st.markdown("The smallest GAN (Mescheder et al. 2018): data δ₀, generator δ_θ, discriminator "
                "D(x) = σ(ψx). Its equilibrium is (θ, ψ) = (0, 0). Each method turns its two objectives "
                "into an update direction v(θ, ψ); arrows show it, lines show gradient steps of size h.")
    st.latex(r"V(\theta,\psi) = \log D(0) + \log(1 - D(\theta)) = \log\sigma(0) + \log(1-\sigma(\psi\theta))")
    c1, c2, c3 = st.columns([1.2, 1, 1])
    method = widget(vc.SETTINGS, "dirac_method", "Method for the field", c1,
                    format_func=lambda k: dirac.METHODS[k].name)
    h = widget(vc.SETTINGS, "dirac_h", "step size h", c2)
    steps = widget(vc.SETTINGS, "dirac_steps", "steps", c3)
    c4, c5, c6 = st.columns(3)
    theta0 = widget(vc.SETTINGS, "dirac_theta0", "start θ₀", c4)
    psi0 = widget(vc.SETTINGS, "dirac_psi0", "start ψ₀", c5)
    with c6.popover("Method parameters"):
        gamma = widget(vc.SETTINGS, "dirac_gamma", "R1 γ")
        lam = widget(vc.SETTINGS, "dirac_lambda", "WGAN-GP λ")
        clip = widget(vc.SETTINGS, "dirac_clip", "WGAN clip c")
        eta = widget(vc.SETTINGS, "dirac_eta", "consensus η")
    params = dirac.DiracParams(gamma=gamma, gp_weight=lam, clip=clip, consensus=eta)
    info = dirac.METHODS[method]
    st.latex(info.latex)
    st.latex(r"\text{simultaneous: } (\theta,\psi) \leftarrow (\theta,\psi) + h\,v(\theta,\psi)\qquad"
             r"\text{alternating: } \psi \leftarrow \psi + h\,v_\psi(\theta,\psi),\ \ "
             r"\theta \leftarrow \theta + h\,v_\theta(\theta,\psi)")
    sim = dirac.trajectory(method, (theta0, psi0), h, steps, False, params)
    alt = dirac.trajectory(method, (theta0, psi0), h, steps, True, params)
    d_sim, d_alt = dirac.distance_to_equilibrium(sim), dirac.distance_to_equilibrium(alt)
    cols = st.columns(3)
    cols[0].metric("start distance", f"{d_sim[0]:.4f}")

    def last(dist):
        return dist[np.isfinite(dist)][-1]

    cols[1].metric(f"simultaneous, after {steps} steps", f"{last(d_sim):.3e}")
    cols[2].metric(f"alternating, after {steps} steps", f"{last(d_alt):.3e}")
    if not (np.isfinite(sim).all() and np.isfinite(alt).all()):
        st.warning("A trajectory left every sensible range (|θ| or |ψ| > 10⁶) and was cut short there.")
    st.caption(dirac.caption(method, sim, alt))  # measured on the two paths drawn, for these settings
    lim = float(max(2.0, min(6.0, 1.1 * np.nanmax(np.abs(np.vstack([sim, alt]))))))
    left, right = st.columns([1.1, 1])
    left.plotly_chart(field_figure(dirac.field_grid(method, lim, 15, params),
                                   {"simultaneous": sim, "alternating": alt}, lim), key="vf_dirac_field")
    compare = widget(vc.SETTINGS, "dirac_compare", "Compare methods (distance to equilibrium)", right,
                     format_func=lambda k: dirac.METHODS[k].short)
    curves = {}
    for k in compare:
        for alternating, word in ((False, "simultaneous"), (True, "alternating")):
            path = dirac.trajectory(k, (theta0, psi0), h, steps, alternating, params)
            curves[f"{dirac.METHODS[k].short} {word}"] = dirac.distance_to_equilibrium(path)
    right.plotly_chart(distance_figure(curves), key="vf_dirac_distance")
    right.caption("Solid: simultaneous steps; dashed: alternating steps (D first, as in Algorithm 1).")
