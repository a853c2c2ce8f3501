"""Coverage numbers and wording on label sets with known answers, for digits and toy modes."""

import numpy as np
import pytest
import torch

from gan_core.coverage import (ReadDigits, digit_coverage, digit_shares_points, modes_sentence,
                               real_digit_proportions, snapshot_coverage, snapshot_samples, timeline,
                               toy_counts_coverage, toy_coverage)
from gan_core.metrics import mode_metrics
from ui.figures.coverage import (DIGIT_COLORS, FAKE_POINT, REAL_POINT, coverage_bars, coverage_timeline_figure,
                                 kl_label, map_figure, selected_rows)


def test_two_digits_missing():
    # 100 samples: digits 0-7 get 12 or 13 each, 4 and 9 never appear
    digits = np.array([0] * 13 + [1] * 13 + [2] * 13 + [3] * 13 + [5] * 12 + [6] * 12 + [7] * 12 + [8] * 12)
    cov = digit_coverage(digits)
    assert cov.n_covered == 8 and cov.n_modes == 10 and cov.n_samples == 100
    assert cov.missing == ["digit 4", "digit 9"]
    assert cov.sentence == "The generator never draws 4 or 9."
    p = np.array([13, 13, 13, 13, 0, 12, 12, 12, 12, 0]) / 100
    expected_kl = sum(pk * np.log(pk * 10) for pk in p if pk > 0)  # KL(p || U(10)) by hand
    assert cov.kl == pytest.approx(expected_kl, abs=1e-12)
    assert cov.kl == pytest.approx(0.52 * np.log(1.3) + 0.48 * np.log(1.2), abs=1e-12)  # 0.2239


def test_uniform_and_collapsed_digits():
    even = digit_coverage(np.repeat(np.arange(10), 7))
    assert even.n_covered == 10 and even.kl == pytest.approx(0.0, abs=1e-12)
    assert even.sentence == "The generator draws all ten digits."
    np.testing.assert_allclose(even.proportions, np.full(10, 0.1), atol=1e-12)
    one = digit_coverage(np.full(50, 8))
    assert one.n_covered == 1 and one.kl == pytest.approx(np.log(10), abs=1e-12)
    assert one.sentence == "The generator draws only 8: it has collapsed onto one digit."
    with pytest.raises(ValueError):
        digit_coverage(counts=[1, 2, 3])


def test_real_proportions_and_shares_points():
    np.testing.assert_allclose(real_digit_proportions([0, 0, 1, 9]), [0.5, 0.25] + [0] * 7 + [0.25], atol=1e-12)
    record = [(50, {f"digit_{d}": (0.5 if d in (1, 7) else 0.0) for d in range(10)}),
              (100, {f"digit_{d}": 0.1 for d in range(10)}),
              (150, {"kl_uniform": 0.3})]  # a point without digit shares is skipped
    points = digit_shares_points(record, n=200)
    assert [it for it, _ in points] == [50, 100]
    assert points[0][1].counts.tolist() == [0, 100, 0, 0, 0, 0, 0, 100, 0, 0]
    assert points[0][1].sentence == "The generator never draws 0, 2, 3, 4, 5, 6, 8 or 9."
    tl = timeline(list(reversed(points)))  # sorted by iteration
    np.testing.assert_array_equal(tl.iterations, [50, 100])
    np.testing.assert_array_equal(tl.n_covered, [2, 10])
    assert tl.kl[0] == pytest.approx(np.log(5), abs=1e-12) and tl.kl[1] == pytest.approx(0, abs=1e-12)
    assert tl.proportions.shape == (2, 10)


def test_toy_modes_share_the_wording():
    centers = np.array([[np.cos(a), np.sin(a)] for a in np.linspace(0, 2 * np.pi, 8, endpoint=False)])
    samples = np.concatenate([np.repeat(centers[[0]], 30, 0), np.repeat(centers[[2]], 10, 0),
                              np.array([[5.0, 5.0]])])  # one far-off sample is not high quality
    mm = mode_metrics(samples, centers, sigma=0.01)
    cov = toy_coverage(mm)
    assert cov.counts.tolist() == [30, 0, 10, 0, 0, 0, 0, 0]
    assert cov.n_covered == 2 and cov.names[3] == "mode 3"
    assert cov.sentence == "The generator never draws mode 1, mode 3, mode 4, mode 5, mode 6 or mode 7."
    # KL(p || uniform 8) with p = (3/4, 1/4) on two modes, as ModeMetrics computes it (EPS aside)
    assert cov.kl == pytest.approx(0.75 * np.log(6) + 0.25 * np.log(2), abs=1e-6)
    same = toy_counts_coverage(mm.mode_counts)
    assert same.kl == pytest.approx(cov.kl, abs=1e-12) and same.sentence == cov.sentence
    assert toy_counts_coverage([0, 0, 0]).kl == float("inf")
    assert modes_sentence([0, 5, 0], ("mode 0", "mode 1", "mode 2")) == \
        "The generator draws only mode 1: it has collapsed onto one mode."
    assert modes_sentence([1, 1], ("mode 0", "mode 1")) == "The generator draws all 2 modes."


def test_between_modes_and_blend_caption():
    probs = np.array([[0.9, 0.1] + [0] * 8, [0, 0, 0, 0, 0, 0.48, 0, 0.41, 0.11, 0],
                      [0.3, 0.3, 0.4] + [0] * 7])
    read = ReadDigits(0, np.zeros((3, 28, 28), np.float32), probs, digit_coverage(probs.argmax(1)),
                      np.ones(3, bool))
    np.testing.assert_array_equal(read.between_modes(0.6), [2, 1])  # least sure first
    assert read.blend_caption(1) == "5 or 7 (48% / 41%)"
    np.testing.assert_array_equal(read.digits, [0, 5, 2])


def test_snapshot_coverage_uses_each_snapshot_and_leaves_trainer_alone():
    from classroom.presets import MNIST_PRESETS
    from gan_core.trainer import Trainer

    config = next(iter(MNIST_PRESETS.values())).config.replace(snapshot_every=1, batch_size=16, snapshots_kept=5)
    trainer = Trainer(config)
    trainer.train(2)  # snapshots at iterations 0, 1, 2
    before = [p.detach().clone() for p in trainer.generator.parameters()]
    # a "classifier" that reads the mean brightness: a deterministic function of G's weights
    read = lambda x: (x.reshape(len(x), -1).mean(1) > x.mean()).long().numpy()  # noqa: E731
    points = snapshot_coverage(snapshot_samples(trainer, n=40), read)
    assert [it for it, _ in points] == [0, 1, 2]
    assert all(c.n_samples == 40 for _, c in points)
    for p, q in zip(before, trainer.generator.parameters()):
        assert torch.equal(p, q)


def test_shared_plot_builders():
    cov = digit_coverage(np.array([0, 0, 1, 3]))
    fig = coverage_bars(cov, real=np.full(10, 0.1))
    generated = next(t for t in fig.data if t.name == "generated")
    np.testing.assert_allclose(generated.y, [0.5, 0.25, 0, 0.25, 0, 0, 0, 0, 0, 0], atol=1e-12)
    missing = next(t for t in fig.data if "missing" in t.name)
    assert list(missing.x) == ["2", "4", "5", "6", "7", "8", "9"]
    tl = timeline([(0, cov), (10, digit_coverage(np.arange(10)))])
    fig = coverage_timeline_figure(tl)
    assert fig.data[0].z.shape == (10, 2)
    coords = np.array([[0.0, 0], [1, 1], [2, 2]])
    fig = map_figure(coords, np.array([0, 1, 1]), placed=np.array([[0.5, 0.5], [1.5, 1.5]]),
                     placed_digits=np.array([1, 1]), between=np.array([1]))
    names = [t.name for t in fig.data]
    assert names == ["real 0", "real 1", "fake 1", "between modes"]
    assert [list(c) for c in fig.data[3].customdata] == [[FAKE_POINT, 1]]
    assert [list(c) for c in fig.data[1].customdata] == [[REAL_POINT, 1], [REAL_POINT, 2]]

    class Event:
        class selection:
            points = [{"customdata": [REAL_POINT, 2]}, {"customdata": [FAKE_POINT, 0]}, {"x": 1}]

    assert selected_rows(Event()) == ([2], [0])
    assert selected_rows(None) == ([], [])


def test_bar_legend_colours_are_the_bars_colours_and_missing_marks_carry_no_overlapping_text():
    """Issue 12 item 14: the legend said generated = blue over an olive bar (bars coloured per
    digit, a legend shows one swatch), and a "missing" label per digit overlapped the ✗ marks."""
    collapsed = digit_coverage(np.full(50, 8))  # every fake read as 8: digit 8's colour was olive
    fig = coverage_bars(collapsed, real=np.full(10, 0.1))
    for trace in fig.data:
        if trace.type == "bar":  # one colour per trace: the legend swatch is every bar's colour
            assert isinstance(trace.marker.color, str), (trace.name, trace.marker.color)
    generated = next(t for t in fig.data if t.name == "generated")
    assert generated.marker.color not in DIGIT_COLORS  # not mistaken for one digit's island on the map
    missing = next(t for t in fig.data if t.type == "scatter")
    assert missing.mode == "markers" and missing.text is None  # no text to overlap the marks
    assert list(missing.x) == ["0", "1", "2", "3", "4", "5", "6", "7", "9"]
    assert missing.marker.symbol == "x" and missing.name == "missing (never drawn)" and missing.showlegend is not False
    # each ✗ in its digit's empty generated slot, above the axis (its tick labels stay readable)
    assert missing.offsetgroup == generated.offsetgroup and fig.layout.scattermode == "group"
    top = fig.layout.yaxis.range[1] / 1.15  # the tallest bar: 100% of fakes on 8
    assert top == pytest.approx(1.0, abs=1e-12) and np.allclose(missing.y, 0.04, rtol=0, atol=1e-12)


def test_the_kl_curve_is_named_as_the_kl_metric():
    digits = timeline([(0, digit_coverage(np.full(20, 8))), (50, digit_coverage(np.arange(10)))])
    fig = coverage_timeline_figure(digits)
    kl = next(t for t in fig.data if (t.name or "").startswith("KL"))
    assert kl.name == "KL(p_gen ‖ uniform)" == kl_label(np.full(10, 0.1))
    np.testing.assert_allclose(kl.y, [np.log(10), 0.0], atol=1e-12)  # all on one digit: log 10; even: 0
    weights = np.array([1.0, 1.0, 2.0])
    toy = timeline([(0, toy_counts_coverage([5, 5, 10], weights)), (10, toy_counts_coverage([10, 0, 10], weights))])
    kl_trace = next(t for t in coverage_timeline_figure(toy).data if (t.name or "").startswith("KL"))
    assert kl_trace.name == "KL(p_gen ‖ target)"
    np.testing.assert_allclose(toy.target, weights / 4, atol=1e-12)


def test_no_mode_is_marked_missing_while_nothing_looks_like_a_digit():
    from gan_core.coverage import NOT_A_DIGIT

    noise = digit_coverage(np.full(100, NOT_A_DIGIT))  # the sentence says "no digit is ... missing yet"
    fig = coverage_bars(noise, real=np.full(10, 0.1))
    assert [t.type for t in fig.data] == ["bar", "bar"] and "missing yet" in noise.sentence
