"""Every number docs/TEACHING.md tells a teacher to point at, recomputed from the app's own code or
by hand (issue 12 item 8: the doc said V(D, G) falls "towards 0"; it tends to −log 4)."""

import math
import os
import re

import numpy as np
import pytest

from gan_core import dirac
from classroom.presets import MNIST_PRESETS, TOY_PRESETS

DOC = open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "TEACHING.md"),
           encoding="utf-8").read()
TEXT = re.sub(r"\s+", " ", DOC)  # claims wrap across lines


def number(pattern: str) -> tuple[float, ...]:
    match = re.search(pattern, TEXT)
    assert match, f"TEACHING.md no longer says {pattern!r}: update this test with the new claim"
    return tuple(float(g.replace("−", "-")) for g in match.groups())


def test_log_loss_numbers():
    assert number(r"at 0\.2 the loss shown is ([\d.]+) nats") == (round(-math.log(0.2), 3),)
    assert number(r"towards 0\.01 it shoots up \(([\d.]+) nats\)") == (round(-math.log(0.01), 1),)


def test_value_page_equilibrium_reads_minus_log_4():
    assert number(r"reads (−[\d.]+) \(= −log 4\)") == (round(-math.log(4), 12),)


def test_the_1d_lab_numbers_tend_to_minus_log_4_not_0():
    assert number(r"falling towards −log 4 ≈ (−[\d.]+) \(not 0\)") == (round(-math.log(4), 3),)
    assert number(r"V(?:\(D, G\))? of the trained D staying close to (−[\d.]+)") == (round(-math.log(4), 3),)
    assert "falling towards 0 as the green curve" not in TEXT  # the old claim about V
    # V at the α-scaled D* at p_g = p_data: log(α/2) + log(1 − α/2), by hand
    assert number(r"\((−[\d.]+) for α = 0\.9\)") == (round(math.log(0.45) + math.log(0.55), 3),)


def test_dirac_numbers_are_what_the_page_draws():
    params = dirac.DiracParams(gamma=1.0, gp_weight=1.0, clip=1.0, consensus=0.5)  # the page's defaults
    dist = {alt: dirac.distance_to_equilibrium(dirac.trajectory("gan", (1, 1), 0.1, 500, alt, params))
            for alt in (False, True)}
    assert number(r"simultaneous steps spiral outwards \(distance ([\d.]+) → ([\d.]+)\)") == \
        (round(dist[False][0], 2), round(dist[False][-1], 2))
    assert number(r"alternating ones circle at about the same distance \(([\d.]+) → ([\d.]+)\)") == \
        (round(dist[True][0], 2), round(dist[True][-1], 2))
    path = dirac.trajectory("gan", (1, 1), 0.1, 500, True, params)
    assert dirac.path_outcome(path).kind == "around" and dirac.path_outcome(path).turns >= 1  # "circle"
    assert dirac.path_outcome(dirac.trajectory("gan", (1, 1), 0.1, 500, False, params)).kind == "away"
    rest = number(r"for WGAN-GP at λ = 1 both stop at \(θ, ψ\) = \((\d+), (\d+)\)")
    for alt in (False, True):
        end = dirac.trajectory("wgan_gp", (1, 1), 0.1, 500, alt, params)[-1]
        assert tuple(np.round(end, 6)) == rest


def test_preset_names_and_what_the_doc_says_about_them():
    quoted = set(re.findall(r"\*\*([^*]+?)\*\*", TEXT))
    for name in ["Ring of 8: plain GAN", "Ring of 8: mode collapse (G outruns D)",
                 "Ring of 8: cure by a faster D (D learning rate 1e-3)", "Grid of 25: plain GAN"]:
        assert name in quoted and name in TOY_PRESETS
    for name in ["seed tutorial MLP (label smoothing 0.9)", "DCGAN (fast, all ten digits)",
                 "collapsed MLP (G outruns D)"]:
        assert name in quoted and name in MNIST_PRESETS
    collapse = TOY_PRESETS["Ring of 8: mode collapse (G outruns D)"].config
    assert "G learns fifty times faster than D" in TEXT and collapse.lr_g / collapse.lr_d == pytest.approx(50)
    seed = MNIST_PRESETS["seed tutorial MLP (label smoothing 0.9)"].config
    assert number(r"its \*real label\* is ([\d.]+), i\.e\. one-sided label smoothing ([\d.]+)") == \
        (seed.real_label, seed.label_smoothing)


def test_classroom_server_numbers():
    from classroom.live import redraw_interval
    from classroom.training_gate import DEFAULT_QUANTUM

    assert number(r"rotates them every (\d+) ms") == (DEFAULT_QUANTUM * 1000,)
    assert number(r"refresh less often \(every ([\d.]+) s with 20 runs playing") == (redraw_interval(0.3, 20),)
