import os
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

# Tests compare numbers, not speed: keep runs deterministic and light on the shared 2 cores.
torch.set_num_threads(1)
