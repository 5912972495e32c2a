#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""test-labels.py -- nothing in tests/ falls out of utils/check.sh unseen

usage: test-labels.py <build dir> <source dir> <registry>

Fails (exit 1, one line per finding) when
- a ctest test has none of the labels check.sh's runs select by,
- a program built under tests/ (listed in <registry>, written by
  tests/CMakeLists.txt) is run by no ctest test (its path is in no test's
  command or environment),
- a directory of tests/ has a CMakeLists.txt that no add_subdirectory()
  reads (a stand-alone project, with its own project(), excepted),
- a directory of src/ with C files is not given to the function-length test.
"""
import json
import os
import subprocess
import sys

LABELS = {"unit", "integration", "compat", "fuzz", "packaging"}


def ctest_tests(build):
    out = subprocess.run(["ctest", "-N", "--show-only=json-v1"], cwd=build,
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["tests"]


def prop(test, name):
    for p in test.get("properties", []):
        if p["name"] == name:
            v = p["value"]
            return v if isinstance(v, list) else [v]
    return []


def used_paths(tests):
    """every word of every command and value of every environment"""
    used = set()
    for t in tests:
        used.update(t.get("command") or [])
        for e in prop(t, "ENVIRONMENT"):
            used.add(e.split("=", 1)[-1])
    return used


def read_registry(path):
    progs, dirs = [], set()
    with open(path) as f:
        for line in f:
            kind, _, val = line.rstrip("\n").partition(" ")
            (progs.append if kind == "program" else dirs.add)(val)
    return progs, dirs


def unread_dirs(src, dirs):
    for root, _, files in os.walk(os.path.join(src, "tests")):
        if "CMakeLists.txt" not in files or root in dirs:
            continue
        with open(os.path.join(root, "CMakeLists.txt")) as f:
            if "project(" not in f.read():
                yield root


def unchecked_src_dirs(src, tests):
    funclen = [t for t in tests if t["name"] == "function-length"]
    given = set(funclen[0].get("command") or []) if funclen else set()
    for root, _, files in os.walk(os.path.join(src, "src")):
        if any(f.endswith(".c") for f in files) and root not in given:
            yield root


def main(build, src, registry):
    tests = ctest_tests(build)
    bad = []
    for t in tests:
        if not LABELS & set(prop(t, "LABELS")):
            bad.append("test %s has none of the labels %s" %
                       (t["name"], " ".join(sorted(LABELS))))
    progs, dirs = read_registry(registry)
    used = used_paths(tests)
    for p in progs:
        if os.path.exists(p) and p not in used:
            bad.append("program %s is run by no ctest test" % p)
    for d in unread_dirs(src, dirs):
        bad.append("%s/CMakeLists.txt is not in tests/CMakeLists.txt's "
                   "TEST_DIRS (or its parent's add_subdirectory)" % d)
    for d in unchecked_src_dirs(src, tests):
        bad.append("%s is not in tests/CMakeLists.txt's FUNCLEN_DIRS" % d)
    for b in bad:
        print("test-labels: " + b)
    print("test-labels: %d tests, %d programs, %d findings" %
          (len(tests), len(progs), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*(os.path.realpath(a) for a in sys.argv[1:])))
