"""The live canvas: one Streamlit component (plot_canvas.js, no iframe, no build step) that draws
a scene of panels and layers from compact arrays, for the views that redraw while a run plays.

A plotly figure of the 2D lab cost the browser ~190 kB of JSON and a re-layout per redraw, and
kept Chromium's main thread ~99 % busy at 0.13-0.41 redraws/s on a 2-core machine (issue 11).
A canvas frame is a few kB (base64 arrays) and a few milliseconds of drawing.

    from ui.canvas import live_canvas
    from ui.canvas.scene import panel, points, image, Scene
    live_canvas(Scene(width=520, height=520, panels=[...], frame=iteration), key="toy_plane")

scene.py builds scenes (pure, no Streamlit), component.py mounts them.
"""

from ui.canvas.component import live_canvas  # noqa: F401
