"""The classroom runtime: what the pages need beyond the engine (runs that outlive a page or a
tab, ...), with no Streamlit. Imports run one way: views -> ui -> classroom -> gan_core."""
