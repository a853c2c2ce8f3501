"""The cache files of the digit classifier and the t-SNE map: the copies the app ships, which a
fresh cache starts from, and words for a file that could not be used, so the UI can say why it is
rebuilding instead of silently making the user wait."""

import contextlib
import os
import shutil

from gan_core.mnist import ROOT

# Committed with the app: the classifier's weights and the embedded digits' t-SNE map, made once
# (data/embedded/README.md). A cache that starts from them reads the same classifier on every
# machine, so a quality figure measured here is the figure measured there, and a first visit to
# the MNIST lessons trains and builds nothing.
SHIPPED_DIR = os.path.join(ROOT, "data", "embedded")


def start_from_shipped(path: str, shipped_dir: str | None = SHIPPED_DIR) -> bool:
    """When the cache file `path` is missing and the app ships a file of that name, copy it there
    (True). Its reader still checks it: a shipped file for other digits or another recipe is
    rebuilt and saved over, as any stale cache file is."""
    if shipped_dir is None or os.path.exists(path):
        return False
    shipped = os.path.join(shipped_dir, os.path.basename(path))
    if not os.path.isfile(shipped):
        return False
    tmp = f"{path}.{os.getpid()}.shipped"
    try:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        shutil.copyfile(shipped, tmp)
        os.replace(tmp, path)  # atomic: two processes starting at once never leave a half file
    except OSError:  # a read-only or full disk: the reader goes on as with no file (and says so if it must)
        with contextlib.suppress(OSError):
            os.remove(tmp)
        return False
    return True


def describe_cache_error(exc: Exception) -> str:
    """'BadZipFile: File is not a zip file': the error's type and the first line of its text."""
    text = str(exc).strip()
    first_line = text.splitlines()[0][:200] if text else ""
    return f"{type(exc).__name__}: {first_line}" if first_line else type(exc).__name__
