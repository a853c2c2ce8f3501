"""Fixtures of the class-mode runtime tests: a class database in a temporary folder, a settable
clock, and the Classes on both."""

import pytest

from class_support import Clock
from classroom.class_store import ClassStore
from classroom.classes import Classes


@pytest.fixture
def path(tmp_path):
    return tmp_path / "classroom.sqlite3"


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def classes(path, clock):
    return Classes(ClassStore(path), record_every=None, clock=clock)
