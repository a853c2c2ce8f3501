"""The 2D lab's own parts (views/toy_2d.py): live area, setup panels, redraw data, step story, stabilisers."""
