"""Test-only page: the shared sidebar, one advanced control hidden in teacher mode."""

import streamlit as st

from ui.kit.sidebar import shared_sidebar
from ui.kit.teacher_mode import is_teacher_mode

shared_sidebar()
st.title("Teacher mode test")
if not is_teacher_mode():
    st.slider("Adam beta2 (advanced)", 0.9, 0.999, 0.999, key="advanced_beta2")
