#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# utils/check.sh -- the whole test suite on a fresh Debian machine
#
# Installs missing packages, configures and builds in build/ (warnings are
# errors), runs every ctest label (unit, integration, compat, fuzz), then
# rebuilds in build-asan/ with clang, AddressSanitizer + UBSan, libFuzzer and
# the failure injection hooks and runs the unit, integration (with the fault
# sweep) and (short) fuzz tests once more.
#
# A third build, build-tsan/ (clang, ThreadSanitizer), runs only the tests
# labelled tsan (tests/*/CMakeLists.txt), and builds only their programs,
# the libraries and rpmemd. They are what has threads: several lanes from
# several threads (rpmem-e2e threads groups over tcp; not over sockets:
# the sockets provider closes descriptors that its own thread still uses
# at fi_shutdown, and ThreadSanitizer 14 crashes while reporting that,
# before any suppression applies), libpmemobj with a remote replica
# (obj-replica), and the fabric code of client and daemon against the fake
# libfabric; rpmemd's own reports land in build-tsan/tsan-logs and fail
# the check.
#
# The unit tests and the integration tests labelled valgrind (client and
# rpmemd, both under memcheck) of build/ then run under valgrind
# (utils/valgrind.cmake); any memcheck error or definite leak fails the
# check.
#
# At the end it prints a summary: per build (gcc, valgrind, asan, tsan) the
# tests passed, failed and skipped, and every skipped test with the reason
# it printed (utils/check-summary.py, from ctest's JUnit output).
#
# Environment: JOBS (default: nproc), CHECK_SKIP_ASAN=1 to skip the second
# build, CHECK_SKIP_TSAN=1 the third, CHECK_SKIP_VALGRIND=1 the valgrind
# runs, CTEST_ARGS for extra ctest arguments.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. utils/deps.sh
deps_install "${DEPS_BUILD[@]}" "${DEPS_TEST[@]}" "${DEPS_COMPAT[@]}" \
	"${DEPS_DOC[@]}"

jobs=${JOBS:-$(nproc)}
start=$(date +%s)
summary=()
# summarize ctest|valgrind <build label> <files...>: one build's counts and
# skip reasons, kept for the end (a summary that cannot be made is said so)
summarize() {
	local s
	s=$(python3 "$top/utils/check-summary.py" "$@" 2>&1) ||
		s="$2: no summary ($s)"
	summary+=("$s")
}

# unbuilt <build> <label regex>: the tests with a matching label whose
# program is not built in <build> (ctest shows them without a command)
unbuilt() {
	(cd "$1" && ctest -N -L "$2" --show-only=json-v1) | python3 -c '
import json, sys
for t in json.load(sys.stdin)["tests"]:
    if not t.get("command"):
        print(t["name"])'
}

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDEVELOPER_MODE=ON \
	-DBUILD_TESTS=ON >/dev/null
cmake --build build -j "$jobs"
rm -f build/check-junit.xml
(cd build && ctest -j "$jobs" --output-on-failure \
	--output-junit "$top/build/check-junit.xml" ${CTEST_ARGS:-})
summarize ctest "build/ (gcc)" build/check-junit.xml
if [ "${CHECK_SKIP_VALGRIND:-0}" != 1 ]; then
	cmake -DBUILD_DIR=build -P utils/valgrind.cmake |
		tee build/check-valgrind.log
	summarize valgrind "build/ under valgrind" build/check-valgrind.log \
		build/valgrind
fi

if [ "${CHECK_SKIP_ASAN:-0}" != 1 ]; then
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DDEVELOPER_MODE=ON \
		-DENABLE_ASAN=ON -DENABLE_UBSAN=ON -DBUILD_DOC=OFF \
		-DBUILD_BENCHMARKS=OFF -DBUILD_FUZZERS=ON \
		-DENABLE_FAULT_INJECTION=ON \
		-DCMAKE_C_COMPILER=clang >/dev/null
	cmake --build build-asan -j "$jobs"
	rm -f build-asan/check-junit.xml
	(cd build-asan && ASAN_OPTIONS=detect_leaks=1 \
		ctest -j "$jobs" --output-on-failure -L 'unit|integration|fuzz' \
		--output-junit "$top/build-asan/check-junit.xml" ${CTEST_ARGS:-})
	summarize ctest "build-asan/ (clang, ASan, UBSan, fault injection)" \
		build-asan/check-junit.xml
fi
if [ "${CHECK_SKIP_TSAN:-0}" != 1 ]; then
	cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DDEVELOPER_MODE=ON -DENABLE_TSAN=ON -DBUILD_DOC=OFF \
		-DBUILD_BENCHMARKS=OFF -DCMAKE_C_COMPILER=clang >/dev/null
	# the programs of the tests labelled tsan, and what they run
	cmake --build build-tsan -j "$jobs" --target rpmemd rpmem pmemobj \
		rpmem-e2e obj-replica rpmemd-fabric_server librpmem-fip
	missing=$(unbuilt build-tsan '^tsan$')
	if [ -n "$missing" ]; then
		echo "check.sh: labelled tsan but not built in build-tsan/" \
			"(add its target above):" $missing >&2
		exit 1
	fi
	logs=$top/build-tsan/tsan-logs
	rm -rf "$logs" && mkdir -p "$logs"
	rm -f build-tsan/check-junit.xml
	(cd build-tsan && TSAN_OPTIONS="halt_on_error=1 exitcode=66" \
		RPMEM_TEST_DAEMON_ENV="TSAN_OPTIONS=log_path=$logs/rpmemd:suppressions=$top/utils/tsan.supp" \
		ctest -j "$jobs" --output-on-failure ${CTEST_ARGS:-} \
		--output-junit "$top/build-tsan/check-junit.xml" -L '^tsan$')
	if ls "$logs"/rpmemd* >/dev/null 2>&1; then
		cat "$logs"/rpmemd* >&2
		echo "check.sh: ThreadSanitizer reports from rpmemd" >&2
		exit 1
	fi
	summarize ctest "build-tsan/ (clang, TSan)" build-tsan/check-junit.xml
fi
echo "check.sh: summary per build (each skipped test with what it printed):"
printf '%s\n' "${summary[@]}"
echo "check.sh: all passed in $(($(date +%s) - start)) s"
