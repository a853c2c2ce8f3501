import os
import sys

# OpenMP threads that spin while waiting starve everything else on a busy 2-core machine (seen
# here: torch 10x slower). It must be set before torch loads; subprocesses (streamlit servers,
# the CLI) inherit it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch

# Fixtures every test file can request by name without importing them: browser_support's
# app_server, chromium and browser_page, download_support's downloads (tests/ is on sys.path).
pytest_plugins = ["browser_support", "download_support"]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

# Tests compare numbers, not speed: keep runs deterministic and light on the shared 2 cores.
torch.set_num_threads(1)
