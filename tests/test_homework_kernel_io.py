"""How the grader reads the kernel's messages, whatever jupyter_client is installed.

jupyter_client 7.x (Colab's 7.4.9) has asynchronous channels: ``channel.msg_ready()`` returns a coroutine,
which is always truthy, so a loop on it never ends. The grader polls the ZMQ socket itself and reads with
the client's blocking ``get_*_msg``; ``make test-compat``'s colab environment runs the real grader there.
"""

from __future__ import annotations

import queue

import pytest

zmq = pytest.importorskip("zmq")

from course_tools.homework import kernel  # noqa: E402


class AsyncStyleChannel:
    """A channel as jupyter_client 7 has it: a socket, and an asynchronous ``msg_ready``."""

    def __init__(self, socket):
        self.socket = socket

    async def msg_ready(self):  # pragma: no cover - must never be called
        raise AssertionError("the grader must not call msg_ready()")


@pytest.fixture
def pair():
    context = zmq.Context()
    receiver, sender = context.socket(zmq.PAIR), context.socket(zmq.PAIR)
    receiver.bind("inproc://kernel-io")
    sender.connect("inproc://kernel-io")
    yield receiver, sender
    receiver.close(linger=0)
    sender.close(linger=0)
    context.term()


def reader(socket):
    """The client's blocking ``get_msg(timeout=0)``: a message, or ``queue.Empty``; ``b"bad"`` is malformed."""
    def get_msg(timeout):
        assert timeout == 0
        try:
            data = socket.recv(zmq.NOBLOCK)
        except zmq.Again:
            raise queue.Empty from None
        if data == b"bad":
            raise ValueError("malformed message")
        return {"msg_type": data.decode()}
    return get_msg


def test_drain_reads_every_waiting_message_and_stops(pair):
    receiver, sender = pair
    for name in (b"status", b"bad", b"stream"):
        sender.send(name)
    assert kernel._ready(receiver), "inproc messages are waiting as soon as they are sent"
    messages = kernel._drain(AsyncStyleChannel(receiver), reader(receiver))
    assert messages == [{"msg_type": "status"}, {"msg_type": "stream"}], "the malformed one is dropped"
    assert kernel._drain(AsyncStyleChannel(receiver), reader(receiver)) == []


def test_drain_of_a_closed_channel_is_empty():
    channel = AsyncStyleChannel(None)
    assert kernel._drain(channel, lambda timeout: pytest.fail("nothing to read")) == []
