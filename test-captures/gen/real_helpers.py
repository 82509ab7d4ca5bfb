#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Servers and clients used by record-real.sh inside the test namespaces.

    real_helpers.py make-files DIR
    real_helpers.py http-server ADDR PORT DIR
    real_helpers.py http-pipeline ADDR PORT
    real_helpers.py dns-server ADDR PORT
    real_helpers.py dns-client ADDR PORT
    real_helpers.py udp-sink ADDR PORT
    real_helpers.py udp-send ADDR PORT SIZE...
"""

import functools
import http.server
import os
import random
import socket
import socketserver
import struct
import sys
import time

sys.dont_write_bytecode = True


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def make_files(d):
    """Deterministic content: text and pseudo-random bytes of fixed seeds."""
    os.makedirs(d, exist_ok=True)
    rng = random.Random(7700)
    specs = [("tiny.txt", 600, "text"), ("small.txt", 4000, "text"),
             ("medium.bin", 30000, "bin"), ("large.bin", 100000, "bin")]
    for name, size, kind in specs:
        if kind == "text":
            line, data, i = b"", b"", 0
            while len(data) < size:
                data += b"%s line %05d: the quick brown fox jumps over the lazy dog\n" % (
                    name.encode(), i)
                i += 1
            data = data[:size]
        else:
            data = bytes(rng.getrandbits(8) for _ in range(size))
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass


def http_server(addr, port, d):
    class Server(http.server.ThreadingHTTPServer):
        address_family = family(addr)
        allow_reuse_address = True
    srv = Server((addr, int(port)), functools.partial(Handler, directory=d))
    srv.serve_forever()


def http_pipeline(addr, port):
    host = "[%s]" % addr if ":" in addr else addr
    reqs = b""
    # The 404 comes last: http.server closes the connection after an error.
    for path, last in (("/tiny.txt", False), ("/small.txt", False),
                       ("/tiny.txt", False), ("/missing.txt", True)):
        reqs += (b"GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: sessions-pipeline\r\n"
                 % (path.encode(), host.encode()))
        if last:
            reqs += b"Connection: close\r\n"
        reqs += b"\r\n"
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect((addr, int(port)))
    s.sendall(reqs)          # all four requests in one write
    total = 0
    while True:
        b = s.recv(65536)
        if not b:
            break
        total += len(b)
    s.close()
    print("pipeline: received %d bytes" % total)


def dns_answer(q):
    qid = q[:2]
    i = 12
    while q[i] != 0:
        i += 1 + q[i]
    qend = i + 5
    qtype = struct.unpack("!H", q[i + 1:i + 3])[0]
    question = q[12:qend]
    if qtype == 28:
        rdata = socket.inet_pton(socket.AF_INET6, "2001:db8::53")
    else:
        qtype, rdata = 1, socket.inet_aton("192.0.2.53")
    hdr = qid + struct.pack("!HHHHH", 0x8580, 1, 1, 0, 0)
    ans = struct.pack("!HHHIH", 0xC00C, qtype, 1, 300, len(rdata)) + rdata
    return hdr + question + ans


class DnsHandler(socketserver.BaseRequestHandler):
    def handle(self):
        s = self.request
        buf = b""
        while True:
            b = s.recv(65536)
            if not b:
                return
            buf += b
            while len(buf) >= 2:
                n = struct.unpack("!H", buf[:2])[0]
                if len(buf) < 2 + n:
                    break
                q, buf = buf[2:2 + n], buf[2 + n:]
                a = dns_answer(q)
                s.sendall(struct.pack("!H", len(a)) + a)


def dns_server(addr, port):
    class Server(socketserver.ThreadingTCPServer):
        address_family = family(addr)
        allow_reuse_address = True
    Server((addr, int(port)), DnsHandler).serve_forever()


def dns_query(qid, name, qtype):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack("!HH", qtype, 1)


def dns_client(addr, port):
    """Two queries in one write on one connection, then a third."""
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.settimeout(20)
    s.connect((addr, int(port)))
    q1 = dns_query(0x0a01, "one.example.com", 1)
    q2 = dns_query(0x0a02, "two.example.com", 28)
    s.sendall(struct.pack("!H", len(q1)) + q1 + struct.pack("!H", len(q2)) + q2)
    time.sleep(0.2)
    q3 = dns_query(0x0a03, "three.example.com", 1)
    s.sendall(struct.pack("!H", len(q3)) + q3)
    time.sleep(0.2)
    s.shutdown(socket.SHUT_WR)
    while s.recv(65536):
        pass
    s.close()


def udp_sink(addr, port):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    while True:
        s.recv(65536)


def udp_send(addr, port, *sizes):
    fam = family(addr)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET:
        # IP_MTU_DISCOVER = 10, IP_PMTUDISC_DONT = 0: let the kernel fragment
        s.setsockopt(socket.IPPROTO_IP, 10, 0)
    for n, size in enumerate(sizes):
        size = int(size)
        data = (b"udp datagram %d of %d bytes|" % (n, size)) * (size // 20 + 1)
        s.sendto(data[:size], (addr, int(port)))
        time.sleep(0.05)


def main():
    cmds = {"make-files": make_files, "http-server": http_server,
            "http-pipeline": http_pipeline, "dns-server": dns_server,
            "dns-client": dns_client, "udp-sink": udp_sink, "udp-send": udp_send}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[sys.argv[1]](*sys.argv[2:])


if __name__ == "__main__":
    main()
