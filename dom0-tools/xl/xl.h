/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The xl command line: the command table and each verb.
 *
 *   xl.c            main, global options, the command table, help, getopt
 *   cmd_create.c    create, console
 *   cmd_info.c      list, info, uptime, domid, domname, dmesg
 *   list_json.c     list -l: configurations as JSON
 *   cmd_control.c   shutdown, reboot, destroy, pause, unpause, rename, sysrq
 *   cmd_mem.c       mem-set, mem-max, vcpu-set
 *   cmd_device.c    block-attach, -detach, -list; network-attach, -detach, -list
 *   cmd_save.c      save, restore
 *
 * Exit statuses follow xl's: 0 success, 1 failure, 2 a bad option or too
 * few arguments; `create` returns libxl's error code negated.
 */
#ifndef PVX_XL_H
#define PVX_XL_H

#include <getopt.h>

#include "toolstack.h"

/* The context every verb runs with (opened by main before the verb). */
extern struct xlt xl_ctx;
extern int xl_dryrun;

/* getopt for a verb, with xl's conventions: -h prints the verb's help and
 * exits 0, an unknown option prints "option `X' not supported." and exits
 * 2, and fewer than reqargs non-option arguments prints "'xl CMD' requires
 * at least N argument(s)." and the help, and exits 2.  Returns the next
 * option, or -1 at the end. */
int xl_getopt(int argc, char *const argv[], const char *optstring, const struct option *longopts,
              const char *cmd, int reqargs);
void xl_help(const char *cmd);

/* list -l (list_json.c): the domains' configurations as JSON. */
void xl_list_long(const pvxctl_dominfo_t *infos, int n);

/* A config file's text (malloc'd, NUL-terminated; "" for /dev/null), NULL
 * with errno set; *len its length. */
char *xl_read_config(const char *path, size_t *len);

struct sr_io;
struct pvx_domcfg;
struct pvx_build;

/* cmd_save.c, shared with cmd_migrate.c. */
/* Ask domid to suspend and wait until it has shut down for suspend. */
int xl_suspend(struct xlt *t, domid_t domid);
/* A suspended domain runs on in place (its suspend returns "cancelled"). */
int xl_resume_cancelled(struct xlt *t, domid_t domid, bool paused);
/* The config a save carries: the domain's own (or path's), with its UUID. */
char *xl_save_config_text(domid_t domid, const char *path, const pvxctl_dominfo_t *info);
struct xl_restore_ctx {
    const char *file; /* for messages */
    struct sr_io *io;
    const struct pvx_domcfg *cfg;
};
/* xlt_create's build step for a restore (arg: a struct xl_restore_ctx). */
int xl_restore_build(struct xlt *t, struct pvx_build *b, void *arg, char *err, size_t errlen);
/* cmd_control.c: rename domid (still called old_name, unless NULL). */
int xl_rename_domain(struct xlt *t, domid_t domid, const char *old_name, const char *new_name);

int main_create(int argc, char **argv);
int main_migrate(int argc, char **argv);
int main_migrate_receive(int argc, char **argv);
int main_save(int argc, char **argv);
int main_restore(int argc, char **argv);
int main_console(int argc, char **argv);
int main_list(int argc, char **argv);
int main_info(int argc, char **argv);
int main_uptime(int argc, char **argv);
int main_domid(int argc, char **argv);
int main_domname(int argc, char **argv);
int main_dmesg(int argc, char **argv);
int main_shutdown(int argc, char **argv);
int main_reboot(int argc, char **argv);
int main_destroy(int argc, char **argv);
int main_pause(int argc, char **argv);
int main_unpause(int argc, char **argv);
int main_rename(int argc, char **argv);
int main_sysrq(int argc, char **argv);
int main_memset(int argc, char **argv);
int main_memmax(int argc, char **argv);
int main_vcpuset(int argc, char **argv);
int main_vcpulist(int argc, char **argv); /* cmd_vcpu.c */
int main_vcpupin(int argc, char **argv);
int main_blockattach(int argc, char **argv);
int main_blockdetach(int argc, char **argv);
int main_blocklist(int argc, char **argv);
int main_networkattach(int argc, char **argv);
int main_networkdetach(int argc, char **argv);
int main_networklist(int argc, char **argv);

#endif /* PVX_XL_H */
