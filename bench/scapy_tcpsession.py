# SPDX-License-Identifier: GPL-2.0-or-later
"""Scapy's TCPSession over a capture, for the Sessions benchmark.

    /usr/bin/python3 scapy_tcpsession.py FILE

HTTP and TLS are loaded, so TCPSession reassembles their messages (Scapy's
tcp_reassemble hooks) as Sessions does.  Prints packets handed to prn and
seconds spent in sniff() (appended to $SCAPY_SUMMARY too, if set).
"""
import logging
import os
import sys
import time

from scapy.all import TCPSession, conf, load_layer, sniff

load_layer("http")
load_layer("tls")
conf.verb = 0
logging.getLogger("scapy").setLevel(logging.ERROR)

count = 0
errors = 0


class Session(TCPSession):
    """TCPSession, except that a packet on which Scapy 2.5.0's StringBuffer
    raises (ValueError on some overlapping segments) is counted and dropped
    instead of ending the sniff."""

    def _process_packet(self, pkt):
        global errors
        try:
            return super()._process_packet(pkt)
        except ValueError:
            errors += 1
            return None


def prn(pkt):
    global count
    count += 1


t0 = time.monotonic()
sniff(offline=sys.argv[1], session=Session, store=False, prn=prn)
line = "packets_out %d errors %d seconds %.3f" % (count, errors, time.monotonic() - t0)
print(line)
if os.environ.get("SCAPY_SUMMARY"):
    with open(os.environ["SCAPY_SUMMARY"], "a") as out:
        out.write(line + "\n")
