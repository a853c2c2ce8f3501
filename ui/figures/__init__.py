"""Pure plot builders (plotly, PIL; no Streamlit): the lessons' figures, colours and geometry."""
