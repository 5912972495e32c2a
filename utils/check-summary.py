#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# utils/check-summary.py -- one build's results for utils/check.sh's summary
#
# usage: check-summary.py ctest <build> <junit.xml>
#            (ctest --output-junit of the build's run)
#        check-summary.py valgrind <build> <valgrind.cmake output> <log dir>
#            (the "-- clean|skipped|FAILED <name>" lines of
#            utils/valgrind.cmake; each test's output in <log dir>/<name>.out)
#
# Prints "<build>: passed N, failed N, skipped N", then one line per skipped
# test with the reason it printed: the last line of its output that speaks
# of skipping ("skipped: ...", "SKIP: ..."), else its last line.
import re
import sys
import xml.etree.ElementTree as ET

SKIP_LINE = re.compile(r"skip", re.I)


def reason(output):
    lines = [l.strip() for l in output.splitlines() if l.strip()]
    said = [l for l in lines if SKIP_LINE.search(l)]
    if said:
        return said[-1][:200]
    return lines[-1][:200] if lines else "(it printed nothing)"


def from_junit(path):
    """(passed, failed, [(skipped name, output)])"""
    passed, failed, skipped = 0, 0, []
    for case in ET.parse(path).getroot().iter("testcase"):
        out = case.findtext("system-out") or ""
        status = case.get("status")
        if case.find("skipped") is not None or status == "notrun":
            skipped.append((case.get("name"), out))
        elif status == "fail" or case.find("failure") is not None:
            failed += 1
        else:
            passed += 1
    return passed, failed, skipped


def from_valgrind(path, logs):
    passed, failed, skipped = 0, 0, []
    for line in open(path, errors="replace"):
        m = re.match(r"-- (clean|skipped|FAILED) +(\S+) ", line)
        if not m:
            continue
        if m.group(1) == "clean":
            passed += 1
        elif m.group(1) == "FAILED":
            failed += 1
        else:
            try:
                out = open("%s/%s.out" % (logs, m.group(2)),
                           errors="replace").read()
            except OSError:
                out = ""
            skipped.append((m.group(2), out))
    return passed, failed, skipped


def main(argv):
    if len(argv) == 4 and argv[1] == "ctest":
        passed, failed, skipped = from_junit(argv[3])
    elif len(argv) == 5 and argv[1] == "valgrind":
        passed, failed, skipped = from_valgrind(argv[3], argv[4])
    else:
        sys.stderr.write(
            "usage: check-summary.py ctest <build> <junit.xml> | "
            "valgrind <build> <output> <log dir>\n")
        return 2
    print("%s: passed %d, failed %d, skipped %d"
          % (argv[2], passed, failed, len(skipped)))
    for name, out in skipped:
        print("  skipped %s: %s" % (name, reason(out)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
