/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvx-forkcheck: runs inside a Linux domU and checks that fork keeps parent
 * and child memory apart while something rewrites the guest's page tables
 * under it (log-dirty mode during a live migration, docs/migration.md).
 *
 *     pvx-forkcheck [ROUNDS [INTERVAL_MS]]
 *
 * Each round forks; the parent then writes a new value over every page of
 * a 64-page buffer both had before the fork and tells the child through a pipe;
 * the child checks its copy still holds the old value.  A hypervisor that
 * gave a parent's write-protected entry its writable bit back behind the
 * guest (which saw it read-only at fork and so shared the page) shows as
 * "fork BAD".  Prints "pvx-domu: fork ok N" every 5 rounds; ROUNDS 0 (the
 * default) runs until killed.  Exit status 1 after a bad round.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGES     64 /* 256 KiB: the test guests are small */
#define PAGE_SIZE 4096

static uint64_t *buffer;

static void fill(uint64_t value)
{
    for (size_t i = 0; i < PAGES * PAGE_SIZE / sizeof(uint64_t); i++)
        buffer[i] = value;
}

/* The first page whose words are not all `value`, or -1. */
static long first_bad_page(uint64_t value, uint64_t *seen)
{
    for (size_t i = 0; i < PAGES * PAGE_SIZE / sizeof(uint64_t); i++)
        if (buffer[i] != value) {
            *seen = buffer[i];
            return (long)(i * sizeof(uint64_t) / PAGE_SIZE);
        }
    return -1;
}

/* The child: wait for the parent's rewrite, then check the old value. */
static int child(int from_parent, uint64_t value, unsigned long round)
{
    uint64_t seen = 0;
    char go;
    long page;

    if (read(from_parent, &go, 1) != 1) {
        printf("pvx-domu: fork BAD round %lu: the parent went away\n", round);
        return 1;
    }
    page = first_bad_page(value, &seen);
    if (page >= 0) {
        printf("pvx-domu: fork BAD round %lu: the child's page %ld reads %#llx, "
               "it had %#llx at the fork\n",
               round, page, (unsigned long long)seen, (unsigned long long)value);
        return 1;
    }
    return 0;
}

static int one_round(unsigned long round)
{
    uint64_t before = 0x5a5a000000000000ULL | (round * 2);
    int pipefd[2], status;
    pid_t pid;

    if (pipe(pipefd)) {
        perror("pvx-forkcheck: pipe");
        return -1;
    }
    fflush(stdout);
    pid = fork();
    if (pid < 0) {
        perror("pvx-forkcheck: fork");
        close(pipefd[0]);
        close(pipefd[1]);
        return -1;
    }
    if (pid == 0) {
        close(pipefd[1]);
        _exit(child(pipefd[0], before, round));
    }
    close(pipefd[0]);
    fill(before + 1); /* the parent's own copy from now on */
    if (write(pipefd[1], "g", 1) != 1)
        perror("pvx-forkcheck: write");
    close(pipefd[1]);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            perror("pvx-forkcheck: waitpid");
            return -1;
        }
    /* The next round's fork shares what the parent holds now. */
    fill(0x5a5a000000000000ULL | (round * 2 + 2));
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 0) : 0;
    unsigned long interval_ms = argc > 2 ? strtoul(argv[2], NULL, 0) : 500;
    struct timespec pause = {(time_t)(interval_ms / 1000), (long)(interval_ms % 1000) * 1000000};
    int bad = 0;

    if (argc > 3 || (argc > 2 && !interval_ms)) {
        fprintf(stderr, "usage: pvx-forkcheck [ROUNDS [INTERVAL_MS]] (ROUNDS 0: forever; "
                        "INTERVAL_MS at least 1)\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    buffer = aligned_alloc(PAGE_SIZE, PAGES * PAGE_SIZE);
    if (!buffer) {
        fprintf(stderr, "pvx-forkcheck: no memory for %d pages\n", PAGES);
        return 2;
    }
    fill(0x5a5a000000000000ULL);
    for (unsigned long round = 0; !rounds || round < rounds; round++) {
        int rc = one_round(round);

        if (rc < 0)
            return 2;
        bad |= rc;
        if (!rc && (round + 1) % 5 == 0)
            printf("pvx-domu: fork ok %lu\n", round + 1);
        nanosleep(&pause, NULL);
    }
    return bad;
}
