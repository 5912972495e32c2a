/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * crash.h -- what rpmemd leaves behind when it dies of a fatal signal
 *
 * Contract: rpmemd_crash_init() installs handlers for SIGSEGV, SIGBUS,
 * SIGILL, SIGFPE and SIGABRT that write one line naming the signal to the
 * log (with write(2) only), unlink the part files armed with
 * rpmemd_crash_arm() and then die of the same signal. A create arms its
 * part files until the fabric lanes are up (the client has not been told
 * the pool exists before that); rpmemd_crash_disarm() keeps them.
 * Arm and disarm are called from one thread at a time.
 */
#ifndef RPMEMD_CRASH_H
#define RPMEMD_CRASH_H 1

void rpmemd_crash_init(void);

/* the handler writes to this descriptor (default 2) */
void rpmemd_crash_log_fd(int fd);

/* paths are copied; 0, or -ENOMEM (then nothing is armed) */
int rpmemd_crash_arm(const char *const *paths, unsigned n);
void rpmemd_crash_disarm(void);

#endif /* RPMEMD_CRASH_H */
