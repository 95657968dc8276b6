"""A minimal IMAP4rev1 server on loopback: just what a polling client uses."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Store:
    def __init__(self, messages: list[bytes]) -> None:
        self.messages = dict(enumerate(messages, start=1))
        self.seen: set[int] = set()
        self.deleted: set[int] = set()
        self.fetches = 0


class Handler(socketserver.StreamRequestHandler):
    store: Store

    def reply(self, data: bytes) -> None:
        self.wfile.write(data)
        self.wfile.flush()

    def handle(self) -> None:
        self.reply(b"* OK fake IMAP ready\r\n")
        while line := self.rfile.readline():
            tag, command, *args = line.decode().strip().split(" ")
            verb = command.upper()
            if verb == "UID":
                verb, args = args[0].upper(), args[1:]
                self.uid(tag, verb, args)
                continue
            if verb == "CAPABILITY":
                self.reply(b"* CAPABILITY IMAP4rev1\r\n")
            elif verb == "SELECT":
                self.reply(f"* {len(self.store.messages)} EXISTS\r\n".encode())
            elif verb == "EXPUNGE":
                for uid in self.store.deleted:
                    self.store.messages.pop(uid, None)
            elif verb == "LOGOUT":
                self.reply(b"* BYE\r\n" + f"{tag} OK bye\r\n".encode())
                return
            self.reply(f"{tag} OK done\r\n".encode())

    def uid(self, tag: str, verb: str, args: list[str]) -> None:
        store = self.store
        if verb == "SEARCH":
            unseen = [str(u) for u in sorted(store.messages) if u not in store.seen]
            self.reply(f"* SEARCH {' '.join(unseen)}\r\n".encode())
        elif verb == "FETCH":
            uid = int(args[0])
            raw = store.messages[uid]
            store.fetches += 1
            self.reply(
                f"* {uid} FETCH (UID {uid} BODY[] {{{len(raw)}}}\r\n".encode() + raw + b")\r\n"
            )
        elif verb == "STORE":
            uid = int(args[0])
            store.seen.add(uid)
            if "\\Deleted" in " ".join(args):
                store.deleted.add(uid)
            self.reply(f"* {uid} FETCH (FLAGS (\\Seen))\r\n".encode())
        self.reply(f"{tag} OK done\r\n".encode())


@contextmanager
def imap_server(messages: list[bytes]) -> Iterator[tuple[Store, int]]:
    store = Store(messages)
    handler = type("BoundHandler", (Handler,), {"store": store})
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield store, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
