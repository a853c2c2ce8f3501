"""Streamlit-side helpers, grouped: kit/ (what every page shares), share/ (links and presets),
figures/ and canvas/ (plot builders, live canvas), and one folder per page for what it needs beyond."""
