#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Record real traffic of the protocols the built-in framers cut, each
# between a Debian client and server in network namespaces (netns.sh):
# PostgreSQL (postgresql-15, psql), MQTT (mosquitto, mosquitto-clients),
# WebSocket (python3-websockets), HTTP/2 cleartext with prior knowledge and
# after an h2c upgrade (nghttp2-server, nghttp2-client; nghttpd does not
# upgrade, so nghttpx of nghttp2-proxy does, in front of an HTTP/1.1 server).  Needs root;
# missing packages are installed with apt-get.  Like record-real.sh the
# recordings are committed and not re-run in CI (ports, ISNs, timestamps and
# SCRAM nonces differ from run to run).
#
#   sudo test-captures/gen/record-protocols.sh [OUTDIR]

set -euo pipefail

GEN="$(cd "$(dirname "$0")" && pwd)"
OUT="${1:-$(dirname "$GEN")}"
# shellcheck source=netns.sh
. "$GEN/netns.sh"
need openssl openssl
need psql postgresql
need mosquitto mosquitto
need mosquitto_pub mosquitto-clients
need nghttpd nghttp2-server
need nghttp nghttp2-client
need nghttpx nghttp2-proxy
$PY -c 'import websockets' 2>/dev/null || apt-get install -y python3-websockets >/dev/null

PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
chmod 755 "$WORK"

# ---- servers in sess-b -------------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=sessions-test -days 2 \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1

# PostgreSQL: SCRAM passwords over TCP, TLS offered.
mkdir -p "$WORK/pg" "$WORK/pgsock"
cp "$WORK/key.pem" "$WORK/cert.pem" "$WORK/pg/"
chown -R postgres: "$WORK/pg" "$WORK/pgsock"
chmod 600 "$WORK/pg/key.pem"
runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg/data" -A trust -U postgres >/dev/null
echo "host all all 10.77.0.0/24 scram-sha-256" > "$WORK/pg/data/pg_hba.conf"
echo "local all all trust" >> "$WORK/pg/data/pg_hba.conf"
start_bg $INB runuser -u postgres -- "$PGBIN/postgres" -D "$WORK/pg/data" \
    -c listen_addresses=$B4 -c unix_socket_directories="$WORK/pgsock" \
    -c ssl=on -c ssl_cert_file="$WORK/pg/cert.pem" -c ssl_key_file="$WORK/pg/key.pem"

# MQTT
cat > "$WORK/mosquitto.conf" <<CONF
listener 1883 $B4
allow_anonymous true
persistence false
CONF
start_bg $INB mosquitto -c "$WORK/mosquitto.conf"

# WebSocket echo server on an HTTP port, HTTP/2 with prior knowledge on a
# port no framer claims (the preface heuristic), h2c upgrade on port 80.
start_bg $INB $PY "$GEN/ws_helpers.py" server $B4 8080
$PY "$HELP" make-files "$WORK/www"
start_bg $INB nghttpd --no-tls -d "$WORK/www" 8081
start_bg $INB nghttpx --frontend="$B4,80;no-tls" --backend="127.0.0.1,8082" \
    --workers=1 --no-ocsp --conf=/dev/null --log-level=WARN
start_bg $INB $PY "$HELP" http-server 127.0.0.1 8082 "$WORK/www"
sleep 2
for _ in $(seq 20); do
    $INB runuser -u postgres -- "$PGBIN/psql" -h "$WORK/pgsock" -q -c \
        "CREATE ROLE sess LOGIN PASSWORD 'sessions'" 2>/dev/null && break
    sleep 0.5
done

# ---- traffic -------------------------------------------------------------------
pgsql_traffic() {
    local conn="host=$B4 user=sess password=sessions dbname=postgres"
    $INA psql "$conn sslmode=disable" -q -o /dev/null \
        -c "SELECT 1" \
        -c "SELECT n, md5(n::text) FROM generate_series(1, 60) n" \
        -c "SELECT * FROM no_such_table" 2>/dev/null || true
    $INA psql "$conn sslmode=require" -q -o /dev/null -c "SELECT version()"
}

mqtt_traffic() {
    $INA mosquitto_sub -h $B4 -i sess-sub -t 'sensors/#' -q 1 -C 3 -W 10 >/dev/null &
    local sp=$!
    sleep 1
    $INA mosquitto_pub -h $B4 -i sess-pub -t sensors/t/1 -m '21.5' -q 1
    $INA mosquitto_pub -h $B4 -i sess-pub2 -t sensors/big -q 2 \
        -m "$(head -c 4000 /dev/zero | tr '\0' 'm')"
    $INA mosquitto_pub -h $B4 -i sess-pub5 -V mqttv5 -t sensors/v5 -m 'five' -q 0
    wait $sp || true
}

ws_traffic() { $INA $PY "$GEN/ws_helpers.py" client $B4 8080; }

h2_traffic() {
    $INA nghttp -n "http://$B4:8081/small.txt" "http://$B4:8081/medium.bin"
}

h2c_traffic() { $INA nghttp -n -u "http://$B4:80/small.txt"; }

capture real-pgsql.pcap "tcp port 5432" pgsql_traffic
capture real-mqtt.pcap "tcp port 1883" mqtt_traffic
capture real-websocket.pcap "tcp port 8080" ws_traffic
capture real-h2-prior-knowledge.pcap "tcp port 8081" h2_traffic
capture real-h2c-upgrade.pcap "tcp port 80" h2c_traffic

d() { $PY "$GEN/capfile.py" "$@"; }
d real-pgsql.pcap "Real PostgreSQL 15 (psql, port 5432, SCRAM-SHA-256): one connection" \
    "without TLS (SELECT 1, a 60-row SELECT, a query failing with ErrorResponse)," \
    "one with sslmode=require (SSLRequest, 'S', then TLS records)"
d real-mqtt.pcap "Real MQTT (mosquitto 2, port 1883): a QoS 1 subscriber to sensors/#," \
    "a QoS 1 and a QoS 2 (4000-byte) publisher, an MQTT 5 QoS 0 publisher"
d real-websocket.pcap "Real WebSocket (python3-websockets echo server on port 8080," \
    "compression off): HTTP/1.1 upgrade, a text, a 1200-byte and a 70000-byte binary" \
    "message echoed, ping/pong, close 1000"
d real-h2-prior-knowledge.pcap "Real HTTP/2 cleartext with prior knowledge (nghttpd/nghttp," \
    "port 8081, found by the connection preface): GET of a 4 KB and a 30 KB file"
d real-h2c-upgrade.pcap "Real HTTP/2 cleartext after an HTTP/1.1 Upgrade: h2c (nghttp -u to" \
    "nghttpx, port 80): GET of a 4 KB file, answered 101 then as HTTP/2 stream 1"
echo done
