#!/bin/sh
# Runs each fuzzer of the daemon's input for a fifth of FUZZ_SECONDS (30 by
# default) from its seeds in tests/fuzz/dissect/NAME/: real ClientHellos,
# requests, queries, packets and control socket messages. A crash leaves its input in tests/fuzz/ of the build
# tree. Skipped without clang; libFuzzer's own error exit code is 77,
# which automake would take for a skip, hence -error_exitcode=1.
: "${top_srcdir:?}" "${top_builddir:?}"
seconds=$(( ${FUZZ_SECONDS:-30} / 5 ))
[ "$seconds" -ge 1 ] || seconds=1
for name in tls http dns packet control; do
	if [ ! -x "$top_builddir/tests/fuzz/fuzz_$name" ]; then
		echo "fuzz_$name was not built (it needs clang with libFuzzer)"
		exit 77
	fi
done
work=$(mktemp -d) || exit 99
trap 'rm -rf "$work"' EXIT
for name in tls http dns packet control; do
	mkdir "$work/$name" || exit 99
	cp "$top_srcdir/tests/fuzz/dissect/$name"/* "$work/$name/" || exit 99
	"$top_builddir/tests/fuzz/fuzz_$name" -max_total_time="$seconds" \
		-max_len=9000 -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -error_exitcode=1 -timeout_exitcode=1 \
		-artifact_prefix="$top_builddir/tests/fuzz/$name-" \
		"$work/$name" || exit 1
done
