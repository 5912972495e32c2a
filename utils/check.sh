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
# Environment: JOBS (default: nproc), CHECK_SKIP_ASAN=1 to skip the second
# build, CTEST_ARGS for extra ctest arguments.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. utils/deps.sh
deps_install "${DEPS_BUILD[@]}" "${DEPS_TEST[@]}" "${DEPS_COMPAT[@]}" \
	"${DEPS_DOC[@]}"

jobs=${JOBS:-$(nproc)}
start=$(date +%s)

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDEVELOPER_MODE=ON \
	-DBUILD_TESTS=ON >/dev/null
cmake --build build -j "$jobs"
(cd build && ctest -j "$jobs" --output-on-failure ${CTEST_ARGS:-})

if [ "${CHECK_SKIP_ASAN:-0}" != 1 ]; then
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DDEVELOPER_MODE=ON \
		-DENABLE_ASAN=ON -DENABLE_UBSAN=ON -DBUILD_DOC=OFF \
		-DBUILD_BENCHMARKS=OFF -DBUILD_FUZZERS=ON \
		-DENABLE_FAULT_INJECTION=ON \
		-DCMAKE_C_COMPILER=clang >/dev/null
	cmake --build build-asan -j "$jobs"
	(cd build-asan && ASAN_OPTIONS=detect_leaks=1 \
		ctest -j "$jobs" --output-on-failure -L 'unit|integration|fuzz' \
		${CTEST_ARGS:-})
fi
echo "check.sh: all passed in $(($(date +%s) - start)) s"
