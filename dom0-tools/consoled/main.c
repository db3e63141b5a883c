/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * pvxconsoled: parse the command line, check for root, daemonize (unless
 * -i), open the hypervisor and run the loop (loop.c).
 *
 * Daemonizing reports back: the starting process waits on a pipe until
 * the daemon serves (one NUL byte) or failed (a sentence), so a script
 * that starts pvxconsoled and then creates a domain cannot race it, and a
 * failure to start shows on the terminal rather than only in the log.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "consoled.h"

#define DAEMON_LOG "pvxconsoled.log"

/* Per console: pty master and slave, log file; plus a margin. */
static void raise_fd_limit(void)
{
    rlim_t want = (rlim_t)DOMID_FIRST_RESERVED * 3 + 1000;
    struct rlimit lim, more;

    if (getrlimit(RLIMIT_NOFILE, &lim) || lim.rlim_cur >= want)
        return;
    more.rlim_cur = want;
    more.rlim_max = lim.rlim_max < want ? want : lim.rlim_max;
    if (!setrlimit(RLIMIT_NOFILE, &more))
        return;
    /* Without CAP_SYS_RESOURCE the hard limit is as far as we get. */
    more = (struct rlimit){lim.rlim_max, lim.rlim_max};
    setrlimit(RLIMIT_NOFILE, &more);
    msg(MSG_INFO, "open-file limit %llu, not %llu: enough for about %llu consoles",
        (unsigned long long)lim.rlim_max, (unsigned long long)want,
        (unsigned long long)(lim.rlim_max > 1000 ? (lim.rlim_max - 1000) / 3 : 0));
}

static int write_pid_file(const char *path)
{
    char buf[32];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), len, rc = 0;

    if (fd < 0)
        return -errno;
    len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
    if (write(fd, buf, (size_t)len) != len)
        rc = errno ? -errno : -EIO;
    close(fd);
    return rc;
}

/* Tell the waiting parent why we failed (it prints the sentence). */
static void report_failure(int ready_fd, const char *why)
{
    if (ready_fd >= 0 && write(ready_fd, why, strlen(why)) < 0)
        msg(MSG_ERR, "cannot report to the starting process: %s", strerror(errno));
}

/*
 * Become a daemon.  Returns in the daemon with *ready_fd set; the starting
 * process exits here once the daemon reports (0) or fails (1).
 */
static void daemonize(const struct consoled_opts *o, int *ready_fd)
{
    char logpath[PATH_MAX], why[512];
    int pipefd[2], fd;
    pid_t pid;
    ssize_t n;

    if (pipe2(pipefd, O_CLOEXEC)) {
        fprintf(stderr, "pvxconsoled: pipe: %s\n", strerror(errno));
        exit(1);
    }
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "pvxconsoled: fork: %s\n", strerror(errno));
        exit(1);
    }
    if (pid > 0) {
        close(pipefd[1]);
        n = read(pipefd[0], why, sizeof(why) - 1);
        if (n > 0 && why[0] == '\0')
            exit(0);
        why[n > 0 ? n : 0] = '\0';
        fprintf(stderr, "pvxconsoled: %s\n",
                n > 0 ? why : "the daemon stopped before serving; see its log");
        exit(1);
    }
    close(pipefd[0]);
    setsid();
    pid = fork();
    if (pid < 0)
        _exit(1);
    if (pid > 0)
        _exit(0);
    if (chdir("/"))
        _exit(1);
    umask(022);
    fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO)
            close(fd);
    }
    /* Our own messages go next to the console logs (there is no syslog). */
    logfile_mkdirs(o->log_dir);
    snprintf(logpath, sizeof(logpath), "%s/%s", o->log_dir, DAEMON_LOG);
    fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
        dup2(fd, STDERR_FILENO);
        if (fd != STDERR_FILENO)
            close(fd);
    }
    *ready_fd = pipefd[1];
}

int main(int argc, char **argv)
{
    struct consoled_opts o;
    struct cons_hv *hv = NULL;
    const char *pid_file;
    char err[512];
    int rc;

    rc = consoled_parse_opts(argc, argv, &o, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "%s: %s\nTry `%s --help' for more information.\n", argv[0], err, argv[0]);
        return EINVAL;
    }
    if (rc == CONSOLED_HELP) {
        consoled_usage(argv[0]);
        return 0;
    }
    if (rc == CONSOLED_VERSION) {
        printf("pvx Console Daemon 1.0 (xenconsoled 3.0 compatible)\n");
        return 0;
    }
    if (geteuid() != 0) {
        fprintf(stderr, "%s requires root to run.\n", argv[0]);
        return EPERM;
    }
    msg_setup(o.verbose, !o.interactive);
    pid_file = o.pid_file ? o.pid_file : o.interactive ? NULL : CONSOLED_PID_FILE;
    if (!o.interactive)
        daemonize(&o, &o.ready_fd);
    raise_fd_limit();
    /* After the fork: libpvxctl's hypercall buffer is not inherited. */
    rc = cons_hv_pvxctl_open(&hv, err, sizeof(err));
    if (rc) {
        msg(MSG_ERR, "%s", err);
        report_failure(o.ready_fd, err);
        return 1;
    }
    if (pid_file) {
        rc = write_pid_file(pid_file);
        if (rc) {
            snprintf(err, sizeof(err), "cannot write the pid file %s: %s", pid_file, strerror(-rc));
            msg(MSG_ERR, "%s", err);
            report_failure(o.ready_fd, err);
            hv->close(hv);
            return 1;
        }
    }
    rc = consoled_run(&o, hv);
    hv->close(hv);
    if (pid_file)
        unlink(pid_file);
    return rc ? 1 : 0;
}
