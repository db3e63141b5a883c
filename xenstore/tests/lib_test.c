/* SPDX-License-Identifier: MIT */
/*
 * pvx libxenstore API test: run against a live xenstored (XENSTORED_PATH).
 * Prints one line per check and "N passed, N failed".
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenstore.h"

static int passed, failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            passed++;                                                                              \
            printf("ok   %s\n", #cond);                                                            \
        } else {                                                                                   \
            failed++;                                                                              \
            printf("FAIL %s (line %d, errno %s)\n", #cond, __LINE__, strerror(errno));             \
        }                                                                                          \
    } while (0)

static bool read_is(struct xs_handle *h, xs_transaction_t t, const char *p, const char *v)
{
    unsigned int len;
    char *r = xs_read(h, t, p, &len);
    bool ok = r && len == strlen(v) && !memcmp(r, v, len) && r[len] == '\0';

    free(r);
    return ok;
}

int main(void)
{
    struct xs_handle *h = xs_open(0), *h2 = xs_open(0);
    struct xs_permissions perms[2] = {{0, XS_PERM_NONE}, {4, XS_PERM_READ}}, *gp;
    unsigned int num, i;
    char **v, *s;
    xs_transaction_t t;
    struct pollfd pfd;
    char path[64];

    CHECK(h != NULL && h2 != NULL);
    if (!h || !h2)
        return 1;
    CHECK(xs_write(h, XBT_NULL, "/lib/a", "1", 1));
    CHECK(read_is(h, XBT_NULL, "/lib/a", "1"));
    CHECK(xs_mkdir(h, XBT_NULL, "/lib/dir"));
    CHECK(read_is(h, XBT_NULL, "/lib/dir", ""));
    CHECK(!xs_read(h, XBT_NULL, "/lib/none", NULL) && errno == ENOENT);
    CHECK(!xs_write(h, XBT_NULL, "/lib/bad..", "x", 1) && errno == EINVAL);
    v = xs_directory(h, XBT_NULL, "/lib", &num);
    CHECK(v && num == 2 && !strcmp(v[0], "a") && !strcmp(v[1], "dir"));
    free(v);
    for (i = 0; i < 400; i++) {
        snprintf(path, sizeof(path), "/lib/big/some-longish-name-%u", i);
        xs_write(h, XBT_NULL, path, "", 0);
    }
    v = xs_directory(h, XBT_NULL, "/lib/big", &num);
    CHECK(v && num == 400 && !strcmp(v[399], "some-longish-name-399"));
    free(v);
    CHECK(xs_set_permissions(h, XBT_NULL, "/lib/a", perms, 2));
    gp = xs_get_permissions(h, XBT_NULL, "/lib/a", &num);
    CHECK(gp && num == 2 && gp[0].id == 0 && gp[1].id == 4 && gp[1].perms == XS_PERM_READ);
    free(gp);
    CHECK(xs_rm(h, XBT_NULL, "/lib/big"));
    CHECK(!xs_read(h, XBT_NULL, "/lib/big", NULL) && errno == ENOENT);

    /* transactions */
    t = xs_transaction_start(h);
    CHECK(t != XBT_NULL);
    CHECK(xs_write(h, t, "/lib/a", "2", 1));
    CHECK(read_is(h2, XBT_NULL, "/lib/a", "1"));
    CHECK(xs_transaction_end(h, t, false));
    CHECK(read_is(h2, XBT_NULL, "/lib/a", "2"));
    t = xs_transaction_start(h);
    CHECK(read_is(h, t, "/lib/a", "2"));
    CHECK(xs_write(h2, XBT_NULL, "/lib/a", "3", 1));
    CHECK(xs_write(h, t, "/lib/a", "4", 1));
    CHECK(!xs_transaction_end(h, t, false) && errno == EAGAIN);
    CHECK(read_is(h, XBT_NULL, "/lib/a", "3"));

    /* watches */
    CHECK(xs_watch(h, "/lib/w", "tok"));
    v = xs_read_watch(h, &num);
    CHECK(v && num == 2 && !strcmp(v[XS_WATCH_PATH], "/lib/w") &&
          !strcmp(v[XS_WATCH_TOKEN], "tok"));
    free(v);
    CHECK(xs_check_watch(h) == NULL && errno == EAGAIN);
    pfd.fd = xs_fileno(h);
    pfd.events = POLLIN;
    CHECK(pfd.fd >= 0 && poll(&pfd, 1, 0) == 0);
    CHECK(xs_write(h2, XBT_NULL, "/lib/w/x", "1", 1));
    CHECK(poll(&pfd, 1, 2000) == 1);
    v = xs_check_watch(h);
    CHECK(v && !strcmp(v[XS_WATCH_PATH], "/lib/w/x"));
    free(v);
    CHECK(xs_write(h, XBT_NULL, "/lib/w/y", "1", 1)); /* own write while the reader runs */
    v = xs_read_watch(h, &num);
    CHECK(v && !strcmp(v[XS_WATCH_PATH], "/lib/w/y"));
    free(v);
    CHECK(xs_unwatch(h, "/lib/w", "tok"));
    CHECK(!xs_unwatch(h, "/lib/w", "tok") && errno == ENOENT);

    /* domains */
    s = xs_get_domain_path(h, 7);
    CHECK(s && !strcmp(s, "/local/domain/7"));
    free(s);
    CHECK(!xs_is_domain_introduced(h, 7));
    CHECK(xs_introduce_domain(h, 7, 1234, 5));
    CHECK(xs_is_domain_introduced(h, 7));
    CHECK(xs_resume_domain(h, 7));
    CHECK(xs_release_domain(h, 7));
    CHECK(!xs_is_domain_introduced(h, 7));
    CHECK(!xs_release_domain(h, 7) && errno == ENOENT);
    s = xs_control_command(h, "help", NULL, 0);
    CHECK(s && strstr(s, "quota"));
    free(s);
    CHECK(xs_path_is_subpath("/a", "/a/b") && !xs_path_is_subpath("/a", "/ab"));
    CHECK(xs_rm(h, XBT_NULL, "/lib"));
    xs_close(h);
    xs_close(h2);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
