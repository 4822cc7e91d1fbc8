#!/bin/sh
# fwctl conntrack against the kernel: two namespaces joined by a veth pair,
# a server namespace whose fwctl rule set makes conntrack track, real TCP
# and UDP flows (IPv4 and IPv6) from the client. Then list with filters, -j,
# count, delete by filter (exactly the matching entries go), watch (a "new"
# and a "destroy" event, exit 0 on SIGINT), flush, usage errors, and bulk
# entries made over netlink by ct_fill.
: "${top_srcdir:?}" "${FWCTL:?}"
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
command -v python3 >/dev/null || { echo "needs python3"; exit 77; }
cli=fwh-ct-$$-cli
srv=fwh-ct-$$-srv
tmp=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	ip netns del $cli 2>/dev/null
	ip netns del $srv 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
. "$top_srcdir/tests/unit/tap.sh"
ct() { "$FWCTL" --netns $srv conntrack "$@"; }
ctj() { "$FWCTL" --netns $srv -j conntrack "$@"; }
lines() { ct list "$@" | tail -n +2 | wc -l; }
listed() {	# listed PATTERN FILTER...: list FILTER... has a matching line
	pattern=$1; shift
	ct list "$@" | grep -Eq -- "$pattern"
}
equals() {	# equals WANT COMMAND...
	want=$1; shift
	got=$("$@")
	[ "$got" = "$want" ] || { echo "got '$got', want '$want'"; return 1; }
}
json_is() {	# json_is EXPR ARGS...: -j conntrack ARGS is JSON d, EXPR holds
	expr=$1; shift
	ctj "$@" | python3 -c \
		"import json, sys; d = json.load(sys.stdin); assert $expr, d"
}
wait_for() {	# wait_for COMMAND...: up to 5 s for it to succeed
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -lt 50 ] || return 1; sleep 0.1
	done
}

ip netns add $cli && ip netns add $srv || exit 99
ip -n $cli link add ct0 type veth peer name ct1 netns $srv || exit 99
ip -n $cli addr add 10.99.0.1/24 dev ct0
ip -n $cli addr add fd99::1/64 dev ct0 nodad
ip -n $srv addr add 10.99.0.2/24 dev ct1
ip -n $srv addr add fd99::2/64 dev ct1 nodad
for ns in $cli $srv; do ip -n $ns link set lo up; done
ip -n $cli link set ct0 up && ip -n $srv link set ct1 up || exit 99

cat >"$tmp/rules.fw" <<'RULES'
policy input drop
accept input iif lo
accept input proto tcp to port 8080
accept input proto udp to port { 5353, 5354 }
RULES
"$FWCTL" --netns $srv --rundir "$tmp/run" apply "$tmp/rules.fw" || exit 99

# The server: TCP echo on 8080, UDP echo on 5353, both families.
cat >"$tmp/server.py" <<'PY'
import socket, threading
tcp = socket.socket(socket.AF_INET6)
tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
tcp.bind(("::", 8080)); tcp.listen()
udp = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
udp.bind(("::", 5353))
def echo(c):
    for d in iter(lambda: c.recv(100), b""):
        c.sendall(d)
def accept():
    while True:
        threading.Thread(target=echo, args=(tcp.accept()[0],),
                         daemon=True).start()
threading.Thread(target=accept, daemon=True).start()
while True:
    d, a = udp.recvfrom(100); udp.sendto(d, a)
PY
# The client: udp ADDR PORT SPORT... sends one datagram from each source
# port (and waits for the echo, if any); tcp holds one connection open.
cat >"$tmp/client.py" <<'PY'
import socket, sys, time
kind, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
if kind == "tcp":
    s = socket.create_connection((addr, port), timeout=5)
    s.sendall(b"hi"); s.recv(10)
    print(s.getsockname()[1], flush=True)
    time.sleep(600)
for sport in sys.argv[4:]:
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind(("", int(sport))); s.settimeout(0.5)
    s.sendto(b"ping", (addr, port))
    try:
        s.recv(10)
    except OSError:
        pass
PY
ip netns exec $srv python3 "$tmp/server.py" & pids="$pids $!"
wait_for ip netns exec $srv python3 -c \
	"import socket; socket.create_connection(('::1', 8080))" || exit 99
ip netns exec $cli python3 "$tmp/client.py" tcp 10.99.0.2 8080 >"$tmp/tcpport" &
pids="$pids $!"
wait_for test -s "$tmp/tcpport" || exit 99
tcpport=$(cat "$tmp/tcpport")
ip netns exec $cli python3 "$tmp/client.py" udp 10.99.0.2 5353 40001 40002 40003
ip netns exec $cli python3 "$tmp/client.py" udp fd99::2 5353 40004
ip netns exec $cli python3 "$tmp/client.py" udp 10.99.0.2 5354 40005
# Entries made by hand: DNAT of 203.0.113.9:80 to the server's 8080.
have_ct_tool=
if command -v conntrack >/dev/null; then
	have_ct_tool=1
	ip netns exec $srv conntrack -I -p tcp -s 10.99.0.1 -d 203.0.113.9 \
		--sport 1111 --dport 80 -r 10.99.0.2 -q 10.99.0.1 \
		--reply-port-src 8080 --reply-port-dst 1111 \
		--state ESTABLISHED -u SEEN_REPLY -t 300 2>/dev/null
fi
ct list >"$tmp/list"
cat "$tmp/list"

tcp_line="^tcp +established .* 10\.99\.0\.1:$tcpport -> 10\.99\.0\.2:8080\$"
ok "list shows the TCP connection" grep -Eq "$tcp_line" "$tmp/list"
udp_line='^udp +(replied|assured) .* 10\.99\.0\.1:4000[123] -> 10\.99\.0\.2:5353$'
ok "list shows three replied IPv4 UDP flows" \
	equals 3 grep -Ec "$udp_line" "$tmp/list"
ok "list shows the IPv6 flow in brackets" grep -Eq \
	'^udp .* \[fd99::1\]:40004 -> \[fd99::2\]:5353$' "$tmp/list"
ok "list shows the unanswered flow as unreplied" grep -Eq \
	'^udp +unreplied .* 10\.99\.0\.1:40005 -> 10\.99\.0\.2:5354$' \
	"$tmp/list"
ok "count is the number of lines list prints" \
	equals "$(tail -n +2 "$tmp/list" | wc -l)" ct count
ok "count -j is JSON" json_is 'd["count"] > 5' count
ok "filter dport 8080 sport N: the one connection" \
	equals 1 lines dport 8080 sport $tcpport
ok "filter proto udp dport 5353: four flows" \
	equals 4 lines proto udp dport 5353
ok "filter family ipv6: one UDP flow" equals 1 lines family ipv6 proto udp
ok "filter dst fd99::/64 sport 40004" \
	equals 1 lines dst fd99::/64 sport 40004
ok "filter src prefix" equals 3 lines src 10.99.0.0/24 proto udp dport 5353
ok "filter src of nobody" equals 0 lines src 10.98.0.0/16
ok "filter state unreplied" equals 1 lines state unreplied
ok "filter state established (TCP)" listed ":$tcpport -> " state established
ok "filter state: a list is any of them" \
	equals $((2 + ${have_ct_tool:-0})) lines state established,unreplied
ok "filter count matches list" equals "$(lines proto udp)" ct count proto udp
ctj list >"$tmp/json"
ok "list -j is JSON" python3 -m json.tool "$tmp/json"
cat >"$tmp/tuple.py" <<'PY'
import json, sys
port = int(sys.argv[1])
e = [e for e in json.load(open(sys.argv[2]))
     if e["proto"] == "tcp" and e["original"]["sport"] == port]
assert len(e) == 1, e
e = e[0]
assert e["family"] == "ipv4" and e["state"] == "established", e
assert e["original"] == {"src": "10.99.0.1", "dst": "10.99.0.2",
                         "sport": port, "dport": 8080}, e
assert e["reply"] == {"src": "10.99.0.2", "dst": "10.99.0.1",
                      "sport": 8080, "dport": port}, e
assert "seen-reply" in e["status"] and e["timeout"] > 0, e
PY
ok "list -j has the TCP connection's tuples" \
	python3 "$tmp/tuple.py" $tcpport "$tmp/json"
if [ -n "$have_ct_tool" ]; then
	ok "list shows DNAT" grep -Eq ' 10\.99\.0\.1:1111 -> 203\.0\.113\.9:80 \[dnat: 10\.99\.0\.2:8080\]$' \
		"$tmp/list"
	ok "dst matches before NAT" equals 1 lines dst 203.0.113.9 dport 80
	ok "dst matches after NAT" equals 2 lines dst 10.99.0.2 dport 8080
	ok "dst before and dport after NAT do not mix" \
		equals 0 lines dst 203.0.113.9 dport 8080
fi

# watch: started before the flow, so the kernel reports it both ways.
"$FWCTL" --netns $srv -v conntrack watch proto udp \
	>"$tmp/watch" 2>"$tmp/watch.err" &
wpid=$!
"$FWCTL" --netns $srv -v -j conntrack watch sport 40006 \
	>"$tmp/watchj" 2>"$tmp/watchj.err" &
wjpid=$!
pids="$pids $wpid $wjpid"
ok "watch starts" wait_for grep -q watching "$tmp/watch.err"
ok "watch -j starts" wait_for grep -q watching "$tmp/watchj.err"
ip netns exec $cli python3 "$tmp/client.py" udp 10.99.0.2 5353 40006
ok "watch prints a new event" wait_for grep -Eq \
	'^new +udp .* 10\.99\.0\.1:40006 -> 10\.99\.0\.2:5353$' "$tmp/watch"
ok "delete by filter deletes exactly that flow" equals "deleted 1 entry" \
	ct delete sport 40006
ok "watch prints the destroy event" wait_for grep -Eq \
	'^destroy +udp .* 10\.99\.0\.1:40006 -> 10\.99\.0\.2:5353$' "$tmp/watch"
ok "watch -j prints the destroy event" \
	wait_for grep -q '"event":"destroy"' "$tmp/watchj"
kill -INT $wpid; wait $wpid; wst=$?
kill -TERM $wjpid; wait $wjpid; wjst=$?
ok "watch exits 0 on SIGINT" test "$wst" = 0
ok "watch -j exits 0 on SIGTERM" test "$wjst" = 0
ok "watch filters: only UDP events" \
	equals 0 grep -Ecv '^(EVENT|[a-z]+ +udp) ' "$tmp/watch"
ok "watch -j lines are JSON objects of that flow only" python3 -c "
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert [e['event'] for e in ev][0] == 'new' and ev[-1]['event'] == 'destroy', ev
assert all(e['original']['sport'] == 40006 for e in ev), ev
" "$tmp/watchj"

before=$(ct count)
ok "delete removes the matching UDP flows" \
	equals "deleted 4 entries" ct delete proto udp dport 5353
ok "they are gone" equals 0 lines proto udp dport 5353
ok "the others stay" equals $((before - 4)) ct count
ok "the TCP connection stays" equals 1 lines dport 8080 sport $tcpport
ok "delete of nothing deletes nothing" \
	equals "deleted 0 entries" ct delete src 10.98.0.1

if [ -x "$top_builddir/tests/bench/ct_fill" ]; then
	ok "ct_fill makes 1000 entries" \
		ip netns exec $srv "$top_builddir/tests/bench/ct_fill" 1000
	ok "mark filter (kernel side) counts them" equals 63 ct count mark 5
	ok "mark with a mask" equals 500 ct count mark 1/1 src 10.0.0.0/16
	ok "delete by mark" equals "deleted 63 entries" ct delete mark 5
	ok "count after delete" equals 937 ct count src 10.0.0.0/16
fi

ok "flush exits 0" ct flush
ok "flush empties the table" equals 0 ct count
ok "list of an empty table is the header" equals 0 lines
ok "list -j of an empty table is []" json_is 'd == []' list

ok "delete without a filter is a usage error" status_is 64 ct delete
ok "... and says to use flush" grep -q flush "$tmp/out"
ok "flush with a filter is a usage error" status_is 64 ct flush proto tcp
ok "unknown filter is a usage error" status_is 64 ct list colour blue
ok "... quoting it" grep -q "'colour'" "$tmp/out"
ok "bad address is a usage error" status_is 64 ct list src 10.0.0.300
ok "... quoting it" grep -q "'10.0.0.300'" "$tmp/out"
ok "bad prefix is a usage error" status_is 64 ct count dst fd99::/129
ok "bad state is a usage error" status_is 64 ct list state sleepy
ok "missing value is a usage error" status_is 64 ct list dport
ok "unknown subcommand is a usage error" status_is 64 ct frobnicate
ok "unknown netns is a system error" \
	status_is 2 "$FWCTL" --netns fwh-ct-none-$$ conntrack list
tap_end
