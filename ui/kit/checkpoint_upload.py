"""Continue a run from a checkpoint file, on any training page that offers its own download.

    checkpoint_upload(run, PREFIX, install=install_trainer, targets=TARGETS_2D, what="a 2D target")

The file is read by classroom.budget.load_checkpoint_upload, as on the MNIST page: torch.load with
weights_only=True on the CPU (a file carrying code is refused before anything in it runs), settings
validated, non-finite numbers and a run on a target the page cannot draw refused by name, networks
over the server's budget refused before they are built, the file's bookkeeping (snapshots, history)
replaced by the page's own, tensors checked against the networks. A refused file changes nothing:
the page's run goes on as it was.
`install` is the page's ui.kit.run_install.install_run with its widgets bound (install_trainer).
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Callable, Sequence

import streamlit as st

from classroom.service import Run
from classroom.budget import load_checkpoint_upload
from gan_core.checkpoint import CheckpointError
from ui.kit.exports import checkpoint_button
from ui.kit.run_install import say, show_message

MAX_UPLOAD_MB = 200  # as on the MNIST page; a toy checkpoint is a few hundred kB


def _on_upload(run: Run, prefix: str, install: Callable[..., None],
               targets: Sequence[str], what: str) -> None:
    file = st.session_state.get(f"{prefix}_checkpoint_upload")
    if file is None:  # the file was removed from the box: nothing to load
        return
    try:
        trainer, notes = load_checkpoint_upload(file.getvalue(), tuple(targets), what, own=run.trainer.config)
    except (CheckpointError, ValueError) as exc:  # ValueError: settings the config refuses
        say(prefix, "error", f"Could not load “{file.name}”: {exc}. The current run is kept.")
        return
    install(run, trainer, message=("success", f"Loaded “{file.name}”: iteration {trainer.iteration:,} on "
                                              f"{trainer.config.target}; press Play or Step to continue it."
                                              + server_settings_note(notes)))


def server_settings_note(notes: list[str]) -> str:
    """What a loaded file's server settings became (classroom.budget.with_server_settings)."""
    return f" This page's own bookkeeping replaced the file's: {', '.join(notes)}." if notes else ""


def checkpoint_upload(run: Run, prefix: str, install: Callable[..., None],
                      targets: Sequence[str], what: str, with_download: bool = False,
                      expander: str | None = None) -> None:
    """The "Continue from a checkpoint" box: a .pt file saved on this page (or by the CLI) replaces
    the run, weights, optimizers, random streams and all, and the result is said once. With
    `with_download`, the page's checkpoint download (ui.kit.exports) sits above it (for a page that has
    no Downloads panel); `expander` names an expander to draw both in."""
    with st.expander(expander) if expander else nullcontext():
        _checkpoint_widgets(run, prefix, install, targets, what, with_download)


def _checkpoint_widgets(run: Run, prefix: str, install: Callable[..., None],
                        targets: Sequence[str], what: str, with_download: bool) -> None:
    if with_download:
        checkpoint_button(run, prefix)
    st.file_uploader("Continue from a checkpoint (.pt)", type=["pt"], key=f"{prefix}_checkpoint_upload",
                     on_change=_on_upload, args=(run, prefix, install, tuple(targets), what),
                     max_upload_size=MAX_UPLOAD_MB,
                     help="A checkpoint saved by this page. It is read with weights_only=True: a file "
                          "carrying code is refused before anything in it runs.")
    show_message(prefix)
