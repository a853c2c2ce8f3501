"""GAN Classroom: `streamlit run app.py`. The web server: Streamlit serving app_pages.py (the
navigation and the shared sidebar), plus the live canvases' frame route (ui.canvas.feed_route).

Streamlit finds `app` below and serves it with its own Starlette server (st.App, Streamlit >=
1.67); every `streamlit run` flag and .streamlit/config.toml setting applies as before.
"""

import os

# Before torch and openTSNE load their OpenMP runtime: waiting threads sleep instead of spinning.
# Training runs on a background thread beside the server and the t-SNE placement, so threads
# wait often; on the busy 2-core machine spinning made torch training and t-SNE several times
# slower (docs/BENCHMARKS.md, "t-SNE map"). A value set by the user wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from streamlit.starlette import App

from ui.canvas.feed_route import feed_routes

app = App("app_pages.py", routes=feed_routes())
