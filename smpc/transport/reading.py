"""Who reads ZmqTransport's receiving socket, and the I/O thread's loop.

:class:`Reading` is the part of :class:`~smpc.transport.zmq_transport.ZmqTransport` that
decides which thread polls and reads the receiving socket (the ROUTER), and the loop of
the I/O thread, which keeps the links alive.

* **Who reads.**  The I/O thread reads the receiving socket while nobody is receiving
  and puts what arrives in a queue per sender.  A ``recv`` that finds its queue empty
  asks for the socket and from then on reads it itself, under the transport's lock,
  until it has its message; the I/O thread takes it back once no ``recv`` has run for
  ``router_return_after`` seconds, and reads again (heartbeats, acknowledgements, data
  for later).  On a busy machine every hand-over from one thread to another waits for
  the scheduler: a message that the waiting thread reads itself arrives sooner than one
  the I/O thread reads, queues and wakes it for.
* **One reader at a time.**  ZeroMQ sockets are not thread-safe.  Only the I/O thread
  changes who reads, under the lock: it hands the socket over only between two of its
  own polls, and takes it back only while no ``recv`` is under way.  Of several threads
  receiving at once, one reads (``_reader_lock``) and the others find their messages in
  their queues.
* **The loop.**  Each turn the I/O thread polls its sockets (the receiving one only while
  it is the reader), answers authentication requests and socket events, reads, passes
  the socket on, flushes what was queued to send, sends due acknowledgements and
  heartbeats, and checks that every peer is still heard from.
"""
import os
import queue
import time

import zmq

from .errors import TransportError
from .links import _HANDED_OVER


class Reading:
    """Who reads the receiving socket; the I/O thread's loop (mixed into ZmqTransport)."""

    router_return_after = 0.1  # s without a recv before the I/O thread reads the socket again
    _caller_poll_ms = 50       # how often a reading recv looks at its queue and at failures

    def _wait_for_item(self, inbox):
        """The next item of ``inbox``: taken from the queue, or read off the socket by this
        (calling) thread once the I/O thread has handed it over."""
        try:
            return inbox.get_nowait()
        except queue.Empty:
            pass
        self._raise_if_failed()
        if self._router_closed:  # nothing can arrive any more
            raise TransportError(f"{self.me}'s transport was closed while receiving")
        if self._router_mode == "caller" and self._reader_lock.acquire(blocking=False):
            try:
                if not self._router_closed and self._router.poll(self._caller_poll_ms):
                    with self._lock:
                        self._receive_all()
                        self._send_due_acks()
            finally:
                self._reader_lock.release()
            return None
        if self._router_mode == "io":
            with self._lock:
                if self._router_wanted is None:
                    self._router_wanted = inbox
                    self._wake()
        try:  # the I/O thread fills the queue, or says the socket is ours with _HANDED_OVER
            return inbox.get(timeout=0.05 if self._router_mode == "io" else 0.005)
        except queue.Empty:
            return None

    def _pass_the_router(self, now):
        """In the I/O thread, lock held: hand the receiving socket to a recv that asked for it,
        or take it back when no recv has run for a while."""
        if self._router_mode == "io":
            if self._router_wanted is not None:
                self._receive_all()  # what has arrived goes to the queues first
                self._router_mode = "caller"
                self._router_wanted.put(_HANDED_OVER)
                self._router_wanted = None
        elif self._receivers == 0 and now - self._last_receive >= self.router_return_after:
            self._router_mode = "io"
            self._receive_all()

    def _run(self):
        without_router = zmq.Poller()  # while a waiting recv reads the receiving socket
        without_router.register(self._wake_read, zmq.POLLIN)
        without_router.register(self._router_monitor, zmq.POLLIN)
        if self._zap is not None:
            without_router.register(self._zap, zmq.POLLIN)
        monitors = {}
        for link in self._links.values():
            without_router.register(link.monitor, zmq.POLLIN)
            monitors[link.monitor] = link
        with_router = zmq.Poller()
        for socket, _events in without_router.sockets:
            with_router.register(socket, zmq.POLLIN)
        with_router.register(self._router, zmq.POLLIN)
        next_tick = time.monotonic()
        try:
            while not self._stopping:
                timeout = max(0.0, min(next_tick - time.monotonic(), 0.25))
                if self._router_mode == "io":
                    ready = dict(with_router.poll(int(timeout * 1000)))
                else:  # wake to take the socket back once the receivers are done
                    timeout = min(timeout, self.router_return_after)
                    ready = dict(without_router.poll(int(timeout * 1000)))
                with self._lock:
                    next_tick = self._serve(ready, monitors, next_tick)
        except Exception as err:  # a bug must not leave the receivers waiting for ever
            self._failure = repr(err)
            for link in self._links.values():
                if link.state not in ("lost", "closed"):
                    self._mark_lost(link, f"{self.me}'s transport thread failed: {err!r}")
        finally:
            self._close_sockets()

    def _serve(self, ready, monitors, next_tick):
        """One turn of the I/O thread, with the lock held; returns the next heartbeat time."""
        if self._wake_read in ready:
            try:
                os.read(self._wake_read, 65536)
            except BlockingIOError:
                pass
        if self._zap is not None and self._zap in ready:
            self._answer_zap()
        if self._router_monitor in ready:
            self._on_router_event()
        for monitor, link in monitors.items():
            if monitor in ready:
                self._on_link_event(link)
        if self._router_mode == "io" and self._router in ready:
            self._receive_all()
        self._pass_the_router(time.monotonic())
        self._flush_outbox()
        self._send_due_acks()
        now = time.monotonic()
        if now >= next_tick or self._heartbeat_now:
            self._heartbeat_now = False
            self._tick()
            next_tick = now + self.heartbeat_interval
        self._check_liveness(now)
        return next_tick

    def _close_sockets(self):
        got_it = self._reader_lock.acquire(timeout=1.0)  # no recv is reading the socket
        self._router_closed = True
        if got_it:
            self._reader_lock.release()
        for link in self._links.values():
            link.monitor.close(linger=0)
            link.socket.close(linger=500)  # the goodbyes get out
        self._router_monitor.close(linger=0)
        self._router.close(linger=0)
        if self._zap is not None:
            self._zap.close(linger=0)
