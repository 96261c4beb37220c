"""Loss-input contracts of every torch.nn loss, their diagnosis, and the checks against torch.

Importing this package does not import torch: ``refcheck loss`` and ``refcheck explain`` answer from
the contract data alone. ``check_loss_inputs`` looks at real tensors (it needs them, not torch itself).
"""

from refcheck.losses.api import LossInputError, LossInputWarning, check_loss_inputs
from refcheck.losses.contracts import CONTRACTS, UnknownLoss, resolve
from refcheck.losses.diagnose import DiagnoseError, Diagnosis, Problem, diagnose
from refcheck.losses.spec import Spec, SpecError, parse_spec

__all__ = [
    "CONTRACTS", "Diagnosis", "DiagnoseError", "LossInputError", "LossInputWarning", "Problem", "Spec", "SpecError",
    "UnknownLoss", "check_loss_inputs", "diagnose", "parse_spec", "resolve",
]
