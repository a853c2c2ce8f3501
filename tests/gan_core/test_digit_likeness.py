"""Noise is not a digit (issue 12 item 11): an untrained generator's images were read as "8" with
confidence 1.00 and reported as "collapsed onto one digit". gan_core.digit_likeness sets apart
images that lie farther from every real digit than unseen real digits do; the coverage numbers and
sentences count only digit-like images, and still call a real collapse a collapse."""

import numpy as np
import pytest
import torch

from gan_core.classifier import get_classifier, split_indices
from gan_core.coverage import NOT_A_DIGIT, digit_coverage, judged_digits
from gan_core.digit_likeness import MARGIN, QUANTILE, digit_likeness
from gan_core.mnist import load_embedded
from gan_core.mnist_metrics import evaluate_digits, evaluate_generator
from classroom.presets import MNIST_PRESETS
from gan_core.step_probe import generate
from gan_core.trainer import Trainer


@pytest.fixture(scope="module")
def real():
    data = load_embedded()
    train, held = split_indices(len(data), 1000, 0)
    pixels = data.images.astype(np.float64).reshape(len(data), -1) * 2 - 1  # (5000, 784) in [-1, 1]
    return pixels, data.labels.astype(np.int64), train, held


def thumbs(pixels: np.ndarray) -> np.ndarray:
    """(N, 49) means of 4x4 pixel blocks, by reshaping (independent of torch's avg_pool2d)."""
    return pixels.reshape(len(pixels), 7, 4, 7, 4).mean(axis=(2, 4)).reshape(len(pixels), 49)


def brute_nearest(x: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Nearest-neighbour distances in float64, one image at a time (no matrix-product shortcut)."""
    return np.array([np.sqrt(((ref - row) ** 2).sum(1)).min() for row in x])


def test_threshold_and_distances_match_a_brute_force_computation(real):
    pixels, _, train, held = real
    judge = digit_likeness()
    held_nearest = brute_nearest(thumbs(pixels[held]), thumbs(pixels[train]))
    assert judge.threshold == pytest.approx(MARGIN * np.quantile(held_nearest, QUANTILE), abs=1e-9)
    assert 1.5 <= judge.threshold <= 3.0  # measured 2.23; an untrained generator lies at 5-6
    np.testing.assert_allclose(judge.nearest_distance(pixels[held[:50]]), held_nearest[:50], atol=1e-9)
    np.testing.assert_allclose(judge.nearest_distance(pixels[train[:5]]), 0.0, atol=1e-6)  # in the reference


def test_textures_gans_draw_while_learning_are_judged_by_where_the_ink_is(real):
    """A DCGAN's early grey checkerboard is no digit; an MLP's speckled digit and a blend of two
    digits (the map's "between modes") are digits."""
    pixels, _, _, held = real
    judge = digit_likeness()
    rng = np.random.default_rng(0)
    rows, cols = np.indices((28, 28))
    checker = np.where((rows + cols) % 2 == 0, -0.3, -0.8).reshape(1, 784).repeat(20, 0)  # mean -0.55
    checker += rng.normal(0, 0.05, checker.shape)
    assert not judge.is_digit(checker).any()
    speckled = pixels[held[:200]].copy()
    salt = rng.random(speckled.shape) < 0.04  # 4% of pixels lit at random, as an MLP G draws early on
    speckled[salt] = 1.0
    assert judge.is_digit(speckled).mean() >= 0.95
    blends = (pixels[held[:200]] + pixels[held[200:400]]) / 2
    assert judge.is_digit(blends).mean() >= 0.95


def test_real_digits_are_digits_and_untrained_generators_are_not(real):
    pixels, _, _, held = real
    judge = digit_likeness()
    share = judge.is_digit(pixels[held]).mean()
    assert 0.98 <= share <= 1.0  # unseen real digits: all but the oddest
    for name, preset in MNIST_PRESETS.items():  # the MLP and the DCGAN at iteration 0
        trainer = Trainer(preset.config)
        fakes = generate(trainer, trainer.noise(500, torch.Generator().manual_seed(7)))  # (500, 1, 28, 28)
        assert not judge.is_digit(fakes).any(), name


def test_an_untrained_generator_reads_as_not_digits_yet_not_as_a_collapse():
    trainer = Trainer(next(p for p in MNIST_PRESETS.values() if p.kind == "collapse").config)
    clf = get_classifier()
    fakes = generate(trainer, trainer.noise(1000, torch.Generator().manual_seed(7)))
    probs = clf.predict_proba(fakes).numpy()
    assert (probs.argmax(1) == probs.argmax(1)[0]).mean() > 0.9  # the classifier reads one digit...
    cov = digit_coverage(judged_digits(probs, fakes))  # ...but none of it looks like a digit
    assert (cov.n_samples, cov.not_digits, cov.n_covered) == (0, 1000, 0) and np.isnan(cov.kl)
    assert cov.sentence.startswith("None of the 1,000 generated images looks like a digit yet")
    assert "collapse" not in cov.sentence
    m = evaluate_generator(trainer, n=500, classifier=clf)
    assert (m.digits_covered, m.not_digits, int(m.counts.sum())) == (0, 500, 0) and np.isnan(m.kl_uniform)
    assert "collapse" not in m.sentence and "looks like a digit yet" in m.sentence


def test_a_real_collapse_onto_one_digit_is_still_called_one(real):
    pixels, labels, _, held = real
    clf = get_classifier()
    eights = held[labels[held] == 8][:100]  # real 8s: a generator that draws only 8s, and well
    images = torch.from_numpy(pixels[eights].reshape(-1, 1, 28, 28)).float()
    judged = judged_digits(clf.predict_proba(images).numpy(), images)
    assert (judged == 8).mean() >= 0.95 and (judged == NOT_A_DIGIT).mean() <= 0.02
    cov = digit_coverage(np.full(100, 8))
    assert cov.sentence == "The generator draws only 8: it has collapsed onto one digit."
    assert cov.kl == pytest.approx(np.log(10), abs=1e-12)


def test_mixed_noise_and_digits_say_how_many_are_not_digits_yet():
    most_noise = digit_coverage(np.array([NOT_A_DIGIT] * 700 + [8] * 300))
    assert (most_noise.n_samples, most_noise.not_digits) == (300, 700)
    assert most_noise.sentence == ("700 of 1,000 generated images are not digits yet, so it is too early to "
                                   "speak of collapse; the 300 that look like digits read as 8.")
    few_noise = digit_coverage(np.array([NOT_A_DIGIT] * 10 + list(range(9)) * 10))
    assert few_noise.sentence == "The generator never draws 9. (10 of 100 images are not digits yet.)"
    assert few_noise.kl == pytest.approx(np.log(10 / 9), abs=1e-12)  # 9 digits evenly: KL = log(10/9)


def test_the_progress_record_path_says_not_digits_yet_too():
    """The MNIST page's metric checks and the coverage page's live caption read a progress record's
    shares (classroom.digit_views.digit_values, where the run trains -> gan_core.coverage.digit_shares_points)."""
    import ui.mnist.metrics as mm
    from classroom.digit_views import digit_values
    from gan_core.coverage import digit_shares_points

    clf = get_classifier()
    trainer = Trainer(next(iter(MNIST_PRESETS.values())).config)
    values = digit_values(generate(trainer, trainer.noise(500, torch.Generator().manual_seed(3))), clf)
    assert (values["not_digit"], values["samples"], values["digits_covered"]) == (1.0, 500.0, 0.0)
    assert all(values[f"digit_{d}"] == 0.0 for d in range(10))
    assert mm.missing_sentence(values).startswith("None of the 500 generated images looks like a digit yet")
    [(iteration, cov)] = digit_shares_points([(0, values)], 500)
    assert (iteration, cov.n_samples, cov.not_digits) == (0, 0, 500) and "collapse" not in cov.sentence


# ---- blank pages (issue 20, 2.7) -------------------------------------------------------------------------
# An all-black image lies 1.26 from the thinnest real 1s (threshold 2.23): 100 of them read as "The
# generator draws only 1: it has collapsed onto one digit". Blank, white and noise are no digit.

def non_digit_batches() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(5)
    return {"black": -np.ones((100, 784)), "white": np.ones((100, 784)),
            "uniform noise": rng.uniform(-1, 1, (100, 784)),
            "gaussian noise": np.clip(rng.normal(0, 0.5, (100, 784)), -1, 1),
            "nearly black": np.where(rng.random((100, 784)) < 0.01, 1.0, -1.0)}  # 1 % of pixels lit


def test_the_ink_floor_is_the_least_inked_reference_digit_over_the_margin(real):
    pixels, _, train, held = real
    judge = digit_likeness()
    least = ((pixels[train] + 1) / 2).mean(1).min()  # numpy, from the pixels directly
    assert judge.min_ink == pytest.approx(least / MARGIN, abs=1e-12)
    assert 0.02 <= judge.min_ink <= 0.03  # measured: the least-inked reference digit (a 1) inks 3.0 %
    assert not judge.is_blank(pixels).any()  # no real digit, reference or held out, is blank


def test_blank_white_and_noise_batches_are_no_digits_and_blanks_are_named(real):
    pixels, labels, _, held = real
    judge = digit_likeness()
    for name, batch in non_digit_batches().items():
        assert not judge.is_digit(batch).any(), name
    batches = non_digit_batches()
    assert judge.is_blank(batches["black"]).all() and judge.is_blank(batches["nearly black"]).all()
    assert not judge.is_blank(batches["white"]).any()
    assert judge.nearest_distance(-np.ones((1, 784)))[0] < judge.threshold  # why distance alone let it through
    assert 0.98 <= judge.is_digit(pixels[held]).mean() <= 1.0  # real digits still are digits


def test_a_blank_generator_is_said_to_draw_blanks_not_a_collapse_onto_1(real):
    clf = get_classifier()
    black = torch.full((100, 1, 28, 28), -1.0)
    assert (clf.predict_proba(black).numpy().argmax(1) == 1).all()  # the classifier reads blank pages as 1
    want = ("All 100 generated images are blank (less ink than any real digit): the generator draws blanks, "
            "not digits, so no digit is covered or missing.")
    cov = digit_coverage(judged_digits(clf.predict_proba(black).numpy(), black))
    assert (cov.n_samples, cov.not_digits, cov.blanks, cov.n_covered) == (0, 100, 100, 0) and np.isnan(cov.kl)
    assert cov.sentence == want
    m = evaluate_digits(black, classifier=clf)
    assert (m.digits_covered, m.not_digits, m.blanks, int(m.counts.sum())) == (0, 100, 100, 0)
    assert m.sentence == want
    white = torch.ones((100, 1, 28, 28))
    m = evaluate_digits(white, classifier=clf)
    assert (m.not_digits, m.blanks) == (100, 0) and "collapse" not in m.sentence
    assert m.sentence.startswith("None of the 100 generated images looks like a digit yet: each lies farther")
    half = torch.cat([black[:50], white[:50]])
    assert evaluate_digits(half, classifier=clf).sentence.startswith(
        "None of the 100 generated images looks like a digit yet: 50 are blank (less ink than any real digit), "
        "the rest lie farther")


def test_real_digits_among_blanks_are_counted_and_the_blanks_said(real):
    pixels, labels, _, held = real
    clf = get_classifier()
    digits = torch.from_numpy(pixels[held[:80]].reshape(-1, 1, 28, 28)).float()
    batch = torch.cat([digits, torch.full((20, 1, 28, 28), -1.0)])
    m = evaluate_digits(batch, classifier=clf)
    assert m.blanks == 20 and 20 <= m.not_digits <= 22 and int(m.counts.sum()) == 100 - m.not_digits
    assert f"({m.not_digits} of 100 images are not digits yet, 20 of them blank.)" in m.sentence


def test_the_progress_record_path_names_blanks():
    import ui.mnist.metrics as mm
    from classroom.digit_views import digit_values
    from gan_core.coverage import digit_shares_points

    values = digit_values(torch.full((50, 1, 28, 28), -1.0), get_classifier())
    assert (values["not_digit"], values["blank"], values["digits_covered"]) == (1.0, 1.0, 0.0)
    assert mm.missing_sentence(values).startswith("All 50 generated images are blank")
    [(_, cov)] = digit_shares_points([(0, values)], 50)
    assert cov.blanks == 50 and cov.sentence.startswith("All 50 generated images are blank")
