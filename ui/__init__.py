"""Streamlit-side helpers shared by the pages: session state, live-run plumbing, plot builders."""
