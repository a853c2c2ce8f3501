"""How a preset's kind (classroom.presets.Preset.kind) reads in a preset picker: one badge per kind,
so a teacher tells a collapse, its one-setting cure and a best-quality run apart at a glance."""

from __future__ import annotations

# kind -> (icon, words); "neutral" has none
KIND_BADGES = {
    "collapse": (":material/trending_down:", "collapses"),
    "cure": (":material/healing:", "cure"),
    "quality": (":material/star:", "best quality"),
}


def badge(kind: str) -> str:
    """The Markdown badge of a kind (icon and words), or "" for a neutral preset."""
    icon, words = KIND_BADGES.get(kind, ("", ""))
    return f"{icon} {words}" if words else ""


def option_label(name: str, kind: str) -> str:
    """A preset's line in a selectbox (which shows no icons): its name, then its kind in words
    unless the name already says it."""
    words = KIND_BADGES.get(kind, ("", ""))[1]
    return f"{name} ({words})" if words and words.lower() not in name.lower() else name
