#!/bin/sh
# Inspect rules through `fwctl apply` in a scratch namespace: the inspect
# chains appear with the queue mechanism `fwctl status` names; with no
# daemon listening, a fail-open rule lets its packets pass and a
# fail-closed one drops them; DIR/inspect.conf holds the profiles, and
# flush empties it. Without any queue mechanism, apply must refuse and
# change nothing.
: "${top_srcdir:?}" "${FWCTL:?}"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v nft >/dev/null && command -v ip >/dev/null &&
	command -v python3 >/dev/null ||
	{ echo "SKIP: needs nft, ip and python3"; exit 77; }
ns=fwh-inspect-$$
ip netns add $ns || { echo "SKIP: no netns"; exit 77; }
tmp=$(mktemp -d /tmp/fwctl-inspect.XXXXXX)
trap 'ip netns del $ns; rm -rf "$tmp"' EXIT
ip -n $ns link set lo up
fail=0

check() {
	if eval "$2"; then
		echo "ok - $1"
	else
		echo "not ok - $1"
		fail=1
	fi
}

# 0 when one UDP datagram to 127.0.0.1:PORT arrives within a second.
udp_reaches() {
	ip netns exec $ns python3 - "$1" <<'PY'
import socket, sys
port = int(sys.argv[1])
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.bind(("127.0.0.1", port))
r.settimeout(1)
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", port))
try:
    r.recv(16)
except socket.timeout:
    sys.exit(1)
PY
}

cat >"$tmp/inspect.fw" <<'FW'
set bad = { "*.example.invalid", "Tracker.Example" }
inspect output proto udp port 9001 deny dns @bad
inspect output proto udp port 9002 deny dns @bad fail-closed queue-length 16
FW
run() { "$FWCTL" --netns $ns --rundir "$tmp/run" "$@"; }

mech=$(run status | sed -n 's/^inspection: //p')
echo "# inspection: $mech"
if [ "$mech" = none ]; then
	run apply "$tmp/inspect.fw" 2>"$tmp/err"
	check "apply refused without a queue mechanism" '[ $? = 2 ]'
	check "the reason is given" \
		'grep -q "cannot queue packets to userspace" "$tmp/err"'
	check "nothing applied" \
		'! ip netns exec $ns nft list table inet fwctl 2>/dev/null'
	exit $fail
fi
check "status names a mechanism" \
	'[ "$mech" = "native nft queue" ] ||
	 [ "$mech" = "queue via xt NFQUEUE (nft_compat)" ]'

check "both ports pass before apply" 'udp_reaches 9001 && udp_reaches 9002'
run apply "$tmp/inspect.fw" 2>"$tmp/err"
check "apply succeeds" '[ $? = 0 ]'
check "no daemon: a warning" 'grep -q "fwctld is not running" "$tmp/err"'
ip netns exec $ns nft list ruleset >"$tmp/list" 2>/dev/null
check "inspect chain at priority 10" \
	'grep -q "hook output priority filter + 10; policy accept;" "$tmp/list"'
check "mark chain at priority 20" \
	'grep -q "hook output priority 20; policy accept;" "$tmp/list"'
check "verdict mark copied to the connection" \
	'grep -q "ct mark set meta mark" "$tmp/list"'
check "no other inspect chains" \
	'! grep -q "chain inspect_forward\|chain inspect_input" "$tmp/list"'
check "fail-open: packets bypass the queue nobody reads" 'udp_reaches 9001'
check "fail-closed: packets wait for a daemon, and die" '! udp_reaches 9002'
check "inspect.conf has both profiles" \
	'[ "$(grep -c "^profile" "$tmp/run/inspect.conf")" = 2 ]'
check "queue-length reaches the daemon's config" \
	'grep -q "^queue-maxlen 16" "$tmp/run/inspect.conf"'
check "names lowercased" 'grep -q "tracker.example" "$tmp/run/inspect.conf"'
run flush
check "flush empties inspect.conf" \
	'! grep -q "^profile" "$tmp/run/inspect.conf"'
check "after flush both ports pass" 'udp_reaches 9001 && udp_reaches 9002'
exit $fail
