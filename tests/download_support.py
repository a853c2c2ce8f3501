"""Read what an st.download_button would send, in AppTest.

AppTest renders the button with a media URL (/mock/media/<id>.<ext>) and keeps the bytes in the
process's in-memory media storage; this finds that storage and returns the file's bytes."""

from __future__ import annotations

import gc
import os


def download_bytes(button) -> bytes:
    from streamlit.runtime.media_file_manager import MediaFileManager

    file_id = os.path.splitext(os.path.basename(button.proto.url))[0]
    for manager in (o for o in gc.get_objects() if type(o) is MediaFileManager):  # type(): no property lookups
        try:
            return manager._storage.get_file(file_id).content
        except Exception:  # noqa: BLE001 - another manager (an earlier AppTest) does not hold it
            continue
    raise AssertionError(f"no media storage holds {button.proto.url}")


def download_button(at, label_start: str):
    for button in at.get("download_button"):
        if button.label.startswith(label_start):
            return button
    raise AssertionError(f"no download button starting {label_start!r}: {[b.label for b in at.get('download_button')]}")
