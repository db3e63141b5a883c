/* SPDX-License-Identifier: GPL-2.0-only */
/* String helpers, formatted output and the failure classes (BUG/ASSERT vs. errors). */
#ifndef PVX_LIB_H
#define PVX_LIB_H

#include <pvx/types.h>

/* lib/string.c (freestanding; the host unit tests use libc instead) */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t size);

/* lib/vsprintf.c */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* console.c: log to the serial line and the in-memory log ring. */
void printk(const char *fmt, ...) __printf(1, 2);
void vprintk(const char *fmt, va_list ap);

/* A host invariant broke: dump state and stop the machine. Never for guest mistakes. */
void __noreturn panic(const char *fmt, ...) __printf(1, 2);

#define BUG_ON(cond)                                                                               \
    do {                                                                                           \
        if (unlikely(cond))                                                                        \
            panic("BUG: %s at %s:%d", #cond, __FILE__, __LINE__);                                  \
    } while (0)

#ifdef NDEBUG
#define ASSERT(cond) ((void)0)
#else
#define ASSERT(cond)                                                                               \
    do {                                                                                           \
        if (unlikely(!(cond)))                                                                     \
            panic("assertion '%s' failed at %s:%d", #cond, __FILE__, __LINE__);                    \
    } while (0)
#endif
#define ASSERT_UNREACHABLE() panic("unreachable code at %s:%d", __FILE__, __LINE__)

#endif
