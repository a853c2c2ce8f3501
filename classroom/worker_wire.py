"""What the web server and a local worker process say to each other over their pipe (a socket pair),
and the two ways a request can fail. No torch here: a worker sends its first heartbeat before it
imports torch, so a slow start is never taken for a hung worker.

A request is pickle((request id, run id, command, arguments)). Every message back is an 8-byte
request id followed by a pickle: for a request, (kind "ok" / "error", result, run status); for id
HEARTBEAT, the worker's facts ({"runs", "playing"}). The server reads the id alone and hands the
rest to the thread that asked, so one reader thread never unpickles a 12 MB frame for somebody else.
"""

from __future__ import annotations

import pickle
import struct
from multiprocessing.connection import Connection

HEARTBEAT = 0  # the request id of a heartbeat: real requests count from 1
BEAT_EVERY = 0.5  # seconds between two heartbeats of a worker
_ID = struct.Struct("<q")


class WorkerLost(RuntimeError):
    """The process that trained this run is gone (killed, out of memory, or hung and ended)."""


class RunGone(KeyError):
    """The worker no longer hosts this run: nobody touched it for its lease (a tab closed without
    the web server noticing), so it was put away; its page can host it again from its replica."""


def dumps(message) -> bytes:
    """Plain pickle, by value: multiprocessing's own pickler would hand tensors over as shared
    memory, which needs the two processes to share a multiprocessing authentication key."""
    return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def send(conn: Connection, message) -> None:
    conn.send_bytes(dumps(message))


def receive(conn: Connection):
    return pickle.loads(conn.recv_bytes())


def tagged(request_id: int, payload: bytes) -> bytes:
    """A message back: the request id, then its pickled answer."""
    return _ID.pack(request_id) + payload


def untag(message: bytes) -> tuple[int, memoryview]:
    """(request id, pickled answer) of a message back, without copying the answer."""
    return _ID.unpack_from(message)[0], memoryview(message)[_ID.size:]
