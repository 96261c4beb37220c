"""refcheck: every claim of the deep-learning reference site, checked against the installed torch/timm.

Importing this package is cheap (no torch): the loss lookup works without torch installed.
"""

from refcheck.context import ClaimFailed, Context, Skipped
from refcheck.losses import LossInputError, check_loss_inputs
from refcheck.registry import REGISTRY, Claim, claim, load_all

__version__ = "0.1.0"
__all__ = [
    "REGISTRY", "Claim", "ClaimFailed", "Context", "LossInputError", "Skipped", "check_loss_inputs", "claim", "load_all", "__version__",
]
