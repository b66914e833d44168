// The spec file: NUL-terminated key and value strings, one pair after another. Repeated keys
// accumulate (arg, env, mount, …); `mount` starts a mount whose source, type, data and flags
// follow as mount.src, mount.type, mount.data, mount.flags.
#include "CSwiftletRuntime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int read_whole_file(const char *path, char **out, size_t *out_length) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st) < 0) { int e = errno; close(fd); errno = e; return -1; }
    size_t capacity = (size_t)st.st_size + 1;
    char *buffer = malloc(capacity);
    if (!buffer) { close(fd); errno = ENOMEM; return -1; }
    size_t length = 0;
    for (;;) {
        if (length + 1 >= capacity) {
            char *grown = realloc(buffer, capacity * 2);
            if (!grown) { free(buffer); close(fd); errno = ENOMEM; return -1; }
            buffer = grown;
            capacity *= 2;
        }
        ssize_t n = read(fd, buffer + length, capacity - length - 1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { int e = errno; free(buffer); close(fd); errno = e; return -1; }
        if (n == 0) break;
        length += (size_t)n;
    }
    close(fd);
    buffer[length] = '\0';
    *out = buffer;
    *out_length = length;
    return 0;
}

static uint64_t parse_u64(const char *text) { return strtoull(text, NULL, 0); }

int SL_spec_load(const char *path, SL_spec *spec) {
    memset(spec, 0, sizeof(*spec));
    spec->log_max_files = 1;
    if (read_whole_file(path, &spec->buffer, &spec->length) < 0) return -1;

    size_t pairs = 0;
    for (size_t i = 0; i < spec->length; i++) if (spec->buffer[i] == '\0') pairs++;
    pairs = pairs / 2 + 1;
    spec->cgroup_join = calloc(pairs, sizeof(char *));
    spec->monitor_cgroup_join = calloc(pairs, sizeof(char *));
    spec->mounts = calloc(pairs, sizeof(SL_mount));
    spec->masked = calloc(pairs, sizeof(char *));
    spec->readonly = calloc(pairs, sizeof(char *));
    spec->groups = calloc(pairs, sizeof(gid_t));
    spec->args = calloc(pairs + 1, sizeof(char *));
    spec->envs = calloc(pairs + 1, sizeof(char *));
    spec->rlimits = calloc(pairs, sizeof(SL_rlimit));
    if (!spec->cgroup_join || !spec->monitor_cgroup_join || !spec->mounts || !spec->masked || !spec->readonly
        || !spec->groups || !spec->args || !spec->envs || !spec->rlimits) {
        SL_spec_free(spec);
        errno = ENOMEM;
        return -1;
    }

    char *cursor = spec->buffer, *end = spec->buffer + spec->length;
    while (cursor < end) {
        char *key = cursor;
        cursor += strlen(cursor) + 1;
        if (cursor >= end) { SL_spec_free(spec); errno = EINVAL; return -1; }
        char *value = cursor;
        cursor += strlen(cursor) + 1;
        SL_mount *last = spec->mounts_count ? &spec->mounts[spec->mounts_count - 1] : NULL;

        if (!strcmp(key, "rootfs")) spec->rootfs = value;
        else if (!strcmp(key, "overlay.lower")) spec->overlay_lower = value;
        else if (!strcmp(key, "overlay.upper")) spec->overlay_upper = value;
        else if (!strcmp(key, "overlay.work")) spec->overlay_work = value;
        else if (!strcmp(key, "readonly_rootfs")) spec->readonly_rootfs = atoi(value);
        else if (!strcmp(key, "default_devices")) spec->default_devices = atoi(value);
        else if (!strcmp(key, "cgroupns")) spec->cgroupns = atoi(value);
        else if (!strcmp(key, "hostname")) spec->hostname = value;
        else if (!strcmp(key, "ns.net")) spec->ns_net = value;
        else if (!strcmp(key, "ns.ipc")) spec->ns_ipc = value;
        else if (!strcmp(key, "ns.uts")) spec->ns_uts = value;
        else if (!strcmp(key, "ns.pid")) spec->ns_pid = value;
        else if (!strcmp(key, "cgroup.join")) spec->cgroup_join[spec->cgroup_join_count++] = value;
        else if (!strcmp(key, "cgroup.self_join")) spec->cgroup_self_join = atoi(value);
        else if (!strcmp(key, "monitor.cgroup.join")) spec->monitor_cgroup_join[spec->monitor_cgroup_join_count++] = value;
        else if (!strcmp(key, "mount")) spec->mounts[spec->mounts_count++].destination = value;
        else if (!strcmp(key, "mount.src") && last) last->source = value;
        else if (!strcmp(key, "mount.type") && last) last->type = value;
        else if (!strcmp(key, "mount.data") && last) last->data = value;
        else if (!strcmp(key, "mount.flags") && last) last->flags = (unsigned long)parse_u64(value);
        else if (!strcmp(key, "masked")) spec->masked[spec->masked_count++] = value;
        else if (!strcmp(key, "readonly")) spec->readonly[spec->readonly_count++] = value;
        else if (!strcmp(key, "uid")) spec->uid = (uid_t)parse_u64(value);
        else if (!strcmp(key, "gid")) spec->gid = (gid_t)parse_u64(value);
        else if (!strcmp(key, "group")) spec->groups[spec->groups_count++] = (gid_t)parse_u64(value);
        else if (!strcmp(key, "cwd")) spec->cwd = value;
        else if (!strcmp(key, "arg")) spec->args[spec->args_count++] = value;
        else if (!strcmp(key, "env")) spec->envs[spec->envs_count++] = value;
        else if (!strcmp(key, "rlimit")) {
            // "<resource> <soft> <hard>"
            char *next = NULL;
            SL_rlimit *limit = &spec->rlimits[spec->rlimits_count++];
            limit->resource = (int)strtol(value, &next, 10);
            limit->soft = strtoull(next, &next, 10);
            limit->hard = strtoull(next, &next, 10);
        }
        else if (!strcmp(key, "oom_score_adj")) { spec->has_oom_score_adj = 1; spec->oom_score_adj = atoi(value); }
        else if (!strcmp(key, "caps.bounding")) spec->cap_bounding = parse_u64(value);
        else if (!strcmp(key, "caps.effective")) spec->cap_effective = parse_u64(value);
        else if (!strcmp(key, "caps.permitted")) spec->cap_permitted = parse_u64(value);
        else if (!strcmp(key, "caps.inheritable")) spec->cap_inheritable = parse_u64(value);
        else if (!strcmp(key, "caps.ambient")) spec->cap_ambient = parse_u64(value);
        else if (!strcmp(key, "no_new_privs")) spec->no_new_privs = atoi(value);
        else if (!strcmp(key, "seccomp")) spec->seccomp_path = value;
        else if (!strcmp(key, "log.path")) spec->log_path = value;
        else if (!strcmp(key, "log.max_size")) spec->log_max_size = parse_u64(value);
        else if (!strcmp(key, "log.max_files")) spec->log_max_files = atoi(value);
        else if (!strcmp(key, "target_pid")) spec->target_pid = atoi(value);
        else if (!strcmp(key, "tty")) spec->tty = atoi(value);
        else if (!strcmp(key, "console_fd")) spec->console_fd = atoi(value);
        else if (!strcmp(key, "stdin")) spec->open_stdin = atoi(value);
        else if (!strcmp(key, "stdin_once")) spec->stdin_once = atoi(value);
        else { SL_spec_free(spec); errno = EINVAL; return -1; }
    }
    spec->args[spec->args_count] = NULL;
    spec->envs[spec->envs_count] = NULL;
    if (spec->args_count == 0) { SL_spec_free(spec); errno = EINVAL; return -1; }
    return 0;
}

int SL_spec_load_seccomp(SL_spec *spec) {
    if (!spec->seccomp_path) return 0;
    char *program = NULL;
    size_t length = 0;
    if (read_whole_file(spec->seccomp_path, &program, &length) < 0) return -1;
    if (length == 0 || length % 8 != 0) { free(program); errno = EINVAL; return -1; }
    spec->seccomp_program = program;
    spec->seccomp_program_length = length;
    return 0;
}

void SL_spec_free(SL_spec *spec) {
    free(spec->buffer);
    free(spec->cgroup_join);
    free(spec->monitor_cgroup_join);
    free(spec->mounts);
    free(spec->masked);
    free(spec->readonly);
    free(spec->groups);
    free(spec->args);
    free(spec->envs);
    free(spec->rlimits);
    free(spec->seccomp_program);
    memset(spec, 0, sizeof(*spec));
}

const char *SL_step_name(int step) {
    static const char *const names[] = {
        "ready", "join cgroup", "setns", "oom_score_adj", "mount propagation", "rootfs", "mount /proc",
        "mount /dev", "mount /sys", "mount", "pivot_root", "mask paths", "read-only paths",
        "read-only rootfs", "sethostname", "setrlimit", "setsid", "capability bounding set",
        "setuid/setgid/setgroups", "capabilities", "no_new_privs", "seccomp", "chdir to working dir",
        "wait for start", "look up executable", "execve", "stdio", "read spec", "clone",
        "unshare namespaces", "bring up loopback", "bind-mount namespace", "write sysctl",
    };
    if (step < 0 || (size_t)step >= sizeof(names) / sizeof(names[0])) return "unknown step";
    return names[step];
}
