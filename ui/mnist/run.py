"""The MNIST page's run and the controls that replace its trainer: presets, architecture rebuild,
checkpoint download and upload. Callbacks change the Run between two steps; their messages
wait in session_state and are shown on the next draw, so nothing is lost on a rerun."""

from __future__ import annotations

from functools import partial

import streamlit as st

from classroom.service import Run
from classroom.config_fields import setting_bounds
from classroom.budget import load_checkpoint_upload
from gan_core.checkpoint import CheckpointError
from classroom.presets import MNIST_PRESETS, Preset
from gan_core.trainer import Trainer
from ui.kit.checkpoint_upload import server_settings_note
from ui.kit.live_controls import STABILIZER_KNOBS
from ui.kit.preset_kinds import badge, option_label
from ui.kit.run_install import install_run, say
from ui.kit.session import get_run
from ui.kit.widget_state import state_index, state_value

PREFIX = "mnist"
RUN_NAME = "MNIST step by step"
MNIST_KNOBS = ("label_smoothing", "batch_size", "lr_d", "lr_g", "d_steps", "loss", "noise") + STABILIZER_KNOBS
ARCH_WORDS = {
    "seed_mlp": "MLP of the seed tutorials (G 100→256→512→1024→784, D 784→1024→512→256→1)",
    "dcgan": "DCGAN (transposed convolutions + batch norm in G, convolutions + dropout in D)",
    "mlp": "MLP with equal hidden widths (g_width / d_width)",
}
MAX_UPLOAD_MB = 200


def default_preset() -> Preset:
    """The first MNIST preset: the seed tutorials' MLP."""
    return next(iter(MNIST_PRESETS.values()))


def get_mnist_run() -> Run:
    """This tab's MNIST run, created from the default preset the first time."""
    return get_run(RUN_NAME, lambda: Trainer(default_preset().config))


def _sync_arch(trainer: Trainer) -> None:
    for field in ("arch", "seed", "spectral_norm"):
        st.session_state[f"{PREFIX}_{field}"] = getattr(trainer.config, field)


# The MNIST page's install (ui.kit.run_install): its knobs and its rebuild box show the new trainer;
# messages wait for show_message(PREFIX) at the top of the page.
install_trainer = partial(install_run, prefix=PREFIX, knob_fields=MNIST_KNOBS, sync_setup=_sync_arch)


def start_from_config(run: Run, config) -> None:
    """A shared link or preset file (ui.share.run_setup): new weights with its settings."""
    install_trainer(run, Trainer(config, target=run.trainer.target))  # the digits are shared


# ---- presets ----------------------------------------------------------------------------------

def _load_preset(run: Run) -> None:
    preset = MNIST_PRESETS[st.session_state[f"{PREFIX}_preset"]]
    install_trainer(run, Trainer(preset.config, target=run.trainer.target),  # the digits are shared
                    message=("success", f"Loaded “{preset.name}”: new weights, its settings in every control."))


def preset_picker(run: Run) -> None:
    names = list(MNIST_PRESETS)
    key = f"{PREFIX}_preset"
    if st.session_state.get(key) not in names:
        st.session_state[key] = names[0]
    st.selectbox("Preset", names, index=state_index(key, names), key=key,
                 format_func=lambda n: option_label(n, MNIST_PRESETS[n].kind))
    preset = MNIST_PRESETS[st.session_state[key]]
    kind = badge(preset.kind)
    st.caption(f"**What to watch**{' ' + kind if kind else ''}: {preset.what_to_watch}")
    st.button("Load preset (new weights)", key=f"{PREFIX}_load_preset", on_click=_load_preset,
              args=(run,), width="stretch")


# ---- architecture: a rebuild -----------------------------------------------------------------

def _rebuild(run: Run) -> None:
    arch, seed = st.session_state[f"{PREFIX}_arch"], int(st.session_state[f"{PREFIX}_seed"])
    spectral_norm = bool(st.session_state.get(f"{PREFIX}_spectral_norm", False))
    try:
        trainer = run.call(lambda t: t.rebuilt(arch=arch, seed=seed, spectral_norm=spectral_norm))
    except ValueError as exc:  # e.g. a combination the config refuses: say why, keep the run
        say(PREFIX, "error", f"Rebuild refused: {exc}")
        st.session_state[f"{PREFIX}_arch"] = run.trainer.config.arch
        return
    install_trainer(run, trainer, message=(
        "success", f"Rebuilt as {ARCH_WORDS.get(arch, arch)}{', spectral norm in D' if spectral_norm else ''} "
                   f"with seed {seed}: new weights, live settings kept."))


def architecture_rebuild(run: Run) -> None:
    """Architecture and seed need new networks: chosen here, applied by the button."""
    config = run.trainer.config
    st.session_state.setdefault(f"{PREFIX}_arch", config.arch)
    st.session_state.setdefault(f"{PREFIX}_seed", config.seed)
    st.session_state.setdefault(f"{PREFIX}_spectral_norm", config.spectral_norm)
    # each widget's default is its state, which a late-mounted widget shows (ui.kit.widget_state)
    st.selectbox("Architecture", list(ARCH_WORDS), index=state_index(f"{PREFIX}_arch", list(ARCH_WORDS)),
                 key=f"{PREFIX}_arch", format_func=lambda a: ARCH_WORDS[a].split(" (")[0])
    st.caption(ARCH_WORDS[st.session_state[f"{PREFIX}_arch"]])
    st.number_input("Seed", *setting_bounds("seed"), value=state_value(f"{PREFIX}_seed"), step=1, key=f"{PREFIX}_seed",
                    help="Same settings + same seed = the same run, update for update.")
    st.checkbox("Spectral normalisation of D", value=state_value(f"{PREFIX}_spectral_norm"),
                key=f"{PREFIX}_spectral_norm",
                help="Each of D's weight layers is divided by its largest singular value: a brake on how "
                     "steep D can get, so its gradient stays useful to G (a stabiliser; needs new weights). "
                     "Not a bound for the DCGAN: its convolutions stretch images up to 1.6x and its "
                     "BatchNorm rescales channels, so that D is not 1-Lipschitz.")
    st.button("Rebuild (new weights)", key=f"{PREFIX}_rebuild", on_click=_rebuild, args=(run,),
              width="stretch", help="Training so far is dropped; live settings are kept.")


# ---- checkpoint files -------------------------------------------------------------------------

def checkpoint_payload(run: Run) -> bytes:
    """The whole run as a torch file, made between two steps (when the button is clicked)."""
    return run.checkpoint()


def load_uploaded(run: Run, data: bytes, name: str = "the file") -> None:
    """Continue from an uploaded checkpoint; a bad file leaves the current run as it was."""
    try:  # weights_only=True: no pickled code runs; weighed against the budget before anything is built
        trainer, notes = load_checkpoint_upload(data, ("mnist",), "MNIST", own=run.trainer.config)
    except (CheckpointError, ValueError) as exc:
        say(PREFIX, "error", f"Could not load {name}: {exc}. The current run is kept.")
        return
    install_trainer(run, trainer, message=("success", f"Loaded {name}: iteration {trainer.iteration:,}, "
                                                      f"{trainer.config.arch}; press Play or Step to continue it."
                                                      + server_settings_note(notes)))


def _on_upload(run: Run) -> None:
    file = st.session_state.get(f"{PREFIX}_upload")
    if file is not None:
        load_uploaded(run, file.getvalue(), f"“{file.name}”")


def checkpoint_box(run: Run) -> None:
    trainer = run.trainer
    st.download_button(
        ":material/download: Download checkpoint", data=lambda: checkpoint_payload(run),
        file_name=f"mnist_{trainer.config.arch}_iter{trainer.iteration}.pt",
        mime="application/octet-stream", key=f"{PREFIX}_download", on_click="ignore",
        width="stretch", help="Weights, optimizers, random streams and settings: the run "
                              "continues exactly where it was.")
    st.file_uploader("Continue from a checkpoint", type=["pt"], key=f"{PREFIX}_upload",
                     on_change=_on_upload, args=(run,), max_upload_size=MAX_UPLOAD_MB,
                     help="A file saved by this app. It is read with weights_only=True: a file "
                          "carrying code is refused before anything runs.")


# ---- data -------------------------------------------------------------------------------------

def data_note(run: Run, caption: bool = True) -> None:
    """Which digits the run learns from, and how many; a fallback's warning (caption=False: the
    warning only, for the first screen)."""
    data = getattr(run.trainer.target, "data", None)
    if data is None:
        return
    if caption:
        st.caption(f"Real data: {data.source} — {len(data):,} images.")
    if getattr(data, "warning", ""):
        st.warning(data.warning)
