"""ui.toy_1d.live.estimates_panel names each curve for what it is (issue 12 item 7): with real
label α < 1 the −log 4 + 2·JSD curve is C(G), not V at the drawn α-scaled D*, which has its own curve."""


import pytest

from gan_core.lab1d import EstimateTrace, estimate_labels, figure1_frame, lab_config
from gan_core.trainer import Trainer


@pytest.mark.parametrize("alpha, loss", [(1.0, "nonsaturating"), (0.9, "nonsaturating"), (0.9, "hinge")])
def test_live_estimates_panel_names_each_curve_for_what_it_draws(alpha, loss):
    from ui.toy_1d.live import estimates_panel

    t = Trainer(lab_config(real_label=alpha, loss=loss))
    trace = EstimateTrace()
    frames = []
    for _ in range(2):
        t.train(5)
        frames.append(figure1_frame(t))
        trace.add(frames[-1])
    rule = frames[-1].optimum
    panel = estimates_panel((0, 0, 300, 200), trace, rule)
    labels = [item["label"] for item in panel.legend]
    names = estimate_labels(rule)
    paper = alpha == 1 and loss == "nonsaturating"
    assert names["c_of_g"] in labels and ("V(D*, G)" in names["c_of_g"]) == paper
    # the hinge D* is ±1, not a BCE optimum: no V(D*, G) curve for it, whatever the (unused) label
    assert (names["value_d_star"] in labels) == (alpha != 1 and loss == "nonsaturating")
    if names["value_d_star"] in labels:  # the drawn D*'s own value is below C(G), by the frames' independent numbers
        assert all(f.value_d_star < f.c_of_g for f in frames)
