"""Maraya's vision core: capture, face tracking, makeup, skin tone, colour science.

    from vision.capture import open_source, LatestFrameGrabber, Frame
    from vision.face import FaceTracker, FaceResult
    from vision.makeup import parse_look, render
    from vision.skin import SkinToneEstimator

Submodules are imported explicitly (MediaPipe and Open3D are heavy to load).
"""
