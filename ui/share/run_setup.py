"""The shareable setup of a training page (2D lab, 1D lab, MNIST): its Run's TrainConfig, written in
links and preset files as what differs from the page's default config. A link or a preset file
starts a fresh run with its settings (ui.share.page_setup does the rest):

    setup = RunSetup("toy_2d", run, BASE, install=start_new_run, targets=TARGETS_2D)

`install(run, config)` is the page's own way to start a fresh run with a config: it builds the
trainer (the MNIST page shares its digits) and hands it to ui.kit.run_install.install_run.
"""

from __future__ import annotations

from typing import Callable, Sequence

from classroom.service import Run
from classroom.setting_values import Message
from classroom.sharing import Decoded, config_from_query, config_to_query, preset_from_json, preset_to_json
from gan_core.config import TrainConfig
from gan_core.distributions import TARGETS_1D
from ui.share.page_setup import PageSetup


def fit_target(decoded: Decoded, base: TrainConfig, targets: Sequence[str] | None) -> Decoded:
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


class RunSetup(PageSetup):
    """A training page's Run: links and files carry its config as what differs from `base`;
    `targets`: the targets the page can draw (None: any)."""

    link_note = "Send this link: it opens this page with these settings (target, seed, every setting you changed)."
    loaded_note = "a fresh run with its settings"

    def __init__(self, page_key: str, run: Run, base: TrainConfig, install: Callable[[Run, TrainConfig], None],
                 targets: Sequence[str] | None = None) -> None:
        self.page_key, self.run, self.base, self.install, self.targets = page_key, run, base, install, targets

    @property
    def run_id(self) -> str | None:
        return self.run.run_id

    @property
    def config(self) -> TrainConfig:
        """The config links and files carry."""
        return self.run.trainer.config

    def link_base(self) -> TrainConfig:
        """The config links are written and read against (they carry what differs from it)."""
        return self.base

    def link_extras(self) -> dict[str, str] | None:
        """Page-level link parameters beside the config's (none on a training page)."""
        return None

    def safe_install(self, config: TrainConfig) -> None:
        """Start the run; a config the trainer still refuses leaves the old run and says why."""
        try:
            self.install(self.run, config)
        except (ValueError, RuntimeError) as exc:
            self.not_applied(str(exc))

    def apply_link(self, params: dict[str, list[str]]) -> Sequence[Message]:
        restored = fit_target(config_from_query(params, self.base), self.base, self.targets)
        if restored.config != self.run.trainer.config:
            self.safe_install(restored.config)
        return restored.messages

    def link_params(self) -> dict[str, str]:
        return config_to_query(self.config, self.link_base(), self.link_extras())

    def preset_json(self, name: str, what_to_watch: str) -> str:
        return preset_to_json(self.config, self.page_key, name, what_to_watch)

    def read_preset(self, data: bytes) -> Decoded:
        return preset_from_json(data, self.link_base(), page=self.page_key)

    def preset_applies(self, decoded: Decoded) -> bool:
        return decoded.config != self.link_base() or not decoded.errors

    def apply_preset(self, decoded: Decoded) -> Decoded:
        decoded = fit_target(decoded, self.base, self.targets)
        self.safe_install(decoded.config)
        return decoded
