"""GAN Classroom: `streamlit run app.py`. Navigation and the shared sidebar; nothing else."""

import streamlit as st

from ui.sidebar import shared_sidebar

st.set_page_config(page_title="GAN Classroom", page_icon="🎓", layout="wide")

# Only pages that work are listed. Sections follow the lesson order of the Home page.
PAGES = {
    "Start": [st.Page("pages/home.py", title="Home: what is a GAN?", icon="🏠", default=True)],
    "Theory": [st.Page("pages/value_function.py", title="Value function & D*", icon="📐"),
               st.Page("pages/toy_1d.py", title="1D lab (Figure 1)", icon="📈")],
    "Toys": [st.Page("pages/toy_2d.py", title="2D toys & mode collapse", icon="🎯")],
    "MNIST": [st.Page("pages/mnist.py", title="MNIST step by step", icon="🔢")],
}

navigation = st.navigation(PAGES)
shared_sidebar()
navigation.run()
