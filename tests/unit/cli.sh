#!/bin/sh
# The fwctl command line as a user meets it: exit codes, error format,
# --netns, check --kernel (validates, commits nothing), apply/show/flush,
# warnings for missing interfaces, JSON output that parses.
: "${top_srcdir:?}" "${FWCTL:?}"
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 77; }
ns=fwcli-$$
tmp=$(mktemp -d)
trap 'ip netns del $ns 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
ip netns add $ns || exit 99
# Its own run directory: the live cache and the inspect rules of an apply
# stay in the test, not in /run/fwctld.
printf '#!/bin/sh\nexec "%s" --rundir "%s" "$@"\n' "$FWCTL" "$tmp/run" \
	>"$tmp/fwctl" && chmod +x "$tmp/fwctl" || exit 99
FWCTL=$tmp/fwctl
. "$top_srcdir/tests/unit/tap.sh"
good=$tmp/good.fw
cat >"$good" <<'RULES'
zone lan { interfaces veth-nowhere }
policy input drop
accept input iif lo
accept input from lan proto tcp to port 22 counter
RULES
printf 'policy input drop\naccept input proto tcp to port 99999\n' >"$tmp/bad.fw"
ruleset() { ip netns exec $ns nft list ruleset; }

ok "no command is a usage error (64)" status_is 64 "$FWCTL"
ok "unknown command is a usage error (64)" status_is 64 "$FWCTL" frobnicate
ok "check of a good file exits 0" status_is 0 "$FWCTL" check "$good"
ok "check of a bad file exits 1" status_is 1 "$FWCTL" check "$tmp/bad.fw"
ok "error names file:line:col" grep -q "bad.fw:2:[0-9]*: error: " "$tmp/out"
ok "missing file is an error (1)" status_is 1 "$FWCTL" check "$tmp/none.fw"
ok "unknown netns is a system error (2)" status_is 2 "$FWCTL" --netns fwcli-none-$$ show
ok "check --kernel exits 0" status_is 0 "$FWCTL" --netns $ns check --kernel "$good"
ok "check --kernel commits nothing" test -z "$(ruleset)"
ok "apply exits 0" status_is 0 "$FWCTL" --netns $ns apply "$good"
ok "apply warns about a missing interface" grep -q "warning: interface 'veth-nowhere' does not exist" "$tmp/out"
ok "apply creates table inet fwctl" sh -c "ip netns exec $ns nft list table inet fwctl >/dev/null"
ruleset >"$tmp/before"
ok "apply of a bad file exits 1" status_is 1 "$FWCTL" --netns $ns apply "$tmp/bad.fw"
ruleset >"$tmp/after"
ok "a refused apply changes nothing" cmp -s "$tmp/before" "$tmp/after"
ok "show exits 0" status_is 0 "$FWCTL" --netns $ns show
ok "show names the source line" grep -q "good.fw:4" "$tmp/out"
ok "show -j is JSON" sh -c "'$FWCTL' --netns $ns -j show | python3 -m json.tool"
ok "status -j is JSON" sh -c "'$FWCTL' --netns $ns -j status | python3 -m json.tool"
ok "status sees the table" sh -c "'$FWCTL' --netns $ns status | grep -qi 'fwctl.*present\|present.*yes'"
ok "flush exits 0" status_is 0 "$FWCTL" --netns $ns flush
ok "flush removes the table" test -z "$(ruleset)"
ok "flush of nothing is fine" status_is 0 "$FWCTL" --netns $ns flush
# Other tables are not ours: apply and flush leave them alone.
ip netns exec $ns nft add table ip other
ip netns exec $ns nft add chain ip other c
ok "apply keeps other tables" sh -c "'$FWCTL' --netns $ns apply '$good' >/dev/null 2>&1 && ip netns exec $ns nft list table ip other >/dev/null"
ok "flush keeps other tables" sh -c "'$FWCTL' --netns $ns flush && ip netns exec $ns nft list table ip other >/dev/null"
tap_end
