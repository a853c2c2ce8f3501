"""Test-only page: the shared sidebar, one advanced control hidden in teacher mode, a figure."""

import plotly.graph_objects as go
import streamlit as st

from ui.kit.sidebar import shared_sidebar
from ui.kit.teacher_mode import is_teacher_mode, teacher_fonts, watch_banner

shared_sidebar()
st.title("Teacher mode test")
if not is_teacher_mode():
    st.slider("Adam beta2 (advanced)", 0.9, 0.999, 0.999, key="advanced_beta2")
watch_banner("D's heatmap turns grey when G has caught up.")
fig = teacher_fonts(go.Figure())
st.markdown(f"plot font size: {fig.layout.font.size}")
