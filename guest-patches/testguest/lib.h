/* SPDX-License-Identifier: GPL-2.0-only */
/* Freestanding string, formatting and console helpers. */
#ifndef TESTGUEST_LIB_H
#define TESTGUEST_LIB_H

#include "types.h"

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
const char *strstr(const char *hay, const char *needle);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
unsigned long parse_ulong(const char *s, const char **end);

/* console.c: hypervisor console output (console_io write). */
void console_write(const char *s, size_t n);
/* A domU's console ring (NULL for dom0 or without one) and a write into it. */
struct xencons_interface *console_ring(void);
void console_ring_write(const char *s, size_t n);
void printk(const char *fmt, ...) __printf(1, 2);

/* Deterministic pseudo-random numbers (xorshift64*). */
void rng_seed(u64 seed);
u64 rng_next(void);

/* entry.S: a minimal setjmp/longjmp (callee-saved registers, rsp, rip). */
struct jmpbuf {
    u64 rbx, rbp, r12, r13, r14, r15, rsp, rip;
};
int jb_set(struct jmpbuf *jb) __attribute__((returns_twice));
void jb_jump(struct jmpbuf *jb, int val) __noreturn;

/* main.c: stop the guest (SCHEDOP_shutdown) after printing the summary. */
void guest_exit(void) __noreturn;

#endif
