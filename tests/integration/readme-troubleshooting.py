#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# readme-troubleshooting.py -- provokes every failure README.md's
# "Troubleshooting" section describes, through Debian's libpmemobj
# (examples/tx_remote) with this build's librpmem and rpmemd behind the
# private sshd, and checks that what the section quotes is what the code
# prints: pmemobj_errormsg(), errno (name and text), the line librpmem
# logs with RPMEM_LOG_LEVEL=1 and rpmemd's log line.
#
# Each "### " heading of the section is one case; its first ```text block
# holds "<what>: <text>" lines, where "<...>" in the text stands for
# anything. A heading the test does not know, or a case it knows that the
# section lacks, fails the test.
#
# usage: readme-troubleshooting.py <tx_remote> <rpmemd> <librpmem dir>
#        <README.md>   (SSHD_FIXTURE_DIR set by ctest)
import errno
import os
import re
import shutil
import subprocess
import sys
import tempfile

TX, RPMEMD, LIBDIR, README = map(os.path.abspath, sys.argv[1:5])
FX = os.environ["SSHD_FIXTURE_DIR"]
TARGET = open(os.path.join(FX, "target")).read().strip()
SIZE = "32M"


def section(text):
    """{heading: [(what, text)]} of the Troubleshooting section"""
    m = re.search(r"^## Troubleshooting\n(.*?)(?=^## )", text, re.M | re.S)
    if not m:
        sys.exit("FAIL: README.md has no '## Troubleshooting' section")
    cases = {}
    for part in re.split(r"^### ", m.group(1), flags=re.M)[1:]:
        head, _, body = part.partition("\n")
        block = re.search(r"^```text\n(.*?)^```", body, re.M | re.S)
        if not block:
            sys.exit("FAIL: no ```text block under '### %s'" % head)
        lines = []
        for line in block.group(1).splitlines():
            what, sep, said = line.partition(": ")
            if not sep:
                sys.exit("FAIL: '%s' under '### %s'" % (line, head))
            lines.append((what, said))
        cases[head] = (lines, body)
    return cases


def pattern(said):
    """the quoted text as a regex: <...> for anything"""
    parts = re.split(r"<[^<>]*>", said)
    return ".*".join(re.escape(p) for p in parts)


def ssh_without_key(d):
    """an ssh wrapper with a key the node does not know"""
    key = os.path.join(d, "otherkey")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                    key], check=True, stdin=subprocess.DEVNULL)
    conf = open(os.path.join(FX, "ssh_config")).read()
    conf = re.sub(r"IdentityFile .*", "IdentityFile " + key, conf)
    with open(os.path.join(d, "ssh_config"), "w") as f:
        f.write(conf)
    wrap = os.path.join(d, "ssh")
    with open(wrap, "w") as f:
        f.write('#!/bin/sh\nexec ssh -F "%s/ssh_config" "$@"\n' % d)
    os.chmod(wrap, 0o755)
    return wrap


# case: (target, remote set name, node set size or None, env changes)
def setups(d, badssh):
    rpmemd = "%s --poolset-dir=%s/node --log-file=%s/rpmemd.log" % (
        RPMEMD, d, d)
    return {
        "rpmemd is not installed on the node":
            (TARGET, "node.set", SIZE,
             {"RPMEM_CMD": "PATH=/nonexistent rpmemd"}),
        "The node has no such pool set":
            (TARGET, "other.set", SIZE, {"RPMEM_CMD": rpmemd}),
        "The node's pool set is too small":
            (TARGET, "node.set", "8M", {"RPMEM_CMD": rpmemd}),
        "Wrong port, or no sshd on the node":
            ("127.0.0.1:1", "node.set", SIZE, {"RPMEM_CMD": rpmemd}),
        "A host name that does not resolve":
            ("no-such-node.invalid", "node.set", SIZE,
             {"RPMEM_CMD": rpmemd}),
        "ssh asks for a password, or the key is refused":
            (TARGET, "node.set", SIZE,
             {"RPMEM_CMD": rpmemd, "RPMEM_SSH": badssh}),
        "rpmemd refuses the sockets provider":
            (TARGET, "node.set", SIZE,
             {"RPMEM_CMD": rpmemd, "RPMEM_PROVIDER": "sockets"}),
    }


def provoke(d, setup):
    target, rset, nsize, env_add = setup
    os.makedirs(os.path.join(d, "node"), exist_ok=True)
    with open(os.path.join(d, "node", "node.set"), "w") as f:
        f.write("PMEMPOOLSET\n%s %s/node/node.part\n" % (nsize, d))
    app = os.path.join(d, "app.set")
    with open(app, "w") as f:
        f.write("PMEMPOOLSET\n%s %s/app.part\nREPLICA %s %s\n"
                % (SIZE, d, target, rset))
    env = dict(os.environ, LD_LIBRARY_PATH=LIBDIR, PMEM_IS_PMEM_FORCE="1",
               RPMEM_LOG_LEVEL="1", RPMEM_SSH=os.path.join(FX, "ssh"))
    for k in ("RPMEM_PROVIDER", "RPMEM_ENABLE_SOCKETS", "RPMEM_LOG_FILE"):
        env.pop(k, None)
    env.update(env_add)
    r = subprocess.run([TX, app], env=env, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=120)
    if r.returncode == 0:
        sys.exit("FAIL: tx_remote succeeded:\n" + r.stdout)
    log = os.path.join(d, "rpmemd.log")
    return r.stderr, open(log).read() if os.path.exists(log) else ""


def check(head, quoted, stderr, rlog):
    m = re.search(r"^tx_remote: .*?: (.*) \(errno (\d+): (.*)\)$", stderr,
                  re.M)
    if not m:
        return "tx_remote did not report a failure"
    got = {"pmemobj_errormsg()": m.group(1)}
    for what, said in quoted:
        if what == "pmemobj_errormsg()":
            if got[what] != said:
                return "pmemobj_errormsg() is '%s'" % got[what]
        elif what == "errno":
            name, _, text = said.partition(" (")
            num = getattr(errno, name, None)
            if num != int(m.group(2)) or text.rstrip(")") != m.group(3):
                return "errno is %s (%s)" % (m.group(2), m.group(3))
        elif what == "RPMEM_LOG_LEVEL=1":
            lines = [l for l in stderr.splitlines()
                     if l.startswith("librpmem[")]
            if not any(re.search(": " + pattern(said) + "$", l)
                       for l in lines):
                return "no librpmem line ends in '%s'" % said
        elif what == "rpmemd log":
            if not re.search(pattern(said) + "$", rlog, re.M):
                return "rpmemd's log has no line '%s'" % said
        else:
            return "unknown line '%s: %s'" % (what, said)
    return None


CHECK_CASE = "`pmempool check` of a set with a remote replica"


def pmempool_check(d, quoted, body):
    """a pool made through the remote replica, then pmempool check of its
    set (refused), and the section's way around it (both copies pass)"""
    target, rset, nsize, env_add = setups(d, None)["The node has no such pool set"]
    env = dict(os.environ, LD_LIBRARY_PATH=LIBDIR, PMEM_IS_PMEM_FORCE="1",
               RPMEM_SSH=os.path.join(FX, "ssh"), **env_add)
    os.makedirs(os.path.join(d, "node"))
    with open(os.path.join(d, "node", "node.set"), "w") as f:
        f.write("PMEMPOOLSET\n%s %s/node/node.part\n" % (SIZE, d))
    with open(os.path.join(d, "app.set"), "w") as f:
        f.write("PMEMPOOLSET\n%s %s/app.part\nREPLICA %s node.set\n"
                % (SIZE, d, target))
    r = subprocess.run([TX, "app.set", "node/node.part", "5"], cwd=d, env=env,
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        return "tx_remote could not make the pool: " + r.stderr
    r = subprocess.run(["pmempool", "check", "app.set"], cwd=d, env=env,
                       capture_output=True, text=True, timeout=120)
    lines = (r.stdout + r.stderr).splitlines()
    if r.returncode == 0:
        return "pmempool check accepted the set: %s" % lines
    for what, said in quoted:
        if what != "pmempool check" or said not in lines:
            return "pmempool check printed %s, not '%s: %s'" % (
                lines, what, said)
    # the section's way around: its first sh line, run as written
    block = re.search(r"^```sh\n(.*?)\n", body, re.M | re.S)
    if not block:
        return "no sh block with the way around"
    r = subprocess.run(["bash", "-ec", block.group(1)], cwd=d, env=env,
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        return "'%s' did not pass: %s%s" % (block.group(1), r.stdout,
                                             r.stderr)
    r = subprocess.run(["pmempool", "check", "node/node.set"], cwd=d,
                       capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        return "pmempool check of the node's set: " + r.stdout + r.stderr
    return None


def main():
    cases = section(open(README).read())
    failed = 0
    with tempfile.TemporaryDirectory(prefix="readme-trouble.") as top:
        os.chmod(top, 0o755)
        badssh = ssh_without_key(top)
        known = setups(top, badssh)
        known[CHECK_CASE] = None
        for head in sorted(set(known) - set(cases)):
            print("FAIL: the README lacks '### %s'" % head)
            failed += 1
        for i, (head, (quoted, body)) in enumerate(cases.items()):
            if head not in known:
                print("FAIL: no way to provoke '### %s'" % head)
                failed += 1
                continue
            d = os.path.join(top, "case%d" % i)
            os.makedirs(d)
            stderr, rlog = "", ""
            if head == CHECK_CASE:
                why = pmempool_check(d, quoted, body)
            else:
                stderr, rlog = provoke(d, setups(d, badssh)[head])
                why = check(head, quoted, stderr, rlog)
            if why:
                print("FAIL: %s: %s\n--- stderr:\n%s--- rpmemd log:\n%s"
                      % (head, why, stderr, rlog))
                failed += 1
            else:
                print("ok: %s" % head)
            shutil.rmtree(d, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
