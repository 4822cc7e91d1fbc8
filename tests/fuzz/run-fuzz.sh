#!/bin/sh
# Runs the parser fuzzer for FUZZ_SECONDS (30 by default) from a seed
# corpus of real rule files: the must-fail files, the golden files and the
# examples. A crash leaves its input in tests/fuzz/ of the build tree.
# Without clang (and so without the fuzzer) the test is skipped; libFuzzer's
# own error exit code is 77, which automake would take for a skip too.
: "${top_srcdir:?}" "${top_builddir:?}"
fuzzer=$top_builddir/tests/fuzz/fuzz_parser
if [ ! -x "$fuzzer" ]; then
	echo "fuzz_parser was not built (it needs clang with libFuzzer)"
	exit 77
fi
work=$(mktemp -d) || exit 99
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus" || exit 99
n=0
for f in "$top_srcdir"/tests/unit/errors/*.fw \
	 "$top_srcdir"/tests/unit/errors/*/*.fw \
	 "$top_srcdir"/tests/unit/compile/*.fw \
	 "$top_srcdir"/rules/examples/*.fw; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	cp "$f" "$work/corpus/seed$n.fw"
done
# Inputs may say include "x": let them find nothing of the source tree.
cd "$work" || exit 99
"$fuzzer" -max_total_time="${FUZZ_SECONDS:-30}" -max_len=4096 \
	-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-error_exitcode=1 -timeout_exitcode=1 \
	-dict="$top_srcdir/tests/fuzz/rules.dict" \
	-artifact_prefix="$top_builddir/tests/fuzz/" corpus
