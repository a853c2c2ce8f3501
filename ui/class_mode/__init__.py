"""Class mode's page pieces (views/class_mode.py): the start/join panel, the teacher's console
(gallery, push a preset, pause all / play all, spotlight, the class as a sweep, exports) and the
banner a student's 2D lab and side-by-side page show. The class itself is classroom.classes."""
