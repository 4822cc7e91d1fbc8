#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Tiny servers and clients for the daemon tests, one per protocol.

Clients exit 0 when the exchange completed, 1 when it was blocked (no
answer within the timeout), and print "ok|blocked MS" with the time the
exchange took. The TLS client sends a real ClientHello
(built by Python's ssl module for the given server name) over a plain
socket; the server answers any first bytes with N bytes of data, so no
certificate is needed: the daemon only ever sees the hello.
"""
import socket
import struct
import ssl
import sys
import threading
import time

TIMEOUT = 2.0


def client_hello(name):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    bio_in, bio_out = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(bio_in, bio_out, server_hostname=name)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return bio_out.read()


def serve_tcp(port, handle):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(64)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def stream_server(port, nbytes):
    def handle(conn):
        try:
            conn.settimeout(10)
            if conn.recv(65536):
                conn.sendall(b"x" * nbytes)
        except OSError:
            pass
        conn.close()
    serve_tcp(port, handle)


def http_server(port):
    def handle(conn):
        try:
            conn.settimeout(10)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
            conn.sendall(b"HTTP/1.0 200 OK\r\n\r\nhello\n")
        except OSError:
            pass
        conn.close()
    serve_tcp(port, handle)


def dns_server(port):
    srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    srv.bind(("0.0.0.0", port))
    while True:
        data, addr = srv.recvfrom(512)
        if len(data) >= 12:
            srv.sendto(data[:2] + bytes([data[2] | 0x80]) + data[3:], addr)


def tcp_exchange(host, port, first, want, sport=0):
    s = socket.create_connection((host, port), timeout=TIMEOUT,
                                 source_address=("0.0.0.0", sport))
    if sport:
        # close with a reset: no TIME_WAIT, so the same tuple can
        # carry the next connection at once
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
    s.settimeout(TIMEOUT)
    s.sendall(first)
    got = 0
    try:
        while got < want:
            chunk = s.recv(65536)
            if not chunk:
                break
            got += len(chunk)
    except OSError:
        pass
    s.close()
    return got >= want


def http_get(host, port, name):
    req = ("GET / HTTP/1.1\r\nHost: %s\r\n\r\n" % name).encode()
    return tcp_exchange(host, port, req, 20)


def http_loop(host, port, name, seconds):
    """Requests back to back for a while; prints the slowest in ms."""
    worst, count, end = 0, 0, time.monotonic() + seconds
    while time.monotonic() < end:
        t0 = time.monotonic()
        if not http_get(host, port, name):
            return False
        worst = max(worst, time.monotonic() - t0)
        count += 1
        if count == 1:
            print("running", flush=True)
        time.sleep(0.01)
    print("slowest %d ms of %d" % (worst * 1000, count))
    return True


def dns_query(name):
    q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\x00\x00\x01\x00\x01"


def dns_client(host, port, name, sport=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", sport))
    s.settimeout(TIMEOUT)
    s.sendto(dns_query(name), (host, port))
    try:
        return s.recv(512)[:2] == b"\x12\x34"
    except OSError:
        return False


def main(argv):
    cmd, args = argv[1], argv[2:]
    start = time.monotonic()
    if cmd == "stream-server":
        stream_server(int(args[0]), int(args[1]))
    elif cmd == "http-server":
        http_server(int(args[0]))
    elif cmd == "dns-server":
        dns_server(int(args[0]))
    elif cmd == "tls-client":
        host, port, name, n = args[:4]
        sport = int(args[4]) if len(args) > 4 else 0
        ok = tcp_exchange(host, int(port), client_hello(name), int(n),
                          sport)
    elif cmd == "http-client":
        ok = http_get(args[0], int(args[1]), args[2])
    elif cmd == "raw-client":
        # bytes in which no dissector can find a name, then the blank
        # line the HTTP server answers
        ok = tcp_exchange(args[0], int(args[1]), b"HELLO\r\n\r\n", 20)
    elif cmd == "http-loop":
        ok = http_loop(args[0], int(args[1]), args[2], float(args[3]))
    elif cmd == "dns-client":
        # an optional source port: two connections with one tuple
        ok = dns_client(args[0], int(args[1]), args[2],
                        int(args[3]) if len(args) > 3 else 0)
    else:
        sys.exit("peer.py: unknown command " + cmd)
    # the exchange's own time, without the interpreter's start-up
    print("%s %d ms" % ("ok" if ok else "blocked",
                        (time.monotonic() - start) * 1000))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    try:
        main(sys.argv)
    except (ConnectionError, socket.timeout):
        print("blocked")
        sys.exit(1)
