#!/bin/bash
# 512 MiB from a server on the host's 127.0.0.1 into a container: through
# slirp, through the egress bypass (slirp4netns:bypass=true), and the host
# floor (the same client on the host). Run as the unprivileged user with
# the busybox fixture loaded: bench/egress-bypass.sh [PC] [ROUNDS]
set -eu
PC=${1:-pc}
ROUNDS=${2:-3}
dir=$(mktemp -d)
trap 'kill $srv 2>/dev/null; rm -rf "$dir"' EXIT
head -c $((512 << 20)) /dev/zero >"$dir/blob"
(cd "$dir" && exec python3 -c 'import http.server, socketserver
class S(socketserver.ThreadingMixIn, socketserver.TCPServer): pass
s = S(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
print(s.server_address[1], flush=True); s.serve_forever()' >"$dir/port" 2>/dev/null </dev/null) &
srv=$!
while [ ! -s "$dir/port" ]; do sleep 0.05; done
port=$(head -1 "$dir/port")
secs() { local t0 t1; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc; }
mbps() { echo "scale=0; 512 * 1048576 / $1 / 1000000" | bc; }
for r in $(seq "$ROUNDS"); do
    host=$(secs busybox wget -q -O /dev/null "http://127.0.0.1:$port/blob")
    # The container's own start is timed apart and taken off.
    base=$(secs "$PC" run --rm --network slirp4netns:allow_host_loopback=true busybox true)
    sl=$(secs "$PC" run --rm --network slirp4netns:allow_host_loopback=true busybox wget -q -O /dev/null "http://10.0.2.2:$port/blob")
    by=$(secs "$PC" run --rm --network slirp4netns:allow_host_loopback=true,bypass=true busybox wget -q -O /dev/null "http://10.0.2.2:$port/blob")
    sl=$(echo "$sl - $base" | bc); by=$(echo "$by - $base" | bc)
    echo "round $r: host $(mbps "$host") MB/s, slirp $(mbps "$sl") MB/s, bypass $(mbps "$by") MB/s"
done
