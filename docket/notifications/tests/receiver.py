"""Real local servers for channel tests: an HTTP receiver (webhooks, WeCom robots, Aliyun SMS) and an
SMTP server (aiosmtpd), both on 127.0.0.1 and a free port."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    method: str
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every request; answers from `responses` (a queue of (status, body, delay)), then `default`."""

    url: str = ""
    requests: list[Received] = field(default_factory=list)
    responses: list[tuple[int, str, float]] = field(default_factory=list)
    default: tuple[int, str, float] = (200, '{"ok":true}', 0.0)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self) -> tuple[int, str, float]:
        with self.lock:
            return self.responses.pop(0) if self.responses else self.default


def start_receiver() -> tuple[Receiver, ThreadingHTTPServer]:
    rec = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server API
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            status, text, delay = rec.answer()
            if delay:
                time.sleep(delay)
            with rec.lock:
                rec.requests.append(
                    Received("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
            data = text.encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up (timeout test)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    rec.url = f"http://127.0.0.1:{server.server_address[1]}"
    return rec, server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
