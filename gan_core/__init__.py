"""GAN Classroom's engine: pure PyTorch + NumPy, no Streamlit. Usable from notebooks, the CLI and tests."""

from gan_core.config import RebuildRequired, TrainConfig
from gan_core.trainer import Trainer
from gan_core.step_record import NonFiniteError, StepRecord

__all__ = ["TrainConfig", "Trainer", "StepRecord", "NonFiniteError", "RebuildRequired"]
