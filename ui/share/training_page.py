"""One call that makes a training page shareable: its Run's settings are restored from the URL
on the first load of the tab, kept in the address bar as they change, and offered as a link and a
JSON preset in the "Share this setup" expander (ui.share.links does the work; this wires it to a run).

    share_setup("toy_2d", run, BASE, install=start_new_run, targets=TARGETS_2D)
    # or, to put the expander lower on the page: restore_setup(...) at the top, share_box(...) later

`install(run, config)` is the page's own way to start a fresh run with a config: it builds the
trainer (the MNIST page shares its digits) and hands it to ui.kit.run_install.install_run. Call
share_setup before the page draws its setting widgets, so a restored link reaches them on the same
run of the script.
"""

from __future__ import annotations

from typing import Callable, Sequence

import streamlit as st

from classroom.service import Run
from gan_core.config import TrainConfig
from gan_core.distributions import TARGETS_1D
from classroom.sharing import Decoded, Message
from ui.share.links import escape_markdown, restore_from_query, share_panel, show_messages, write_query


def _fit_target(decoded: Decoded, base: TrainConfig, targets: Sequence[str] | None) -> Decoded:
    """A link or file made on another page may name a target this page cannot draw (a 2D ring on
    the 1D lab): refuse that one setting by name and keep the rest. On a 1D target, Figure 1 draws
    G as a curve z -> x (gan_core.lab1d.figure1_frame), so a z_dim other than 1 is refused too."""
    config, notes = decoded.config, []
    if targets is not None and config.target not in targets:
        notes.append(Message("error", f"target '{config.target}' is not available on this page (one of "
                                      f"{', '.join(targets)}); using {base.target}"))
        try:
            config = config.replace(target=base.target)
        except ValueError:  # the rest no longer fits the base target: apply nothing
            config = base
    if config.target in TARGETS_1D and config.z_dim != 1:
        notes.append(Message("error", f"z_dim={config.z_dim} cannot be drawn on a 1D target (Figure 1 shows G "
                                      "as a curve z → x); using 1"))
        config = config.replace(z_dim=1)
    if not notes:
        return decoded
    return Decoded(config, decoded.messages + tuple(notes), decoded.extras)


def _safe_install(install: Callable[[Run, TrainConfig], None], run: Run, config: TrainConfig,
                  page_key: str) -> None:
    """Start the run; a config the trainer still refuses leaves the old run and says why."""
    try:
        install(run, config)
    except (ValueError, RuntimeError) as exc:
        st.session_state[f"_share_install_error_{page_key}"] = str(exc)


def restore_setup(page_key: str, run: Run, base: TrainConfig,
                  install: Callable[[Run, TrainConfig], None], targets: Sequence[str] | None = None) -> None:
    """Apply the URL's setup (once per new link) and show its messages. Call it before the page
    draws its setting widgets."""
    restored = restore_from_query(page_key, base)
    if restored is not None:
        restored = _fit_target(restored, base, targets)
        st.session_state[f"_share_messages_{page_key}"] = restored.messages
        if restored.config != run.trainer.config:
            _safe_install(install, run, restored.config, page_key)
        show_messages(restored.messages)
    if msg := st.session_state.pop(f"_share_install_error_{page_key}", None):
        st.error(f"Not applied: {escape_markdown(msg)}", icon=":material/block:")


def share_box(page_key: str, run: Run, base: TrainConfig, install: Callable[[Run, TrainConfig], None],
              targets: Sequence[str] | None = None, name: str = "", what_to_watch: str = "") -> None:
    """Write the run's settings into the URL and draw the Share expander (its upload installs a
    fresh run). Anywhere on the page, after restore_setup."""

    def on_import(decoded: Decoded) -> None:
        decoded = _fit_target(decoded, base, targets)
        st.session_state[f"_share_import_{page_key}"] = decoded
        _safe_install(install, run, decoded.config, page_key)

    sync_address(page_key, run, base)
    share_panel(page_key, run.trainer.config, base, on_import=on_import, name=name, what_to_watch=what_to_watch)


def sync_address(page_key: str, run: Run, base: TrainConfig) -> None:
    """Keep the address bar describing the run (its settings and, for a reload, its id); on every
    run of the page, also when the Share expander is not drawn."""
    write_query(page_key, run.trainer.config, base, run_id=run.run_id)


def share_setup(page_key: str, run: Run, base: TrainConfig,
                install: Callable[[Run, TrainConfig], None],
                targets: Sequence[str] | None = None, name: str = "", what_to_watch: str = "") -> None:
    """restore_setup and share_box in one place (the Share expander where this is called)."""
    restore_setup(page_key, run, base, install, targets)
    share_box(page_key, run, base, install, targets, name, what_to_watch)
