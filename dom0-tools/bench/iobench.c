/* SPDX-License-Identifier: MIT */
/*
 * pvx-iobench: a small disk benchmark for dom0 and the Debian domU
 * (scripts/bench-devices.py).  It exists because Debian's fio cannot be
 * used there: fio links about 81 MiB of shared libraries (ceph, gluster,
 * ICU), too big for dom0's initramfs and the domU's root image under TCG.
 * This one is a static program of under 1 MiB.
 *
 *   pvx-iobench seq-read|seq-write|rand-read PATH [--bs SIZE] [--size SIZE]
 *               [--seconds N] [--count N] [--runtime-limit] [--verify]
 *
 * Every request uses O_DIRECT with a page-aligned buffer, so the page
 * cache of the reading/writing side is bypassed.  PATH is a block device
 * (its size from BLKGETSIZE64) or a regular file (seq-write creates or
 * extends it).
 *
 *   seq-write  SIZE bytes in BS requests from offset 0, then fdatasync
 *              (counted in the time).  Every 4 KiB of what it writes starts
 *              with its byte offset in PATH as a little-endian 64-bit
 *              number; the rest is filled with 0xa5 (--verify on a read
 *              checks it).
 *   seq-read   the same range read back in BS requests.
 *   rand-read  BS-sized reads at random BS-aligned offsets within SIZE, for
 *              --seconds (default 5) or --count requests.
 *
 * --bs defaults to 1M for seq-*, 4k for rand-read; it must be a multiple of
 * 4 KiB.  --size defaults to PATH's size rounded down to BS (seq-write on
 * a new file needs it).  SIZE syntax: digits with an optional k, m or g
 * suffix (binary units).  --runtime-limit stops the seq modes after
 * --seconds too.  Each request's latency is timed with CLOCK_MONOTONIC.
 *
 * Output, one line:
 *   pvx-iobench: MODE bs=N bytes=N requests=N seconds=S MiB/s=X iops=X
 *   lat-median-us=X lat-p99-us=X
 * Exit status 0; 2 for bad usage (also a PATH that refuses O_DIRECT, or is
 * smaller than SIZE); 1 for an I/O error or a --verify mismatch.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ALIGN  4096u
#define FILL   0xa5
#define EX_USE 2
#define EX_IO  1
#define PROG   "pvx-iobench"

enum mode { SEQ_READ, SEQ_WRITE, RAND_READ };
static const char *const mode_names[] = {"seq-read", "seq-write", "rand-read"};

struct opts {
    enum mode mode;
    const char *path;
    uint64_t bs, size, count;
    double seconds;
    bool runtime_limit, verify;
};

static void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void die(int status, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, PROG ": ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(status);
}

static void usage(const char *why)
{
    fprintf(stderr,
            PROG ": %s\n"
                 "usage: " PROG " seq-read|seq-write|rand-read PATH [--bs SIZE] [--size SIZE]\n"
                 "         [--seconds N] [--count N] [--runtime-limit] [--verify]\n"
                 "  SIZE: digits with an optional k, m or g suffix (4k, 1M, 256M)\n",
            why);
    exit(EX_USE);
}

/* "4k", "1M", "256m", "4096"; 0 when malformed (or zero, or overflowing). */
static uint64_t parse_size(const char *s)
{
    char *end;
    uint64_t v, mul = 1;

    if (*s < '0' || *s > '9')
        return 0;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno)
        return 0;
    switch (*end) {
    case 'k':
    case 'K':
        mul = 1ull << 10, end++;
        break;
    case 'm':
    case 'M':
        mul = 1ull << 20, end++;
        break;
    case 'g':
    case 'G':
        mul = 1ull << 30, end++;
        break;
    }
    if (*end || v > UINT64_MAX / mul)
        return 0;
    return v * mul;
}

static uint64_t size_arg(const char *opt, const char *s)
{
    uint64_t v = parse_size(s);

    if (!v)
        die(EX_USE,
            "bad size '%s' for %s: give digits with an optional k, m or g suffix, "
            "e.g. 4k, 1M, 256M",
            s, opt);
    return v;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
    unsigned i;
    char *end;

    if (argc < 3)
        usage("a mode and a PATH are needed");
    for (i = 0; i < 3; i++)
        if (!strcmp(argv[1], mode_names[i]))
            break;
    if (i == 3)
        die(EX_USE, "unknown mode '%s': use seq-read, seq-write or rand-read", argv[1]);
    o->mode = (enum mode)i;
    o->path = argv[2];
    for (int a = 3; a < argc; a++) {
        const char *opt = argv[a];
        bool has_value = !strcmp(opt, "--bs") || !strcmp(opt, "--size") ||
                         !strcmp(opt, "--seconds") || !strcmp(opt, "--count");

        if (has_value && a + 1 >= argc)
            die(EX_USE, "%s needs a value", opt);
        if (!strcmp(opt, "--bs")) {
            o->bs = size_arg(opt, argv[++a]);
        } else if (!strcmp(opt, "--size")) {
            o->size = size_arg(opt, argv[++a]);
        } else if (!strcmp(opt, "--seconds")) {
            o->seconds = strtod(argv[++a], &end);
            if (*end || !(o->seconds > 0))
                die(EX_USE, "bad --seconds '%s': give a positive number", argv[a]);
        } else if (!strcmp(opt, "--count")) {
            errno = 0;
            o->count = strtoull(argv[++a], &end, 10);
            if (errno || *end || !o->count || argv[a][0] == '-')
                die(EX_USE, "bad --count '%s': give a positive whole number", argv[a]);
        } else if (!strcmp(opt, "--runtime-limit")) {
            o->runtime_limit = true;
        } else if (!strcmp(opt, "--verify")) {
            o->verify = true;
        } else {
            die(EX_USE, "unknown option '%s' (see the usage: run " PROG " without arguments)", opt);
        }
    }
    if (!o->bs)
        o->bs = o->mode == RAND_READ ? 4096 : 1u << 20;
    if (o->bs % ALIGN)
        die(EX_USE, "--bs %" PRIu64 " is not a multiple of 4 KiB, which O_DIRECT needs", o->bs);
    if (o->size && o->size % o->bs)
        die(EX_USE, "--size %" PRIu64 " is not a multiple of --bs %" PRIu64 ": round it", o->size,
            o->bs);
    if (!o->seconds)
        o->seconds = 5;
    if (o->verify && o->mode == SEQ_WRITE)
        die(EX_USE, "--verify checks what is read: use it with seq-read or rand-read");
}

/* Open PATH with O_DIRECT; returns the descriptor, sets *size_out to PATH's
 * size and *blk to whether it is a block device. */
static int open_direct(const struct opts *o, uint64_t *size_out, bool *blk)
{
    struct stat st;
    bool existed = stat(o->path, &st) == 0;
    int flags = (o->mode == SEQ_WRITE ? O_WRONLY : O_RDONLY) | O_DIRECT | O_CLOEXEC;
    int fd;

    if (!existed && (errno != ENOENT || o->mode != SEQ_WRITE))
        die(EX_USE, "%s: %s%s", o->path, strerror(errno),
            errno == ENOENT ? " (seq-write creates a file; reads need one)" : "");
    if (existed && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
        die(EX_USE, "%s: neither a block device nor a regular file", o->path);
    if (!existed && !o->size)
        die(EX_USE, "%s does not exist: give --size for seq-write to create it", o->path);
    if (!existed)
        flags |= O_CREAT;
    fd = open(o->path, flags, 0644);
    if (fd < 0 && errno == EINVAL) {
        if (!existed)
            unlink(o->path);
        die(EX_USE,
            "%s: O_DIRECT refused (%s): its file system has no direct I/O (tmpfs?); "
            "use a block device or a file on a disk file system",
            o->path, strerror(EINVAL));
    }
    if (fd < 0)
        die(EX_USE, "%s: %s", o->path, strerror(errno));
    if (fstat(fd, &st))
        die(EX_IO, "%s: fstat: %s", o->path, strerror(errno));
    *size_out = (uint64_t)st.st_size;
    *blk = S_ISBLK(st.st_mode);
    if (*blk && ioctl(fd, BLKGETSIZE64, size_out))
        die(EX_IO, "%s: BLKGETSIZE64: %s", o->path, strerror(errno));
    return fd;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: a fixed sequence, so runs read the same offsets. */
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static void stamp(unsigned char *buf, uint64_t bs, uint64_t off)
{
    for (uint64_t i = 0; i < bs; i += ALIGN) {
        uint64_t v = off + i;

        for (int b = 0; b < 8; b++)
            buf[i + b] = (unsigned char)(v >> (8 * b));
    }
}

/* The first mismatching byte offset in PATH, or -1 when buf is as seq-write made it. */
static int64_t check_stamp(const unsigned char *buf, uint64_t bs, uint64_t off)
{
    for (uint64_t i = 0; i < bs; i++) {
        unsigned char want = FILL;

        if (i % ALIGN < 8)
            want = (unsigned char)((off + i - i % ALIGN) >> (8 * (i % ALIGN)));
        if (buf[i] != want)
            return (int64_t)(off + i);
    }
    return -1;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of the sorted lat[n], in microseconds. */
static double pct_us(const uint64_t *lat, uint64_t n, double p)
{
    uint64_t rank = (uint64_t)(p * (double)n + 0.999999);

    if (rank < 1)
        rank = 1;
    return (double)lat[rank > n ? n - 1 : rank - 1] / 1e3;
}

int main(int argc, char **argv)
{
    struct opts o = {0};
    uint64_t have, nreq, done = 0, cap;
    uint64_t *lat;
    unsigned char *buf;
    double t0, t1, limit;
    bool blk;
    int fd;

    parse_args(argc, argv, &o);
    fd = open_direct(&o, &have, &blk);
    if (!o.size) {
        o.size = have / o.bs * o.bs;
        if (!o.size)
            die(EX_USE, "%s: %s; give --size", o.path,
                have ? "smaller than one --bs request" : "empty");
    }
    /* seq-write extends a file; nothing else goes beyond PATH's end. */
    if (have < o.size && (o.mode != SEQ_WRITE || blk))
        die(EX_USE, "%s is %" PRIu64 " bytes, smaller than --size %" PRIu64 "%s", o.path, have,
            o.size, blk ? ": give a smaller --size" : ": seq-write it first");
    if (posix_memalign((void **)&buf, ALIGN, o.bs))
        die(EX_IO, "cannot allocate a %" PRIu64 "-byte buffer", o.bs);
    memset(buf, FILL, o.bs);
    nreq = o.size / o.bs;
    cap = o.mode == RAND_READ ? (o.count ? o.count : 1u << 16) : nreq;
    lat = malloc(cap * sizeof(*lat));
    if (!lat)
        die(EX_IO, "cannot allocate room for %" PRIu64 " latencies", cap);
    limit = o.mode == RAND_READ || o.runtime_limit ? o.seconds : 0;

    t0 = now();
    for (;;) {
        uint64_t off;
        ssize_t n;
        double a, b;

        if (o.mode == RAND_READ) {
            if (o.count ? done == o.count : done && now() - t0 >= limit)
                break;
            off = rng() % nreq * o.bs;
        } else {
            if (done == nreq || (limit && done && now() - t0 >= limit))
                break;
            off = done * o.bs;
        }
        if (o.mode == SEQ_WRITE)
            stamp(buf, o.bs, off);
        a = now();
        n = o.mode == SEQ_WRITE ? pwrite(fd, buf, o.bs, (off_t)off)
                                : pread(fd, buf, o.bs, (off_t)off);
        b = now();
        if (n < 0)
            die(EX_IO, "%s: %s at offset %" PRIu64 ": %s", o.path,
                o.mode == SEQ_WRITE ? "write" : "read", off, strerror(errno));
        if ((uint64_t)n != o.bs)
            die(EX_IO, "%s: short %s at offset %" PRIu64 " (%zd of %" PRIu64 " bytes)", o.path,
                o.mode == SEQ_WRITE ? "write" : "read", off, n, o.bs);
        if (o.verify) {
            int64_t bad = check_stamp(buf, o.bs, off);

            if (bad >= 0)
                die(EX_IO, "%s: byte %" PRId64 " is not what seq-write writes there", o.path, bad);
        }
        if (done == cap) {
            cap *= 2;
            lat = realloc(lat, cap * sizeof(*lat));
            if (!lat)
                die(EX_IO, "cannot allocate room for %" PRIu64 " latencies", cap);
        }
        lat[done++] = (uint64_t)((b - a) * 1e9 + 0.5);
    }
    if (o.mode == SEQ_WRITE && fdatasync(fd))
        die(EX_IO, "%s: fdatasync: %s", o.path, strerror(errno));
    t1 = now();
    if (close(fd))
        die(EX_IO, "%s: close: %s", o.path, strerror(errno));

    qsort(lat, done, sizeof(*lat), cmp_u64);
    double secs = t1 - t0, bytes = (double)done * (double)o.bs;
    printf(PROG ": %s bs=%" PRIu64 " bytes=%" PRIu64 " requests=%" PRIu64
                " seconds=%.6f MiB/s=%.1f iops=%.1f lat-median-us=%.1f lat-p99-us=%.1f\n",
           mode_names[o.mode], o.bs, done * o.bs, done, secs, bytes / 1048576.0 / secs,
           (double)done / secs, pct_us(lat, done, 0.5), pct_us(lat, done, 0.99));
    free(lat);
    free(buf);
    return 0;
}
