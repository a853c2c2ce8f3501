"""The MNIST page's own parts (views/mnist.py): run and presets, live area, step views, progress, metrics, walk."""
