// The container init path, run in the child the monitor clones with new mount and PID namespaces.
// Only C runs here. The order follows runc's standard init, step by step:
//
//   1. stdio: stdin from /dev/null or the monitor's stdin pipe, stdout/stderr to the monitor's pipes;
//      every other inherited descriptor closed but the report, start and cgroup pipes (with a
//      terminal, stdio is replaced after pivot_root, step 7b)
//   2. cgroups: with cgroup.self_join (v1) the child writes 0 to each `tasks` file itself: a single
//      thread moving itself takes no global lock, so there is no RCU grace period to wait for.
//      Otherwise the monitor moves the child into the container's cgroups while the child goes on
//      with steps 3-5 (on cgroup v1 a migration waits for an RCU grace period, milliseconds that
//      now overlap the mounts); the child waits for the monitor's byte before the first cgroup2
//      mount or pivot_root, whichever comes first, then makes a new cgroup namespace. Without a
//      monitor to do it (cgroups_fd -1) the child joins them itself here.
//   3. join the pod's IPC, UTS and network namespaces (before mounting /sys, which shows the netns)
//   4. oom_score_adj (while still privileged: lowering it needs CAP_SYS_RESOURCE)
//   5. mounts: / recursively slave; overlay rootfs if asked; rootfs bound onto itself; then the
//      spec's mounts in order (/proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys, caller mounts,
//      /etc/hosts, /etc/hostname, /etc/resolv.conf); then the default device nodes
//   6. pivot_root into the rootfs; a child process detaches the old root (see detach_old_root)
//   7. masked paths, read-only paths, read-only rootfs; with a terminal, open it from the new
//      /dev/ptmx, make it stdio and the controlling terminal, and send its master to the monitor
//   8. hostname (only when the container has its own UTS namespace), rlimits, setsid
//   9. seccomp now if no_new_privs is off (loading it later would need CAP_SYS_ADMIN)
//  10. drop the capability bounding set; setgroups, setgid, setuid keeping capabilities; set the
//      effective, permitted, inheritable and ambient sets (libcap)
//  11. working directory
//  12. report READY to the monitor and wait for the start byte
//  13. reap the old root's detacher (before step 9 instead when seccomp is loaded there); then
//      no_new_privs, then seccomp last when no_new_privs is on; look up the executable; execve
//
// Any failure writes {step, errno} to the close-on-exec report pipe and exits 127.
#include "CSwiftletRuntime.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define SL_PROPAGATION_FLAGS (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)
#define SL_BIND_REMOUNT_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

static void write_report(int fd, int step, int error) {
    SL_report report = { .step = step, .error = error };
    ssize_t n;
    do { n = write(fd, &report, sizeof(report)); } while (n < 0 && errno == EINTR);
}

static void __attribute__((noreturn)) fail(int report_fd, int step) {
    write_report(report_fd, step, errno ? errno : EIO);
    _exit(127);
}

static int join(char *out, size_t size, const char *root, const char *path) {
    int n = snprintf(out, size, "%s/%s", root, path[0] == '/' ? path + 1 : path);
    if (n < 0 || (size_t)n >= size) { errno = ENAMETOOLONG; return -1; }
    return 0;
}

// `mkdir -p`: the path itself first, since mount points' parents nearly always exist.
static int mkdir_all(const char *path, mode_t mode) {
    if (mkdir(path, mode) == 0 || errno == EEXIST) return 0;
    if (errno != ENOENT) return -1;
    char buffer[PATH_MAX];
    size_t length = strlen(path);
    if (length >= sizeof(buffer)) { errno = ENAMETOOLONG; return -1; }
    memcpy(buffer, path, length + 1);
    for (char *p = buffer + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buffer, mode) < 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(buffer, mode) < 0 && errno != EEXIST) return -1;
    return 0;
}

static int make_mount_point(const char *target, int as_file) {
    if (!as_file) return mkdir_all(target, 0755);
    char parent[PATH_MAX];
    snprintf(parent, sizeof(parent), "%s", target);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) { *slash = '\0'; if (mkdir_all(parent, 0755) < 0) return -1; }
    int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0 && errno != EISDIR) return -1;
    if (fd >= 0) close(fd);
    return 0;
}

static int do_mount(const char *root, const SL_mount *m) {
    char target[PATH_MAX];
    if (join(target, sizeof(target), root, m->destination) < 0) return -1;
    if (m->type && !strcmp(m->type, "remount")) return mount(NULL, target, NULL, m->flags, NULL);
    int is_bind = (m->flags & MS_BIND) || (m->type && !strcmp(m->type, "bind"));
    int as_file = 0;
    if (is_bind) {
        struct stat st;
        if (stat(m->source, &st) < 0) return -1;
        as_file = !S_ISDIR(st.st_mode);
    }
    if (make_mount_point(target, as_file) < 0) return -1;
    unsigned long flags = m->flags & ~SL_PROPAGATION_FLAGS;
    if (is_bind) {
        if (mount(m->source, target, NULL, MS_BIND | (flags & MS_REC), NULL) < 0) return -1;
        if (flags & SL_BIND_REMOUNT_FLAGS) {
            if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | (flags & SL_BIND_REMOUNT_FLAGS), NULL) < 0) return -1;
        }
    } else {
        if (mount(m->source, target, m->type, flags, m->data && m->data[0] ? m->data : NULL) < 0) return -1;
    }
    if (m->flags & SL_PROPAGATION_FLAGS) {
        if (mount(NULL, target, NULL, (m->flags & SL_PROPAGATION_FLAGS) | (m->flags & MS_REC), NULL) < 0) return -1;
    }
    return 0;
}

// The default devices of the OCI runtime spec (config-linux.md, "Default Devices").
static int create_default_devices(const char *root) {
    static const struct { const char *name; unsigned int major, minor; } devices[] = {
        {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
    };
    static const struct { const char *name, *target; } links[] = {
        {"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
        {"stderr", "/proc/self/fd/2"}, {"ptmx", "pts/ptmx"}, {"core", "/proc/kcore"},
    };
    char path[PATH_MAX];
    for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
        snprintf(path, sizeof(path), "%s/dev/%s", root, devices[i].name);
        if (mknod(path, S_IFCHR | 0666, makedev(devices[i].major, devices[i].minor)) < 0 && errno != EEXIST) return -1;
    }
    for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
        snprintf(path, sizeof(path), "%s/dev/%s", root, links[i].name);
        if (symlink(links[i].target, path) < 0 && errno != EEXIST) return -1;
    }
    return 0;
}

static int mask_path(const char *path) {
    struct stat st;
    if (stat(path, &st) < 0) return errno == ENOENT ? 0 : -1;
    if (S_ISDIR(st.st_mode)) return mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=0");
    return mount("/dev/null", path, NULL, MS_BIND, NULL);
}

static int readonly_path(const char *path) {
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0) return errno == ENOENT ? 0 : -1;
    return mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

static int join_namespace(const char *path, int type) {
    if (!path) return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    int result = setns(fd, type);
    int saved = errno;
    close(fd);
    errno = saved;
    return result;
}

static int write_text(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t length = strlen(text);
    ssize_t n;
    do { n = write(fd, text, length); } while (n < 0 && errno == EINTR);
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)length ? 0 : -1;
}

int SL_join_cgroups(const char *const *procs, size_t count);
int SL_join_cgroups(const char *const *procs, size_t count) { return SL_move_to_cgroups(procs, count, 0); }

int SL_move_to_cgroups(const char *const *procs, size_t count, pid_t pid) {
    char text[16];
    snprintf(text, sizeof(text), "%d", (int)pid);
    for (size_t i = 0; i < count; i++) if (write_text(procs[i], text) < 0) return -1;
    return 0;
}

// Step 2 completed: the monitor has moved this process into its cgroups (one byte on
// `cgroups_fd`; end of file means it could not), so the cgroup namespace is rooted there.
static void finish_cgroups(const SL_spec *spec, int report_fd, int *cgroups_fd) {
    if (*cgroups_fd < 0) return;
    char byte;
    ssize_t n;
    do { n = read(*cgroups_fd, &byte, 1); } while (n < 0 && errno == EINTR);
    close(*cgroups_fd);
    *cgroups_fd = -1;
    if (n != 1) { errno = n == 0 ? ECANCELED : errno; fail(report_fd, SL_STEP_CGROUP); }
    if (spec->cgroupns && unshare(CLONE_NEWCGROUP) < 0) fail(report_fd, SL_STEP_CGROUP);
}

// Step 6's unmount of the old root detaches it at once, but umount2 returns only after an RCU
// grace period (the kernel frees the detached mounts after one): milliseconds on a busy node, the
// longest single wait of the init path. A child process in the same mount namespace makes that
// call, so the wait overlaps steps 7-12 and the create-to-start round trip. The init reaps it
// before anything of the image runs, so the old root is gone by then; a failed unmount (the exit
// status carries its errno) fails the start. Returns the child's PID, or -1 with errno set.
static pid_t detach_old_root(void) {
    pid_t child = (pid_t)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
    if (child != 0) return child;
    syscall(SYS_close_range, 0U, ~0U, 0U);
    _exit(umount2(".", MNT_DETACH) == 0 ? 0 : errno);
}

// Waits for the detacher; fails the init when it could not detach the old root.
static void reap_detacher(pid_t *detacher, int report_fd) {
    if (*detacher <= 0) return;
    int status = 0;
    pid_t done;
    do { done = waitpid(*detacher, &status, 0); } while (done < 0 && errno == EINTR);
    *detacher = 0;
    if (done < 0) fail(report_fd, SL_STEP_PIVOT_ROOT);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        errno = WIFEXITED(status) ? WEXITSTATUS(status) : ECHILD;
        fail(report_fd, SL_STEP_PIVOT_ROOT);
    }
}

static int load_seccomp(const SL_spec *spec) {
    if (!spec->seccomp_program) return 0;
    struct sock_fprog program = {
        .len = (unsigned short)(spec->seccomp_program_length / sizeof(struct sock_filter)),
        .filter = (struct sock_filter *)spec->seccomp_program,
    };
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program);
}

int SL_apply_identity(const SL_spec *spec, int *failed_step);
// Bounding set, user and groups, then the capability sets, as runc's finalizeNamespace does.
int SL_apply_identity(const SL_spec *spec, int *failed_step) {
    int last = (int)cap_max_bits();
    *failed_step = SL_STEP_BOUNDING;
    for (int cap = 0; cap < last && cap < 64; cap++) {
        if (spec->cap_bounding & (1ULL << cap)) continue;
        if (cap_drop_bound((cap_value_t)cap) < 0 && errno != EINVAL) return -1;
    }
    *failed_step = SL_STEP_USER;
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) return -1;
    if (setgroups(spec->groups_count, spec->groups) < 0) return -1;
    if (setresgid(spec->gid, spec->gid, spec->gid) < 0) return -1;
    if (setresuid(spec->uid, spec->uid, spec->uid) < 0) return -1;
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) return -1;

    *failed_step = SL_STEP_CAPS;
    cap_t caps = cap_init();
    if (!caps) return -1;
    for (int cap = 0; cap < last && cap < 64; cap++) {
        cap_value_t value = (cap_value_t)cap;
        if (spec->cap_effective & (1ULL << cap)) cap_set_flag(caps, CAP_EFFECTIVE, 1, &value, CAP_SET);
        if (spec->cap_permitted & (1ULL << cap)) cap_set_flag(caps, CAP_PERMITTED, 1, &value, CAP_SET);
        if (spec->cap_inheritable & (1ULL << cap)) cap_set_flag(caps, CAP_INHERITABLE, 1, &value, CAP_SET);
    }
    int result = cap_set_proc(caps);
    int saved = errno;
    cap_free(caps);
    errno = saved;
    if (result < 0) return -1;
    for (int cap = 0; cap < last && cap < 64; cap++) {
        if (!(spec->cap_ambient & (1ULL << cap))) continue;
        if (cap_set_ambient((cap_value_t)cap, CAP_SET) < 0) return -1;
    }
    return 0;
}

static const char *env_value(char *const *envs, const char *name) {
    size_t length = strlen(name);
    for (size_t i = 0; envs[i]; i++) {
        if (!strncmp(envs[i], name, length) && envs[i][length] == '=') return envs[i] + length + 1;
    }
    return NULL;
}

int SL_lookup_executable(const char *name, char *const *envs, char *out, size_t size);
// execvp's search, against the container's PATH rather than ours.
int SL_lookup_executable(const char *name, char *const *envs, char *out, size_t size) {
    if (strchr(name, '/')) {
        if ((size_t)snprintf(out, size, "%s", name) >= size) { errno = ENAMETOOLONG; return -1; }
        return 0;
    }
    const char *path = env_value(envs, "PATH");
    if (!path) path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    int saw_eacces = 0;
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t length = colon ? (size_t)(colon - path) : strlen(path);
        int n = snprintf(out, size, "%.*s/%s", (int)length, length ? path : ".", name);
        if (n > 0 && (size_t)n < size) {
            struct stat st;
            if (stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
                if (access(out, X_OK) == 0) return 0;
                saw_eacces = 1;
            }
        }
        if (!colon) break;
        path = colon + 1;
    }
    errno = saw_eacces ? EACCES : ENOENT;
    return -1;
}

// Closes every descriptor from 3 up except those in `keep` (-1 entries ignored). The child of a
// clone holds copies of the monitor's ends of its pipes; while it did, a monitor that died left it
// waiting for the start byte for ever instead of reading end of file.
static int close_all_but(int *keep, size_t count) {
    for (size_t i = 1; i < count; i++) {
        for (size_t j = i; j > 0 && keep[j - 1] > keep[j]; j--) { int t = keep[j]; keep[j] = keep[j - 1]; keep[j - 1] = t; }
    }
    unsigned int from = 3;
    for (size_t i = 0; i < count; i++) {
        if (keep[i] < (int)from) continue;
        if ((unsigned int)keep[i] > from && syscall(SYS_close_range, from, (unsigned int)keep[i] - 1, 0U) < 0) return -1;
        from = (unsigned int)keep[i] + 1;
    }
    return (int)syscall(SYS_close_range, from, ~0U, 0U);
}

void SL_container_init(const SL_spec *spec, int report_fd, int start_fd, int cgroups_fd, int stdin_fd, int stdout_fd, int stderr_fd) {
    errno = 0;
    umask(0);
    // The monitor blocks SIGCHLD and ignores SIGPIPE; neither may leak into the container.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);

    // 1. stdio
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0 || dup2(stdin_fd >= 0 ? stdin_fd : null_fd, 0) < 0 || dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0)
        fail(report_fd, SL_STEP_STDIO);
    int keep[] = { report_fd, start_fd, cgroups_fd, spec->tty ? stdin_fd : -1 };
    if (close_all_but(keep, sizeof(keep) / sizeof(keep[0])) < 0) fail(report_fd, SL_STEP_STDIO);
    if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) < 0) fail(report_fd, SL_STEP_STDIO);

    // 2. cgroups, and a cgroup namespace rooted at the container's cgroup, so /sys/fs/cgroup shows
    // only its own: here when joining them itself, else once the monitor has moved it (see top).
    if (cgroups_fd < 0) {
        if (SL_join_cgroups(spec->cgroup_join, spec->cgroup_join_count) < 0) fail(report_fd, SL_STEP_CGROUP);
        if (spec->cgroupns && unshare(CLONE_NEWCGROUP) < 0) fail(report_fd, SL_STEP_CGROUP);
    }

    // 3. the pod's namespaces
    if (join_namespace(spec->ns_ipc, CLONE_NEWIPC) < 0 || join_namespace(spec->ns_uts, CLONE_NEWUTS) < 0
        || join_namespace(spec->ns_net, CLONE_NEWNET) < 0)
        fail(report_fd, SL_STEP_SETNS);

    // 4. oom_score_adj
    if (spec->has_oom_score_adj) {
        char text[32];
        snprintf(text, sizeof(text), "%d", spec->oom_score_adj);
        if (write_text("/proc/self/oom_score_adj", text) < 0) fail(report_fd, SL_STEP_OOM_SCORE);
    }

    // 5. mounts
    if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) fail(report_fd, SL_STEP_MOUNT_PROPAGATION);
    const char *root = spec->rootfs;
    if (!root) { errno = EINVAL; fail(report_fd, SL_STEP_ROOTFS); }
    if (spec->overlay_lower) {
        char data[4096];
        int n = snprintf(data, sizeof(data), "lowerdir=%s,upperdir=%s,workdir=%s", spec->overlay_lower,
                         spec->overlay_upper ? spec->overlay_upper : "", spec->overlay_work ? spec->overlay_work : "");
        if (n < 0 || (size_t)n >= sizeof(data)) { errno = E2BIG; fail(report_fd, SL_STEP_ROOTFS); }
        if (mount("overlay", root, "overlay", 0, data) < 0) fail(report_fd, SL_STEP_ROOTFS);
    }
    if (mount(root, root, NULL, MS_BIND | MS_REC, NULL) < 0) fail(report_fd, SL_STEP_ROOTFS);
    for (size_t i = 0; i < spec->mounts_count; i++) {
        const SL_mount *m = &spec->mounts[i];
        int step = SL_STEP_MOUNT_USER;
        if (m->type && !strcmp(m->type, "proc")) step = SL_STEP_MOUNT_PROC;
        else if (m->type && !strcmp(m->type, "sysfs")) step = SL_STEP_MOUNT_SYS;
        else if (!strncmp(m->destination, "/dev", 4)) step = SL_STEP_MOUNT_DEV;
        if (m->type && !strcmp(m->type, "cgroup2")) finish_cgroups(spec, report_fd, &cgroups_fd);
        if (do_mount(root, m) < 0) fail(report_fd, step);
    }
    if (spec->default_devices && create_default_devices(root) < 0) fail(report_fd, SL_STEP_MOUNT_DEV);

    finish_cgroups(spec, report_fd, &cgroups_fd);

    // 6. pivot_root: the old root is stacked on the new one, then detached by a child (the
    // init's own lookups start at its new root, below the stack, so they do not wait for it).
    if (chdir(root) < 0 || syscall(SYS_pivot_root, ".", ".") < 0) fail(report_fd, SL_STEP_PIVOT_ROOT);
    pid_t detacher = detach_old_root();
    if (detacher < 0 || chdir("/") < 0) fail(report_fd, SL_STEP_PIVOT_ROOT);

    // 7. masked and read-only paths, read-only rootfs
    for (size_t i = 0; i < spec->masked_count; i++) if (mask_path(spec->masked[i]) < 0) fail(report_fd, SL_STEP_MASK_PATHS);
    for (size_t i = 0; i < spec->readonly_count; i++) if (readonly_path(spec->readonly[i]) < 0) fail(report_fd, SL_STEP_READONLY_PATHS);
    if (spec->readonly_rootfs && mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0) fail(report_fd, SL_STEP_READONLY_ROOT);

    // 7b. a terminal from the container's own devpts, its master sent to the monitor
    if (spec->tty && SL_open_console(stdin_fd) < 0) fail(report_fd, SL_STEP_STDIO);

    // 8. hostname, rlimits, session
    if (spec->hostname && sethostname(spec->hostname, strlen(spec->hostname)) < 0) fail(report_fd, SL_STEP_HOSTNAME);
    for (size_t i = 0; i < spec->rlimits_count; i++) {
        struct rlimit limit = { .rlim_cur = spec->rlimits[i].soft, .rlim_max = spec->rlimits[i].hard };
        if (setrlimit(spec->rlimits[i].resource, &limit) < 0) fail(report_fd, SL_STEP_RLIMIT);
    }
    if (!spec->tty && setsid() < 0) fail(report_fd, SL_STEP_SETSID);

    // 9. seccomp early, while CAP_SYS_ADMIN is still held, when no_new_privs is off (the filter
    // might not allow waiting for the detacher, so that is done first)
    if (!spec->no_new_privs && spec->seccomp_program) {
        reap_detacher(&detacher, report_fd);
        if (load_seccomp(spec) < 0) fail(report_fd, SL_STEP_SECCOMP);
    }

    // 10. identity and capabilities
    int step = 0;
    if (SL_apply_identity(spec, &step) < 0) fail(report_fd, step);

    // 11. working directory
    if (chdir(spec->cwd ? spec->cwd : "/") < 0) fail(report_fd, SL_STEP_CWD);
    umask(022);

    // 12. ready; wait for start
    write_report(report_fd, SL_STEP_READY, 0);
    char byte;
    ssize_t n;
    do { n = read(start_fd, &byte, 1); } while (n < 0 && errno == EINTR);
    if (n != 1) { errno = n == 0 ? ECANCELED : errno; fail(report_fd, SL_STEP_START_WAIT); }
    close(start_fd);

    // 13. the old root gone; no_new_privs, seccomp last, exec
    reap_detacher(&detacher, report_fd);
    if (spec->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail(report_fd, SL_STEP_NO_NEW_PRIVS);
    if (spec->no_new_privs && load_seccomp(spec) < 0) fail(report_fd, SL_STEP_SECCOMP);
    char path[PATH_MAX];
    if (SL_lookup_executable(spec->args[0], spec->envs, path, sizeof(path)) < 0) fail(report_fd, SL_STEP_LOOKUP);
    execve(path, spec->args, spec->envs);
    fail(report_fd, SL_STEP_EXEC);
}
