import os
import sys

# OpenMP threads that spin while waiting starve everything else on a busy 2-core machine (seen
# here: torch 10x slower). It must be set before torch loads; subprocesses (streamlit servers,
# the CLI) inherit it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch

# The tests mirror the tree: tests/gan_core, tests/classroom, tests/ui (with ui/pages_for_tests, the
# small scripts that mount one ui piece), tests/pages (AppTest of app.py's pages, with their `at`
# fixture in tests/pages/conftest.py), tests/browser (real Chromium); cross-cutting checks stay here.
# Test folders are not packages, so every test file's name is unique across them.
# Helpers shared between files live in modules here, not copied: page_support (paths, opening a
# page, reading its numbers and canvases), train_support (cloned weights, optimizer state),
# browser_support, download_support; pytest.ini's `pythonpath = tests` makes them importable.
# Fixtures every test file can request by name without importing them: browser_support's
# app_server, chromium and browser_page, download_support's downloads.
pytest_plugins = ["browser_support", "download_support"]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

# Tests compare numbers, not speed: keep runs deterministic and light on the shared 2 cores.
torch.set_num_threads(1)

# The app's .streamlit/config.toml shows students no error details (client.showErrorDetails
# "none"), and AppTest honours it: a failing page test would print only Streamlit's generic
# notice. Tests see the real exception (tests/test_error_details.py checks the file's setting).
from streamlit import config as _streamlit_config  # noqa: E402

_streamlit_config.set_option("client.showErrorDetails", "full")
