# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the daemon tests: a client namespace and a server namespace
# on a veth pair, the server running fwctld behind NFQUEUE rules that
# mirror what fwctl will compile for `inspect` (queue undecided flows,
# copy the daemon's verdict mark to the connection mark, drop denied
# connections). Everything is removed on exit, whatever happens.
#
# Needs: $top_srcdir, $top_builddir (automake exports both), root.

[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v nft >/dev/null && command -v python3 >/dev/null ||
	{ echo "SKIP: needs nft and python3"; exit 77; }

T=$(basename "$0" .sh)
NSC=fwh-daemon-$T-c-$$
NSS=fwh-daemon-$T-s-$$
TMP=$(mktemp -d)
PEER="python3 $top_srcdir/tests/daemon/peer.py"
FWCTLD=$top_builddir/fwctld
QRULE=$top_builddir/tests/daemon/queue_rule
CTL=$top_builddir/tests/daemon/ctl
SOCK=$TMP/fwctld.sock
DPID=
FAILS=0

cleanup() {
	[ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null
	ip netns pids "$NSS" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns pids "$NSC" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns del "$NSC" 2>/dev/null
	ip netns del "$NSS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

inc() { ip netns exec "$NSC" "$@"; }
ins() { ip netns exec "$NSS" "$@"; }

check() {	# check WHAT COMMAND...: passes when the command succeeds
	what=$1; shift
	if "$@" >/dev/null 2>&1; then
		echo "ok: $what"
	else
		echo "FAIL: $what"
		FAILS=$((FAILS + 1))
	fi
}

check_not() {
	what=$1; shift
	if "$@" >/dev/null 2>&1; then
		echo "FAIL: $what"
		FAILS=$((FAILS + 1))
	else
		echo "ok: $what"
	fi
}

# net_up: the two namespaces, 10.99.0.1 (client) and 10.99.0.2 (server).
net_up() {
	ip netns add "$NSC" && ip netns add "$NSS" || exit 1
	ip link add fwhd-c$$ netns "$NSC" type veth peer fwhd-s$$ netns "$NSS"
	inc ip addr add 10.99.0.1/24 dev fwhd-c$$
	ins ip addr add 10.99.0.2/24 dev fwhd-s$$
	inc ip link set fwhd-c$$ up; inc ip link set lo up
	ins ip link set fwhd-s$$ up; ins ip link set lo up
}

# rules_up [bypass]: inspect tcp 443, 80 and udp 53 arriving at the server.
rules_up() {
	ins nft -f - <<-'NFT' || exit 1
	table inet fwhd {
		chain in {
			type filter hook input priority 0; policy accept;
			ct mark & 0x80000000 == 0x80000000 jump decided
			tcp dport { 80, 443 } jump inspect
			udp dport 53 jump inspect
		}
		chain decided {
			ct mark & 0x40000000 == 0x40000000 drop
			accept
		}
		chain inspect {
		}
		chain copy {
			type filter hook input priority 10; policy accept;
			meta mark & 0x80000000 == 0x80000000 ct mark set meta mark
			meta mark & 0xc0000000 == 0xc0000000 drop
		}
	}
	NFT
	ins "$QRULE" fwhd inspect 0 1 "$@" >"$TMP/queue-kind" || exit 1
	echo "queue rule: $(cat "$TMP/queue-kind") ${1:-}"
}

servers_up() {
	ins $PEER stream-server 443 1000000 &
	ins $PEER http-server 80 &
	ins $PEER dns-server 53 &
	# Until each listens: Python starts slowly on a busy machine (0.5 s
	# was once too little, late in make distcheck), and a client that
	# came first would count as blocked.
	for _ in $(seq 100); do
		listening && return 0
		sleep 0.1
	done
	echo "servers not listening after 10 s" >&2
	exit 1
}
# Whether the servers listen: TCP 80 and 443 (state 0A), UDP 53 bound,
# read from /proc/net (also in the VM's chroot, where ss may lack its
# kernel modules).
listening() {
	ins cat /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 \
		2>/dev/null | awk '
		$2 ~ /:0050$/ && $4 == "0A" { t80 = 1 }
		$2 ~ /:01BB$/ && $4 == "0A" { t443 = 1 }
		$2 ~ /:0035$/ && $4 == "07" { u53 = 1 }
		END { exit !(t80 && t443 && u53) }'
}

# daemon_up CONFIG-LINES...: writes the config file and starts fwctld
# (fwctld's text format: a "profile" line starts each profile).
daemon_up() {
	printf '%s\n' "$@" >"$TMP/fwctld.conf"
	# not through ins(): $! must be the daemon itself (ip netns exec execs)
	ip netns exec "$NSS" "$FWCTLD" -s "$SOCK" -c "$TMP/fwctld.conf" \
		2>>"$TMP/fwctld.log" &
	DPID=$!
	for _ in $(seq 50); do
		[ -S "$SOCK" ] && "$CTL" "$SOCK" status >/dev/null 2>&1 &&
			return 0
		sleep 0.1
	done
	echo "fwctld did not start:"; cat "$TMP/fwctld.log"; exit 1
}

stat_field() {	# stat_field NAME [QUEUE]: a field of a queue's status line
	"$CTL" "$SOCK" status | awk -v f="$1" -v q="${2:-0}" \
		'$1 == "queue" && $2 == q { for (i = 3; i < NF; i += 2)
			if ($i == f) print $(i + 1) }'
}

finish() {
	[ "$FAILS" = 0 ] && exit 0
	echo "--- fwctld log"; cat "$TMP/fwctld.log"
	exit 1
}
