"""One way the class pages meet a class problem: a ClassError (unknown code, ended class, bad
pseudonym) or a ClassStoreError (the database file lost, locked, corrupt, or the disk full) is
said in words with st.error where the action was, never as a traceback, and the page goes on."""

from __future__ import annotations

from typing import Callable

import streamlit as st

from classroom import classes as class_runtime
from classroom.class_store import ClassStoreError
from classroom.classes import ClassError
from ui.share.links import escape_markdown

FAILED = object()  # what attempt() returns when the call failed (None is a real answer: "no class")
CLASS_PROBLEMS = (ClassError, ClassStoreError)


def shared_classes():
    """This server's classes (read through the module so a test can give it a fresh database)."""
    return class_runtime.shared_classes()


def say_problem(exc: Exception, where=None) -> None:
    """A class problem as one sentence; markdown escaped (a typed code or name comes back in it)."""
    icon = ":material/database:" if isinstance(exc, ClassStoreError) else ":material/block:"
    (where or st).error(escape_markdown(str(exc)), icon=icon)


def attempt(call: Callable, *args, where=None, **kwargs):
    """`call(*args, **kwargs)` on this server's classes' problems said in words; FAILED on one."""
    try:
        return call(*args, **kwargs)
    except CLASS_PROBLEMS as exc:
        say_problem(exc, where)
        return FAILED
