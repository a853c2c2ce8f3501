"""Home: what a GAN is, in the words and formulas the rest of the app makes live."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from ui.kit.teacher_mode import is_teacher_mode

st.title("GAN Classroom")
st.markdown(
    "A **Generative Adversarial Network** is a game between two neural networks. "
    "The **generator** G is a forger: from random noise z it makes samples G(z) that should look "
    "like the real data. The **discriminator** D is the police: shown a sample x, it outputs "
    "D(x), its probability that x is real. The police learn from their mistakes; the forger learns "
    "only from the police's verdicts — **G never sees a real sample**, only D's gradient."
)

# The value function spans the page: in half a column its formula ran off the right edge at 1280
# and 1440 px. Written over two lines (aligned at "=") it also fits a narrower window.
with st.container(key="home_value_function"):
    st.subheader("The value function")
    # the lesson's one formula, large enough to read from the back of the room (about 500 px wide,
    # 560 px in teacher mode: inside the 820 px of a 1280 px projector)
    st.html(f"<style>.st-key-home_value_function .katex {{ font-size: {1.7 if is_teacher_mode() else 1.5}em; }}"
            "</style>")
    st.latex(r"\begin{aligned}\min_G \max_D V(D,G) = {}& \mathbb{E}_{x\sim p_{data}}[\log D(x)] \\"
             r" &+ \mathbb{E}_{z\sim p_z}[\log(1 - D(G(z)))]\end{aligned}")
st.markdown(
    "D maximises V: it wants $D(x) \\to 1$ on real data (the **real error** term) and "
    "$D(G(z)) \\to 0$ on fakes (the **fake error** term). G minimises V: it wants "
    "$D(G(z)) \\to 1$. Training alternates: a D update with G frozen, then a G update with "
    "D frozen. At the equilibrium $p_g = p_{data}$ and $D = \\tfrac12$ everywhere."
)

st.subheader("Discriminative vs generative")
st.markdown(
    "A **discriminative** model learns $P(y \\mid x)$: given an image, which class is it? "
    "D is one, with two classes: real or fake. "
    "A **generative** model learns $P(x)$ itself, the distribution of the data, so it can "
    "draw new samples from it. G is one: it turns noise $z \\sim p_z$ (Gaussian or "
    "Uniform(−1, 1), 100 numbers for MNIST) into $x = G(z)$."
)

st.subheader("Log loss punishes confident mistakes")
st.markdown(
    "D is trained with binary cross-entropy. For a sample whose true label is *real*, the loss is "
    "$-\\log D(x)$: a confident correct answer costs almost nothing, a confident wrong answer "
    "costs without bound. Move the slider to see the penalty for one prediction."
)
p_pred = st.slider("D's predicted probability that a real sample is real", 0.01, 0.99, 0.2, 0.01,
                   key="home_p")
p = np.linspace(0.005, 1.0, 400)
fig = go.Figure()
fig.add_scatter(x=p, y=-np.log(p), name="label real: −log p", line=dict(width=3))
fig.add_scatter(x=p, y=-np.log1p(-np.minimum(p, 0.995)), name="label fake: −log(1 − p)",
                line=dict(width=3, dash="dash"))
fig.add_scatter(x=[p_pred], y=[-np.log(p_pred)], mode="markers", marker=dict(size=14),
                name="your prediction")
fig.update_layout(height=320, margin=dict(l=10, r=10, t=10, b=10),
                  xaxis_title="predicted probability of 'real'", yaxis_title="loss (nats)")
st.plotly_chart(fig, key="home_logloss")
st.metric("Loss for this prediction of a real sample", f"{-np.log(p_pred):.3f} nats")

st.subheader("The lessons")
st.markdown(
    "Use the navigation on the left. Each lesson shows one idea of the 2014 paper happening live; "
    "the sidebar tells you which runs of this tab are training."
)
st.markdown("- **Value function & D\\*** (Theory): V(D, G) as two areas you can move, the optimal discriminator "
            "D\\* = p_data / (p_data + p_g), C(G) = −log 4 + 2·JSD checked to many digits, label smoothing, "
            "why G uses −log D(G(z)), and the Dirac-GAN saddle with simultaneous vs alternating steps.")
st.markdown("- **1D lab (Figure 1)** (Theory): the 2014 paper's Figure 1 live: p_data, p_g, D and D\\* on one "
            "axis, the noise axis below with lines z → G(z), step D / step G, and V and JSD over training.")
st.markdown("- **2D toys & mode collapse** (Toys): watch D colour the plane and push G's samples; see a "
            "plain GAN drop modes of the ring of 8, change label smoothing or batch size while it trains, "
            "cure the collapse, or draw your own target.")
st.markdown("- **Side by side** (Toys): two runs with the same seed and data that differ in one setting you "
            "choose (label smoothing 0 vs 0.1, batch 32 vs 512, the loss, k…), trained in lockstep, with "
            "both views and one chart comparing their modes, sample quality and losses.")
st.markdown("- **MNIST step by step** (MNIST): press Step D and see the real and fake digits D was trained "
            "on with its score on each; press Step G and see the same noise through G before and after, "
            "scored by D (the “misleading labels”); then play, retune live, scrub the fixed-noise frames, "
            "walk through the latent space and save or load the run.")
st.markdown("- **Mode coverage (t-SNE map)** (MNIST): real digits on a 2D map, ten islands; drop a "
            "generator's digits onto it and see which islands it reaches, which digits it never draws, "
            "the blends that land between islands, and how coverage changes over training.")
