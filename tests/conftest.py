import os
import sys

# OpenMP threads that spin while waiting starve everything else on a busy 2-core machine (seen
# here: torch 10x slower). It must be set before torch loads; subprocesses (streamlit servers,
# the CLI) inherit it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

# Tests compare numbers, not speed: keep runs deterministic and light on the shared 2 cores.
torch.set_num_threads(1)
