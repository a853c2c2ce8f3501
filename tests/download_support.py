"""Read what an st.download_button would send, in AppTest.

AppTest renders the button with a media URL (/mock/media/<id>.<ext>) and keeps the bytes in the
process's in-memory media storage, or, for deferred data (a callable), keeps the callable in the
media manager; this finds either and returns the file's bytes."""

from __future__ import annotations

import gc
import os


def download_bytes(button) -> bytes:
    """The bytes a click would download: stored data, or the deferred callable's result."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    managers = [o for o in gc.get_objects() if type(o) is MediaFileManager]  # type(): no property lookups
    if button.proto.deferred_file_id:
        for manager in managers:
            entry = manager._deferred_callables.get(button.proto.deferred_file_id)
            if entry is not None:
                data = entry["callable"]()
                return data.encode() if isinstance(data, str) else data
        raise AssertionError(f"no media manager holds deferred file {button.proto.deferred_file_id}")
    file_id = os.path.splitext(os.path.basename(button.proto.url))[0]
    for manager in managers:
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
