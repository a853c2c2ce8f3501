"""GAN Classroom's pages: navigation and the shared sidebar; nothing else. `streamlit run app.py`
serves it (app.py); tests open it in AppTest."""

import os

# As app.py sets it, for an AppTest of this script: before torch and openTSNE load their OpenMP
# runtime, waiting threads sleep instead of spinning (docs/BENCHMARKS.md, "t-SNE map").
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import streamlit as st

from ui.kit.sidebar import shared_sidebar

st.set_page_config(page_title="GAN Classroom", page_icon=":material/school:", layout="wide")

# Only pages that work are listed. Sections follow the lesson order of the Home page.
PAGES = {
    "Start": [st.Page("views/home.py", title="Home: what is a GAN?", icon=":material/home:", default=True),
              st.Page("views/class_mode.py", title="Class", icon=":material/groups:")],
    "Theory": [st.Page("views/value_function.py", title="Value function & D*", icon=":material/functions:"),
               st.Page("views/toy_1d.py", title="1D lab (Figure 1)", icon=":material/show_chart:")],
    "Toys": [st.Page("views/toy_2d.py", title="2D toys & mode collapse", icon=":material/scatter_plot:"),
             st.Page("views/side_by_side.py", title="Side by side", icon=":material/compare:")],
    "MNIST": [st.Page("views/mnist.py", title="MNIST step by step", icon=":material/pin:"),
              st.Page("views/mode_coverage.py", title="Mode coverage (t-SNE map)", icon=":material/map:")],
}

navigation = st.navigation(PAGES)
shared_sidebar()
navigation.run()
