"""The MNIST page's batches tab, computed where the run trains (classroom.run_views,
"mnist_steps@playing" / "mnist_steps@paused"): what the latest D update and the latest G update did,
image by image, and while the run plays D's verdict on fresh digits.

The trainer keeps only the tensors of its latest update (last_batch), and a "Step both" or a
playing run ends on a G update; so the latest view of each kind is kept here, labelled with its
update number, and refreshed whenever a newer update of that kind is seen. Made on the web
server, each redraw of the tab first synced the page's replica to the run's weights (megabytes for
the MNIST networks); the host sends a dozen small images a kind instead.
"""

from __future__ import annotations

import weakref

from gan_core.step_probe import DStepView, DVerdict, GStepView, d_step_view, d_verdict, g_step_view

SHOWN = 12  # images per grid: enough to see variety, small enough to redraw live


def steps_view(playing: bool) -> str:
    """The view name a page asks by: the verdict on fresh digits is made only while playing."""
    return f"mnist_steps@{'playing' if playing else 'paused'}"


class StepViews:
    """The latest D-update view and G-update view of one trainer; `state` "playing" adds D's verdict
    on fresh digits (the view's argument: one object per state)."""

    def __init__(self, state: str = "paused"):
        if state not in ("playing", "paused"):
            raise ValueError(f"unknown state {state[:20]!r}")
        self.playing = state == "playing"
        self.d: DStepView | None = None
        self.g: GStepView | None = None
        self.verdict: DVerdict | None = None  # D's scores now, drawn while the run plays
        self._owner = None

    def compute(self, source) -> dict:
        """run_views' call: refresh on the trainer held between two steps."""
        with source.locked() as trainer:
            self.refresh(trainer, self.playing)
            return {"d": self.d, "g": self.g, "verdict": self.verdict, "updates": trainer.updates}

    def refresh(self, trainer, playing: bool = False) -> None:
        """Call between two steps (Run.call). Cheap when nothing new happened."""
        if self._owner is None or self._owner() is not trainer:  # reset, rebuild, upload
            self.d = self.g = None
            self._owner = weakref.ref(trainer)
        for attr, kind, make in (("d", "D", d_step_view), ("g", "G", g_step_view)):
            view = getattr(self, attr)
            if view is not None and view.update > trainer.updates:  # rolled back past it
                setattr(self, attr, None)
            if trainer.last_batch.get("kind") == kind and (view is None or view.update != trainer.updates):
                setattr(self, attr, make(trainer, SHOWN))
        # A playing run always ends its iteration on a G update, so no D update can be caught
        # between two steps: show D's current verdict on fresh digits instead.
        self.verdict = d_verdict(trainer, SHOWN) if playing else None
