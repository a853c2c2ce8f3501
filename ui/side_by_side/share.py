"""The side-by-side page's shareable setup (ui.share.page_setup): the URL carries target, seed, the
shared settings (as on every training page, ui.share.run_setup) plus `compare` (the differing
setting) and `a` / `b` (its two values). A value outside the page's offered choices, or one that
does not parse, is refused by name and the suggested pair stays."""

from __future__ import annotations

from typing import Sequence

from classroom.service import Run
from classroom.setting_values import Message
from classroom.sharing import Decoded, config_from_query
from gan_core.config import TrainConfig
from ui.share.run_setup import RunSetup, fit_target
from ui.side_by_side.pair import BASE, COMPARED, TARGET_CHOICES, base_for, start_pair

PAGE_KEY = "side_by_side"
EXTRAS = {"compare": tuple(COMPARED), "a": None, "b": None}


def value_text(value) -> str:
    """A compared value as a link writes it (true/false for a switch such as spectral_norm)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _parse_value(setting: str, name: str, raw: str, messages: list):
    """One of the two compared values from its link text; None (with a message) if refused."""
    decoded = config_from_query({setting: raw}, BASE, extras={})
    messages.extend(Message(m.level, f"{name}: {m.text}") for m in decoded.messages)  # clamps included
    if decoded.errors:
        return None
    value = getattr(decoded.config, setting)
    if value not in COMPARED[setting][0]:
        offered = ", ".join(value_text(v) for v in COMPARED[setting][0])
        messages.append(Message("error", f"{name}={raw[:30]} is not one of the offered values "
                                         f"of {setting} ({offered}); using the suggested one"))
        return None
    return value


def _same_comparison(run: Run, config: TrainConfig) -> None:
    """A fresh pair on `config`, comparing what the running pair compares."""
    start_pair(run, config, run.trainer.setting, run.trainer.values)


class ComparisonSetup(RunSetup):
    """The pair of runs: its config is run A's (a link's settings then rebuild run A exactly), written
    against the page's starting config for its target; a preset file sets the shared settings and
    the comparison stays as chosen on the page."""

    def __init__(self, run: Run) -> None:
        super().__init__(PAGE_KEY, run, BASE, install=_same_comparison, targets=TARGET_CHOICES)

    def link_base(self) -> TrainConfig:
        return base_for(self.config.target)

    def link_extras(self) -> dict[str, str]:
        pair = self.run.trainer
        return {"compare": pair.setting, "a": value_text(pair.values[0]), "b": value_text(pair.values[1])}

    def preset_json(self, name: str, what_to_watch: str) -> str:
        extras = self.link_extras()
        return super().preset_json(name or f"{extras['compare']} {extras['a']} vs {extras['b']}", what_to_watch)

    def apply_link(self, params: dict[str, list[str]]) -> Sequence[Message]:
        asked = (params.get("target") or [None])[-1]  # a 1D link decodes onto the 1D lab's networks
        base = base_for(asked) if asked in TARGET_CHOICES else BASE
        # any target name decodes (mnist, custom); this page draws only TARGET_CHOICES: refuse the rest by name
        restored = fit_target(config_from_query(params, base, extras=EXTRAS), base, TARGET_CHOICES)
        messages = list(restored.messages)
        setting = restored.extras.get("compare", self.run.trainer.setting)
        values = list(COMPARED[setting][1])
        for i, name in enumerate(("a", "b")):
            if (raw := restored.extras.get(name)) is not None:
                if (value := _parse_value(setting, name, raw, messages)) is not None:
                    values[i] = value
        try:
            start_pair(self.run, restored.config, setting, tuple(values))
        except ValueError as exc:  # a combination the config refuses: the running pair stays
            messages.append(Message("error", f"the comparison could not start: {exc}"))
        return messages

    def apply_preset(self, decoded: Decoded) -> Decoded:
        decoded = fit_target(decoded, self.config, TARGET_CHOICES)
        try:
            self.install(self.run, decoded.config)
        except ValueError as exc:  # said with the file's other refusals
            decoded = Decoded(decoded.config, decoded.messages + (
                Message("error", f"the comparison could not start: {exc}"),), decoded.extras)
        return decoded
