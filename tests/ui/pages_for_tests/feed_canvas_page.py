"""Test-only page: one live canvas drawn inside ui.canvas.component.feeding(token, every) and one
outside it, both showing the same small scene. Query: token, every (seconds), frame."""

import streamlit as st

from ui.canvas.component import feeding, live_canvas
from ui.canvas.scene import Panel, Scene, lines, points

token = st.query_params.get("token", "no-token")
every = float(st.query_params.get("every", "0.25"))
frame = int(st.query_params.get("frame", "0"))

scene = Scene(320, 200, [Panel(box=(10, 10, 300, 180), x=(-1.0, 1.0), y=(-1.0, 1.0), title="feed test",
                               layers=[points([[0.0, 0.5], [-0.5, -0.25]], "#1f77b4"),
                                       lines([-1.0, 0.0, 1.0], [0.0, 0.5, -0.5], "#d62728")])],
              frame=frame, label="feed test scene")

with feeding(token, every):
    live_canvas(scene, key="fed_canvas")
live_canvas(scene, key="plain_canvas")
