"""Share the side-by-side page's setup: the URL carries target, seed, the shared settings (as on
every page, via ui.share.links) plus `compare` (the differing setting) and `a` / `b` (its two values).
A value outside the page's offered choices, or one that does not parse, is refused by name and
the suggested pair stays."""

from __future__ import annotations

import streamlit as st

from classroom.service import Run
from classroom.sharing import Message, config_from_query
from ui.share.links import restore_from_query, share_panel, show_messages, write_query
from ui.share.training_page import _fit_target  # the training pages' one refusal of a target they cannot draw
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


def restore_comparison(run: Run) -> None:
    """Apply the URL's comparison (once per new link) and show what was refused or adjusted.
    Call before the page draws its widgets."""
    asked = st.query_params.get("target")  # a 1D link decodes onto the 1D lab's networks
    base = base_for(asked) if asked in TARGET_CHOICES else BASE
    restored = restore_from_query(PAGE_KEY, base, extras=EXTRAS)
    if restored is None:
        return
    # any target name decodes (mnist, custom); this page draws only TARGET_CHOICES: refuse the rest by name
    restored = _fit_target(restored, base, TARGET_CHOICES)
    messages = list(restored.messages)
    setting = restored.extras.get("compare", run.trainer.setting)
    values = list(COMPARED[setting][1])
    for i, name in enumerate(("a", "b")):
        if (raw := restored.extras.get(name)) is not None:
            if (value := _parse_value(setting, name, raw, messages)) is not None:
                values[i] = value
    try:
        start_pair(run, restored.config, setting, tuple(values))
    except ValueError as exc:  # a combination the config refuses: the running pair stays
        messages.append(Message("error", f"the comparison could not start: {exc}"))
    st.session_state[f"_share_messages_{PAGE_KEY}"] = tuple(messages)
    show_messages(messages)


def comparison_share_box(run: Run) -> None:
    """The address bar follows the pair; the Share expander offers the link and the JSON preset
    (a preset file sets the shared settings; the comparison stays as chosen here)."""
    pair = run.trainer
    extras = {"compare": pair.setting, "a": value_text(pair.values[0]), "b": value_text(pair.values[1])}
    base_config = pair.config  # A's config: the link's settings then rebuild run A exactly

    def on_import(decoded) -> None:
        decoded = _fit_target(decoded, pair.config, TARGET_CHOICES)
        st.session_state[f"_share_import_{PAGE_KEY}"] = decoded  # shown with the refusal, if any
        try:
            start_pair(run, decoded.config, pair.setting, pair.values)
        except ValueError as exc:
            st.session_state[f"_share_import_{PAGE_KEY}"] = type(decoded)(decoded.config, decoded.messages + (
                Message("error", f"the comparison could not start: {exc}"),), decoded.extras)

    base = base_for(pair.config.target)
    write_query(PAGE_KEY, base_config, base, extras=extras, run_id=run.run_id)
    share_panel(PAGE_KEY, base_config, base, on_import=on_import, extras=extras,
                name=f"{pair.setting} {extras['a']} vs {extras['b']}")
