"""GAN Classroom's engine: pure PyTorch + NumPy, no Streamlit. Usable from notebooks, the CLI and tests."""

from gan_core.config import RebuildRequired, TrainConfig
from gan_core.step_record import NonFiniteError, StepRecord
from gan_core.trainer import Trainer

__all__ = ["TrainConfig", "Trainer", "StepRecord", "NonFiniteError", "RebuildRequired"]
