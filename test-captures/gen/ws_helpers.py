# SPDX-License-Identifier: GPL-2.0-or-later
"""WebSocket server and client for record-protocols.sh (python3-websockets).

  ws_helpers.py server ADDR PORT    echo server: every message sent back
  ws_helpers.py client ADDR PORT    a text, a 1200-byte binary, a 70000-byte
                                    binary (64-bit length), a ping, a close

Compression is off so that frame sizes are the payloads' own.
"""
import asyncio
import sys

import websockets


async def echo(ws):
    async for message in ws:
        await ws.send(message)


async def server(addr, port):
    async with websockets.serve(echo, addr, port, compression=None):
        await asyncio.Future()


async def client(addr, port):
    async with websockets.connect(f"ws://{addr}:{port}/echo",
                                  compression=None) as ws:
        await ws.send("hello over a websocket")
        await ws.recv()
        await ws.send(bytes(range(256)) * 4 + bytes(176))
        await ws.recv()
        await ws.send(b"\x5a" * 70000)
        await ws.recv()
        await asyncio.wait_for(await ws.ping(b"are you there"), 5)
        await ws.close(1000, "done")


if __name__ == "__main__":
    cmd, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if cmd == "server":
        asyncio.run(server(addr, port))
    else:
        asyncio.run(client(addr, port))
