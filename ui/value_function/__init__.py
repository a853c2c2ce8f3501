"""The value-function page's own parts (views/value_function.py): its widgets as one settings table."""
