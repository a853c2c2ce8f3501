"""The 1D lab's own parts (views/toy_1d.py): Figure 1 and the live area."""
