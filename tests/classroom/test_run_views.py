"""Views computed where a run trains (classroom.run_views): what a worker computes is what the same
networks give here, one computation serves every reader of a run, a view is sent again only when
the run changed, looking never changes the run, and a lost run's views come from its last frame."""

import contextlib

import numpy as np
import pytest
import torch

from classroom.lab_views import LabViews, thinned_history
from classroom.live import LiveRun
from classroom.replica import blueprint, build
from classroom.run_handle import RunHandle
from classroom.run_views import SUMMARY_FAKES, VIEW_KINDS, RunViews
from classroom.workers import WorkerPool
from gan_core.config import TrainConfig
from gan_core.lab1d import figure1_frame
from gan_core.toy_fields import GRID_RES, plane_grid
from gan_core.trainer import Trainer
from train_support import same, weights

TINY = TrainConfig(target="ring8", g_width=16, d_width=16, g_depth=1, d_depth=1, batch_size=32, seed=4)


@pytest.fixture(scope="module")
def pool():
    pool = WorkerPool(size=1)
    yield pool
    pool.shutdown()


def test_a_workers_plane_view_is_what_the_same_networks_give_here(pool):
    trainer = Trainer(TINY)
    trainer.step()
    twin = build(blueprint(trainer))  # the same weights in this process
    run = RunHandle(trainer, pool.open, idle_timeout=30)
    try:
        run.run_steps("both", 12)
        for _ in range(12):
            twin.step()
        data = run.view("toy_2d")
        assert (data.iteration, data.updates) == (twin.iteration, twin.updates) == (13, 26)
        _, _, grid = plane_grid(twin.target.bounds, GRID_RES)
        d_here = twin.d_probability(torch.as_tensor(grid, dtype=torch.float32)).numpy().reshape(GRID_RES, GRID_RES)
        assert data.frame.heat == pytest.approx(d_here, abs=1e-6)
        assert data.frame.fakes == pytest.approx(twin.fixed_samples(512).numpy(), abs=1e-6)
        assert data.history["update"][-1] == 26 and data.config == twin.config
        assert data.backdrop.bounds == ((-3.0, 3.0), (-3.0, 3.0)) and data.backdrop.real.shape == (600, 2)
        # unchanged run: the worker answers "you have it" (no data), the handle gives its copy
        stamp, again = run._request("view", "toy_2d", 0, run._views[("toy_2d", 0)][0])
        assert again is None and run.view("toy_2d") is data
        run.run_steps("d", 1)
        assert run.view("toy_2d").updates == 27
    finally:
        run.close()


def test_looking_never_changes_the_run(pool):
    """A run whose views were asked after every step ends with the weights of one nobody looked at."""
    looked, unseen = Trainer(TINY), Trainer(TINY)
    run = RunHandle(looked, pool.open, idle_timeout=30)
    try:
        for _ in range(6):
            run.run_steps("both", 1)
            run.view("toy_2d")
            run.view("summary")
        for _ in range(6):
            unseen.step()
        run.sync()
        assert same(weights(run.trainer), weights(unseen))
    finally:
        run.close()


class CountingView:
    computed = 0

    def compute(self, source):
        CountingView.computed += 1
        with source.locked() as trainer:
            return trainer.iteration


def test_one_computation_per_change_whoever_asks(monkeypatch):
    monkeypatch.setitem(VIEW_KINDS, "count", CountingView)
    views, trainer = RunViews(), Trainer(TINY)
    hold = contextlib.nullcontext
    CountingView.computed = 0
    assert [views.read("count", 0, trainer, hold, (0, 0)) for _ in range(5)] == [0] * 5
    assert CountingView.computed == 1
    trainer.step()
    assert views.read("count", 0, trainer, hold, (1, 0)) == 1 and CountingView.computed == 2
    with pytest.raises(ValueError, match="unknown view"):
        views.read("nothing", 0, trainer, hold, (1, 0))
    with pytest.raises(ValueError, match="no part 1"):
        views.read("count", 1, trainer, hold, (1, 0))


class WatchedHold:
    """A run's hold that counts the networks' forwards made while it is held."""

    def __init__(self, trainer):
        self.trainer, self.held, self.forwards_held, self.forwards = trainer, False, 0, 0

    @contextlib.contextmanager
    def locked(self):
        self.held = True
        try:
            yield self.trainer
        finally:
            self.held = False

    def watch(self, net: torch.nn.Module) -> None:
        def count(*_):
            self.forwards += 1
            self.forwards_held += self.held
        net.register_forward_pre_hook(count)


@pytest.mark.parametrize("kind, config", [("toy_2d", TINY), ("summary", TINY),
                                          ("toy_1d", TINY.replace(target="gaussian_1d", z_dim=1))])
def test_views_run_no_network_while_they_hold_the_run(kind, config):
    """The run is held only to copy weights and history (gan_core.twin): every forward of a view,
    on the copies, happens after it lets the run go, while the next steps train."""
    trainer = Trainer(config)
    for _ in range(30):
        trainer.step()
    hold = WatchedHold(trainer)
    view = VIEW_KINDS[kind]()
    view.compute(hold)  # builds the view's copies of the networks
    for net in view.twin.copy_of(trainer).__dict__.values():
        if isinstance(net, torch.nn.Module):
            hold.watch(net)
    hold.watch(trainer.generator)
    hold.watch(trainer.discriminator)
    trainer.step()
    view.compute(hold)
    assert hold.forwards >= 2 and hold.forwards_held == 0


def _modes_by_hand(samples: np.ndarray, centers: np.ndarray, sigma: float) -> tuple[int, float]:
    """VEEGAN / PacGAN: a sample is high quality within 3 sigma of its nearest centre; a mode is
    captured when it is the nearest centre of at least one high-quality sample."""
    dist = np.sqrt(((samples[:, None, :] - centers[None, :, :]) ** 2).sum(-1))
    nearest, closest = dist.argmin(1), dist.min(1)
    hq = closest <= 3 * sigma
    return len(set(nearest[hq].tolist())), 100.0 * hq.mean()


def test_summary_counts_modes_as_the_protocol_says():
    trainer = Trainer(TINY)
    for _ in range(40):
        trainer.step()
    run = LiveRun(trainer)
    state = trainer.view_rng.get_state()
    summary = run.view("summary")
    # the same 2,500 draws of the view stream, scored by hand
    replay = torch.Generator()
    replay.set_state(state)
    samples = trainer.sample(2500, generator=replay).numpy()
    modes, hq = _modes_by_hand(samples, trainer.target.centers, trainer.target.sigma)
    assert (summary["modes_captured"], summary["n_modes"]) == (modes, 8)
    assert summary["hq_percent"] == pytest.approx(hq, abs=1e-9)
    assert summary["fakes"].shape == (SUMMARY_FAKES, 2)
    assert summary["fakes"] == pytest.approx(trainer.fixed_samples(SUMMARY_FAKES).numpy(), abs=1e-6)
    assert summary["iteration"] == 40 and summary["config"] == TINY


def test_thinned_history_keeps_both_kinds_and_the_newest_row():
    n = 5000
    columns = {"kind": np.array(["D", "G"] * (n // 2)), "update": np.arange(1, n + 1)}
    thin = thinned_history(columns, per_kind=100)
    kinds = thin["kind"].tolist()
    assert kinds.count("D") == 100 and kinds.count("G") == 100  # every second row would be all D
    assert thin["update"][-1] == n and thin["update"][0] == 1
    assert np.all(np.diff(thin["update"]) > 0)
    short = {"kind": np.array(["D", "G"]), "update": np.array([1, 2])}
    assert thinned_history(short, per_kind=100) is short


def test_a_lost_runs_views_come_from_its_last_frame(pool):
    run = RunHandle(Trainer(TINY), pool.open, idle_timeout=30)
    try:
        run.run_steps("both", 3)
        run._lose()
        data = run.view("toy_2d")
        assert data.iteration == 3 and data.frame.heat.shape == (GRID_RES, GRID_RES)
    finally:
        run.close()


def test_lab_views_on_a_thread_run_follow_a_new_trainer():
    run = LiveRun(Trainer(TINY))
    first = run.view("toy_2d")
    run.run_steps("both", 2)
    assert run.view("toy_2d").generation == first.generation == 1
    run.replace_trainer(Trainer(TINY))
    assert run.view("toy_2d").generation == 2 and run.view("toy_2d").iteration == 0
    assert isinstance(LabViews().generation, int)


def test_figure1_on_a_worker_is_the_paper_figure_of_the_same_networks(pool):
    config = TrainConfig(target="gaussian_1d", z_dim=1, g_width=16, d_width=16, g_depth=1, d_depth=1, batch_size=32)
    trainer = Trainer(config)
    twin = build(blueprint(trainer))
    run = RunHandle(trainer, pool.open, idle_timeout=30)
    try:
        run.run_steps("both", 5)
        for _ in range(5):
            twin.step()
        view = run.view("toy_1d")
        here = figure1_frame(twin)
        assert view["error"] is None and view["iteration"] == 5
        assert view["frame"].value == pytest.approx(here.value, abs=1e-9)
        assert view["frame"].jsd == pytest.approx(here.jsd, abs=1e-9)
        assert view["frame"].d == pytest.approx(here.d, abs=1e-9)
    finally:
        run.close()
    flat = LiveRun(Trainer(TINY))  # a 2D target: Figure 1 says why it cannot be drawn
    assert "1D target" in flat.view("toy_1d")["error"] and flat.view("toy_1d")["frame"] is None


def test_the_digit_view_is_the_classifier_reading_of_the_same_networks():
    """The MNIST page's view (classroom.digit_views): the grid is G of the first 36 fixed z as
    bytes, the numbers are the newest D outputs, and at iteration 0 the classifier's reading of 500
    samples of the metric z (seed + 3) equals the one made here by hand with the same classifier."""
    from classroom.digit_views import DigitView, digit_values
    from gan_core.classifier import get_classifier
    from gan_core.step_probe import fixed_frame, generate

    clf = get_classifier()
    config = TrainConfig(target="mnist", arch="dcgan", z_dim=100, g_width=8, d_width=8, g_output="tanh",
                         batch_size=16, seed=5)
    trainer = Trainer(config)
    run = LiveRun(trainer)
    views = RunViews()
    read = lambda: views.read("mnist", 0, trainer, run.locked, (trainer.updates,))  # noqa: E731
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(VIEW_KINDS, "mnist", lambda: DigitView(classifier=lambda: clf))
        view = read()
    assert view["grid"].dtype == np.uint8 and view["grid"].shape == (36, 28, 28)
    assert np.array_equal(view["grid"], (fixed_frame(trainer, 36) * 255).round().astype(np.uint8))
    z = trainer.noise(500, torch.Generator().manual_seed(config.seed + 3))
    iteration, values = view["metrics"]
    expected = digit_values(generate(trainer, z), clf)
    assert iteration == 0 and values == pytest.approx(expected, abs=1e-9, nan_ok=True)
    assert values["samples"] == 500.0 and sorted(values) == sorted(expected)
    run.run_steps("both", 2)
    again = views.read("mnist", 0, trainer, run.locked, (trainer.updates,))
    assert again["iteration"] == 2 and again["metrics"][0] == 0  # next reading at iteration 100
    d_fake = trainer.history.columns()["d_fake"]
    assert again["d_fake"] == pytest.approx(float(d_fake[np.isfinite(d_fake)][-1]), abs=1e-12)
    d_real = trainer.history.columns()["d_real"]  # measured by D updates only
    assert again["d_real"] == pytest.approx(float(d_real[np.isfinite(d_real)][-1]), abs=1e-12)


def test_the_coverage_view_reads_the_fakes_the_page_would_read():
    """The mode-coverage map's reading made where the run trains: the same fakes, probabilities and
    coverage as gan_core.coverage.read_generated here; the images as bytes (within half a level)."""
    from classroom.digit_views import COVERAGE_DIGITS, CoverageView
    from gan_core.classifier import get_classifier
    from gan_core.coverage import read_generated

    clf = get_classifier()
    trainer = Trainer(TrainConfig(target="mnist", arch="dcgan", z_dim=100, g_width=8, d_width=8, g_output="tanh",
                                  batch_size=16, seed=6))
    trainer.step()
    run = LiveRun(trainer)
    reading = CoverageView(classifier=lambda: clf).compute(run)
    view, here = reading.read, read_generated(trainer, clf, COVERAGE_DIGITS)
    assert reading.positions is None and reading.map_key is None  # no map asked for: the page places them
    assert view.images.dtype == np.uint8 and view.images.shape == (COVERAGE_DIGITS, 28, 28)
    assert view.images / 255.0 == pytest.approx(here.images, abs=0.5 / 255 + 1e-6)
    assert view.probs == pytest.approx(here.probs, abs=1e-9) and view.iteration == 1
    assert np.array_equal(view.is_digit, here.is_digit)
    assert np.array_equal(view.coverage.counts, here.coverage.counts)
    assert view.coverage.sentence == here.coverage.sentence
    assert CoverageView(classifier=lambda: None).compute(run) is None  # no classifier on this host yet


def test_the_coverage_view_places_the_fakes_on_the_cached_map_the_page_shows(tmp_path, monkeypatch):
    """With the page's map key the host reads the map from the disk cache (the file the page built)
    and places the fakes as the page would (gan_core.embedding.DigitMap.place, QUICK_PLACE); a key
    whose file is missing leaves the placing to the page."""
    from classroom import digit_views
    from classroom.digit_views import CoverageView, coverage_view
    from gan_core import embedding
    from gan_core.classifier import get_classifier
    from gan_core.coverage import read_generated
    from gan_core.mnist import MnistData, load_embedded

    monkeypatch.setenv(embedding.CACHE_DIR_ENV, str(tmp_path))
    data = load_embedded()
    small = MnistData(data.images[:400], data.labels[:400], "400 digits")
    digit_map = embedding.load_or_build_map(small, embedding.MapParams(seed=0, early_iters=30, main_iters=30))
    assert (tmp_path / f"tsne_map_{digit_map.key}.npz").exists()
    clf = get_classifier()
    trainer = Trainer(TrainConfig(target="mnist", arch="dcgan", z_dim=100, g_width=8, d_width=8, g_output="tanh",
                                  batch_size=16, seed=6))
    run = LiveRun(trainer)
    maps = digit_views._DiskMaps()
    reading = CoverageView(digit_map.key, classifier=lambda: clf, maps=maps.get).compute(run)
    here = read_generated(trainer, clf, digit_views.COVERAGE_DIGITS)
    expected = digit_map.place(here.images, n_iter=embedding.QUICK_PLACE)
    assert reading.map_key == digit_map.key and reading.positions.shape == (digit_views.COVERAGE_DIGITS, 2)
    assert reading.read.images.shape == (0, 28, 28)  # placed on the host: no pixels travel
    assert reading.read.probs == pytest.approx(here.probs, abs=1e-9)
    np.testing.assert_allclose(reading.positions, expected, rtol=0, atol=1e-4)
    missing = CoverageView("0123456789abcdef", classifier=lambda: clf, maps=maps.get).compute(run)
    assert missing.positions is None and missing.map_key is None and missing.read.iteration == 0
    assert missing.read.images.shape == (digit_views.COVERAGE_DIGITS, 28, 28)  # the page places these
    monkeypatch.setattr(digit_views._disk_classifier, "classifier", clf)  # as if this host had read the file
    views = RunViews()  # the name a page asks by
    named = views.read(coverage_view(digit_map.key), 0, trainer, run.locked, (0,))
    np.testing.assert_allclose(named.positions, expected, rtol=0, atol=1e-4)
    with pytest.raises(ValueError, match="unknown view"):
        views.read("toy_2d@abc", 0, trainer, run.locked, (0,))


def test_the_batches_tab_is_made_on_the_worker_from_the_updates_the_run_made(pool):
    """The MNIST batches tab (classroom.step_views) made where the run trains: after a D step the
    D update's images and scores are those of the same update on a twin stepped here; after a G step
    the G view is the twin's, the D view kept with its older update number; playing adds D's verdict
    on fresh digits, a stream of its own (the twin's to 1e-6)."""
    from classroom.step_views import SHOWN, steps_view
    from gan_core.step_probe import d_step_view, d_verdict, g_step_view

    config = TrainConfig(target="mnist", arch="dcgan", z_dim=16, g_width=8, d_width=8, g_output="tanh",
                         batch_size=16, seed=5)
    trainer = Trainer(config)
    twin = build(blueprint(trainer))
    run = RunHandle(trainer, pool.open, idle_timeout=30)
    try:
        run.run_steps("d", 1)
        twin.step_d()
        paused = run.view(steps_view(False))
        expected = d_step_view(twin, SHOWN)
        assert paused["g"] is None and paused["verdict"] is None and paused["updates"] == 1
        assert paused["d"].update == expected.update == 1
        np.testing.assert_allclose(paused["d"].p_real, expected.p_real, rtol=0, atol=1e-6)
        np.testing.assert_allclose(paused["d"].fake, expected.fake, rtol=0, atol=1e-6)
        run.run_steps("g", 1)
        twin.step_g()
        after_g = run.view(steps_view(False))
        expected_g = g_step_view(twin, SHOWN)
        assert after_g["d"].update == 1 and after_g["g"].update == expected_g.update == 2
        np.testing.assert_allclose(after_g["g"].p_after, expected_g.p_after, rtol=0, atol=1e-6)
        playing = run.view(steps_view(True))
        verdict = d_verdict(twin, SHOWN)
        np.testing.assert_allclose(playing["verdict"].p_real, verdict.p_real, rtol=0, atol=1e-6)
        np.testing.assert_allclose(playing["verdict"].fake, verdict.fake, rtol=0, atol=1e-6)
        run.run_steps("both", 1)  # looking drew from no stream of the run's: the next step is the twin's
        twin.step()
        run.sync()
        assert same(weights(twin), weights(run.trainer))
    finally:
        run.close()
