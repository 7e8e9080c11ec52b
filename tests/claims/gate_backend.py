"""Test e-mail backends standing for a slow mail server: a message waits at the "server"
until the test lets it go.

``GateBackend`` is for worker threads of the test process (``GATE`` is shared with the test);
``SocketGateBackend`` is for worker processes: it reports on a loopback socket and waits for
the test's answer. Both note whether a database transaction was open during the send.
"""

from __future__ import annotations

import os
import socket
import threading

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection

from baeji.emails.backends import DatabaseOutboxBackend

#: Environment variable with the loopback port the test listens on (SocketGateBackend).
PORT_VARIABLE = "BAEJI_TEST_MAIL_GATE_PORT"


class Gate:
    """What the worker threads report and what the test lets them do."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Closed gate, nothing seen yet."""
        self.entered = threading.Event()
        self.release = threading.Event()
        self.fail = False
        self.in_transaction: list[bool] = []


GATE = Gate()


class GateBackend(LocmemBackend):
    """Waits until ``GATE.release`` is set, then fails (``GATE.fail``) or stores the messages
    in ``django.core.mail.outbox``."""

    def send_messages(self, messages):
        """Report, wait, then fail or deliver."""
        GATE.in_transaction.append(connection.in_atomic_block)
        GATE.entered.set()
        if not GATE.release.wait(120):
            raise TimeoutError("the test never let the message go")
        if GATE.fail:
            raise ConnectionResetError("mail server hung up")
        return super().send_messages(messages)


class Killed(BaseException):
    """The worker process dies (not an error the service could catch and record)."""


class KilledAfterSendBackend(LocmemBackend):
    """The mail server accepts the message, then the worker dies before recording it."""

    def send_messages(self, messages):
        """Deliver, then die."""
        super().send_messages(messages)
        raise Killed("worker killed after the mail server accepted the message")


class SocketGateBackend(DatabaseOutboxBackend):
    """For a worker process: tells the test on ``127.0.0.1:$BAEJI_TEST_MAIL_GATE_PORT`` that
    it is sending (and whether a transaction is open), then waits for ``go`` (store the
    message in the outbox table) or anything else (fail)."""

    def send_messages(self, email_messages):
        """Report, wait for the test's answer, then deliver or fail."""
        port = int(os.environ[PORT_VARIABLE])
        with socket.create_connection(("127.0.0.1", port), timeout=120) as gate:
            recipients = ",".join(r for m in email_messages for r in m.recipients())
            gate.sendall(f"sending {recipients} {int(connection.in_atomic_block)}\n".encode())
            answer = gate.makefile("r", encoding="utf-8").readline().strip()
        if answer != "go":
            raise ConnectionResetError("mail server hung up")
        return super().send_messages(email_messages)
