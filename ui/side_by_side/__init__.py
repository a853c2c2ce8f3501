"""The side-by-side page's own parts (views/side_by_side.py): the compared pair, its views, its link."""
