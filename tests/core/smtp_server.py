"""A local SMTP server for tests of the outbox: it either hangs (accepts the connection and never
says a word, like a mail server that is stuck) or answers like a real one and keeps what it
received. A hung connection is dropped after `hold_seconds`, so code without a timeout makes a
test fail slowly instead of hanging it forever."""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes
from email.message import Message


class FakeSMTPServer:
    def __init__(self, *, hold_seconds: float = 20.0):
        self.hold_seconds = hold_seconds
        self.hanging = True
        self.received: list[Message] = []
        self.connections = 0
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port = self._listener.getsockname()[1]
        self._stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def stop(self) -> None:
        self._stopped.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _address = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            target = self._hang if self.hanging else self._answer
            threading.Thread(target=target, args=(conn,), daemon=True).start()

    def _hang(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(self.hold_seconds)
            try:
                while conn.recv(1024):
                    pass
            except OSError:
                pass

    def _answer(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as lines:
            conn.sendall(b"220 fake.localhost ESMTP\r\n")
            for raw in lines:
                command = raw.strip().upper()
                if command.startswith((b"EHLO", b"HELO")):
                    conn.sendall(b"250 fake.localhost\r\n")
                elif command.startswith(b"DATA"):
                    conn.sendall(b"354 end with <CRLF>.<CRLF>\r\n")
                    body = []
                    for line in lines:
                        if line in (b".\r\n", b".\n"):
                            break
                        body.append(line[1:] if line.startswith(b"..") else line)
                    self.received.append(message_from_bytes(b"".join(body)))
                    conn.sendall(b"250 queued\r\n")
                elif command.startswith(b"QUIT"):
                    conn.sendall(b"221 bye\r\n")
                    return
                else:  # MAIL, RCPT, RSET, NOOP
                    conn.sendall(b"250 ok\r\n")
