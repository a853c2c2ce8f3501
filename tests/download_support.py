"""Read what an st.download_button would send, in AppTest.

AppTest runs page scripts in this process, so a test can wrap st.download_button and keep each
button's `data` (bytes, text, or the callable Streamlit would call on click) by label. Looking the
bytes up in Streamlit's media manager instead passed alone but failed in the full suite (the
deferred entry was no longer there), so the tests read the data at its source. tests/conftest.py
registers this module as a plugin, so the `downloads` fixture needs no import."""

from __future__ import annotations

import pytest
import streamlit as st


@pytest.fixture
def downloads(monkeypatch) -> dict:
    """label -> data of every download button drawn while the test runs (latest run wins)."""
    seen: dict = {}
    original = st.download_button

    def recording(label, data, *args, **kwargs):
        seen[label] = data
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
    return seen


def download_bytes(downloads: dict, label_start: str) -> bytes:
    """The bytes a click on the button whose label starts with `label_start` would download."""
    matches = [label for label in downloads if label.startswith(label_start)]
    assert matches, f"no download button starting {label_start!r}: {list(downloads)}"
    data = downloads[matches[-1]]
    data = data() if callable(data) else data
    return data.encode() if isinstance(data, str) else data
