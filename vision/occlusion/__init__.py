"""What stands between the camera and the face, so makeup is painted only where the face shows."""

from vision.occlusion.hands import HandModelError, HandOccluder
from vision.occlusion.visibility import Occlusion

__all__ = ["HandModelError", "HandOccluder", "Occlusion"]
