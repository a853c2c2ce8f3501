"""The mode-coverage page's own parts (views/mode_coverage.py): its sources and the coverage panel."""
