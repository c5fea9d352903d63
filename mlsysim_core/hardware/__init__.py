"""Hardware specs (``mlsysim_core.hardware.types.HardwareNode``) and the Hardware registry."""
from ..zoo import Hardware

__all__ = ["Hardware"]
