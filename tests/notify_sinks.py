"""Local message sinks for the notify tests: an SMTP server (aiosmtpd) and an HTTP robot sink, both on 127.0.0.1."""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailBox:
    """What the SMTP server received: parsed messages."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"


@contextlib.contextmanager
def smtp_server() -> Iterator[tuple[str, MailBox]]:
    """An SMTP server on a loopback port: yields its smtp:// URL and the mailbox."""
    from aiosmtpd.controller import Controller

    box, port = MailBox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", box
    finally:
        controller.stop()


class RobotSink:
    """An HTTP server that records every POST (path, query, JSON body) and answers as told (``status``)."""

    def __init__(self) -> None:
        self.posts: list[dict] = []
        self.status = 200
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                parts = urlsplit(self.path)
                with sink.lock:
                    sink.posts.append({"path": parts.path, "query": parts.query, "body": body,
                                       "content_type": self.headers.get("Content-Type", "")})
                answer = {"errcode": 0, "errmsg": "ok"} if "feishu" not in parts.path else {"code": 0, "msg": "success"}
                data = json.dumps(answer).encode() if sink.status == 200 else b"server error"
                self.send_response(sink.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> RobotSink:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
