"""The step operations both engines share: defined in ``regret/steps.py``, below the engine and
the fused loops alike (the fused module imports them, and the engine imports the fused module),
and handed on here for the engine's modules."""
from ..steps import fault_code, is_finite, kahan_add  # noqa: F401 - this module's face
