"""The console's sizes in px (canvases shrink to their columns): a 1440x900 screen, or 1280x720
in teacher mode with larger type, where everything must fit without scrolling."""

from __future__ import annotations

from ui.kit.teacher_mode import is_teacher_mode

CONSOLE = {False: {"controls": 250, "main": 880, "gallery_h": 610, "spot": 540, "sweep_h": 540, "font": 12},
           True: {"controls": 245, "main": 750, "gallery_h": 455, "spot": 430, "sweep_h": 420, "font": 15}}
REFRESH = 2.0  # seconds between two redraws of the gallery and the sweep (the issue asks for at least every 2 s)
SPOTLIGHT_EVERY = 1.0  # seconds: the projected run redraws faster


def console_size() -> dict:
    return CONSOLE[is_teacher_mode()]
