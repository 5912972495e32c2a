#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# utils/deps.sh -- install the Debian packages the build, tests and demo need
#
# Sourced by utils/check.sh and utils/demo.sh. As root it runs apt-get for
# whatever is missing; otherwise it prints the exact apt-get line and fails.
set -euo pipefail

DEPS_BUILD=(build-essential cmake pkg-config libfabric-dev libfabric-bin
	libibverbs-dev librdmacm-dev uuid-dev)
DEPS_TEST=(libcmocka-dev openssh-server openssh-client valgrind clang
	clang-format libclang-rt-14-dev procps iproute2 python3)
DEPS_COMPAT=(libpmemobj-dev libpmem-dev pmdk-tools)
DEPS_DOC=(pandoc man-db)

deps_missing() {
	local p missing=()
	for p in "$@"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed'; then
			missing+=("$p")
		fi
	done
	echo "${missing[@]:-}"
}

deps_install() {
	local missing
	missing=$(deps_missing "$@")
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "missing Debian packages; install them with:" >&2
		echo "  sudo apt-get install -y $missing" >&2
		return 1
	fi
	echo "installing: $missing"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y --no-install-recommends $missing \
		>/tmp/rpmem-ng-apt.log 2>&1; then
		apt-get update >>/tmp/rpmem-ng-apt.log 2>&1 || true
		apt-get install -y --no-install-recommends $missing \
			>>/tmp/rpmem-ng-apt.log 2>&1 || {
			echo "apt-get failed; see /tmp/rpmem-ng-apt.log" >&2
			tail -20 /tmp/rpmem-ng-apt.log >&2
			return 1
		}
	fi
}
