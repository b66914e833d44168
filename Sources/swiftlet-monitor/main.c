// swiftlet-monitor: the small process that owns one container, as conmon or containerd-shim do.
// It outlives the agent: it clones the container, holds its stdout and stderr, writes them to the
// log file in the CRI format, waits for the start command on a unix socket in the container's
// state directory, and records the exit status in the `exit` file before it exits itself.
//
//   swiftlet-monitor run  <state dir>   fd 3: the agent's sync pipe ("created <pid>" or "error …")
//   swiftlet-monitor pod-init           the PID 1 of a pod's shared PID namespace
//   swiftlet-monitor exec <spec file>   join a running container and exec (stdio inherited); the
//                                       spec file is removed once read
//
// Files in the state directory (the container's directory in the runtime's run directory, on
// tmpfs): spec (input), monitor.sock, started, exit ("<wait status> <ns>").
#include "CSwiftletRuntime.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { PIECE = 16 * 1024 };

typedef struct {
    const char *name;          // "stdout" or "stderr"
    int fd;                    // read end of the container's pipe; -1 at end of file
    char pending[PIECE];
    size_t pending_length;
} stream_t;

typedef struct {
    const SL_spec *spec;
    int fd;
    uint64_t size;
} log_t;

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int write_all(int fd, const void *data, size_t length) {
    const char *p = data;
    while (length) {
        ssize_t n = write(fd, p, length);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        p += n;
        length -= (size_t)n;
    }
    return 0;
}

// Written to a temporary file and renamed, so a reader never sees half of it. Not synced: the
// state directory is the runtime's run directory on tmpfs, read only by an agent restarted on a
// running node (a reboot ends the container and empties the directory alike).
static int write_file_atomically(const char *name, const char *text) {
    char temporary[256];
    snprintf(temporary, sizeof(temporary), "%s.tmp", name);
    int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return -1;
    if (write_all(fd, text, strlen(text)) < 0) { close(fd); return -1; }
    close(fd);
    return rename(temporary, name);
}

// MARK: logs

static void log_open(log_t *log) {
    if (!log->spec->log_path) { log->fd = -1; return; }
    log->fd = open(log->spec->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    struct stat st;
    log->size = (log->fd >= 0 && fstat(log->fd, &st) == 0) ? (uint64_t)st.st_size : 0;
}

static int compare_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

// Renames the log to "<path>.<UTC time>" and keeps at most max_files - 1 rotated files, as the
// kubelet's container log manager names them.
static void log_rotate(log_t *log) {
    const char *path = log->spec->log_path;
    char rotated[4096], stamp[32];
    time_t now = time(NULL);
    struct tm utc;
    gmtime_r(&now, &utc);
    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &utc);
    snprintf(rotated, sizeof(rotated), "%s.%s", path, stamp);
    close(log->fd);
    if (rename(path, rotated) == 0) {
        char directory[4096];
        snprintf(directory, sizeof(directory), "%s", path);
        char *slash = strrchr(directory, '/');
        const char *base = slash ? slash + 1 : path;
        size_t base_length = strlen(base);
        if (slash) *slash = '\0'; else snprintf(directory, sizeof(directory), ".");
        DIR *dir = opendir(directory);
        if (dir) {
            char *names[256];
            size_t count = 0;
            struct dirent *entry;
            while ((entry = readdir(dir)) && count < 256) {
                if (!strncmp(entry->d_name, base, base_length) && entry->d_name[base_length] == '.')
                    names[count++] = strdup(entry->d_name);
            }
            closedir(dir);
            qsort(names, count, sizeof(char *), compare_names);
            int keep = log->spec->log_max_files > 1 ? log->spec->log_max_files - 1 : 0;
            for (size_t i = 0; i < count; i++) {
                if ((int)(count - i) > keep) {
                    char victim[4096];
                    snprintf(victim, sizeof(victim), "%s/%s", directory, names[i]);
                    unlink(victim);
                }
                free(names[i]);
            }
        }
    }
    log_open(log);
}

static void log_line(log_t *log, int64_t timestamp, const char *stream, char tag, const char *content, size_t length) {
    if (log->fd < 0) return;
    static char line[PIECE + 64];
    time_t seconds = (time_t)(timestamp / 1000000000LL);
    struct tm utc;
    gmtime_r(&seconds, &utc);
    int header = snprintf(line, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ %s %c ", utc.tm_year + 1900, utc.tm_mon + 1,
                          utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, (long long)(timestamp % 1000000000LL), stream, tag);
    memcpy(line + header, content, length);
    line[header + length] = '\n';
    size_t total = (size_t)header + length + 1;
    if (write_all(log->fd, line, total) == 0) log->size += total;
    if (log->spec->log_max_size && log->size >= log->spec->log_max_size) log_rotate(log);
}

// Splits what was read into lines; a line longer than PIECE goes out as P pieces and a final F.
static void stream_consume(stream_t *stream, log_t *log, const char *data, size_t length) {
    int64_t timestamp = now_ns();
    while (length) {
        const char *newline = memchr(data, '\n', length);
        size_t segment = newline ? (size_t)(newline - data) : length;
        size_t room = PIECE - stream->pending_length;
        if (segment >= room && !(newline && segment == room)) {
            memcpy(stream->pending + stream->pending_length, data, room);
            log_line(log, timestamp, stream->name, 'P', stream->pending, PIECE);
            stream->pending_length = 0;
            data += room;
            length -= room;
            continue;
        }
        memcpy(stream->pending + stream->pending_length, data, segment);
        stream->pending_length += segment;
        if (!newline) return;
        log_line(log, timestamp, stream->name, 'F', stream->pending, stream->pending_length);
        stream->pending_length = 0;
        data += segment + 1;
        length -= segment + 1;
    }
}

// Attached clients (CRI Attach): each gets every piece of output as a frame of
// [1 byte: 1 stdout, 2 stderr][4 bytes: length, big-endian][bytes]; what a client sends is written
// to the container's stdin. A client that cannot keep up is dropped rather than stall the monitor.
enum { MAX_CLIENTS = 8 };
static int clients[MAX_CLIENTS] = { -1, -1, -1, -1, -1, -1, -1, -1 };
static int client_input_open[MAX_CLIENTS];

static void clients_forward(int channel, const char *data, size_t length) {
    unsigned char header[5] = { (unsigned char)channel, (unsigned char)(length >> 24), (unsigned char)(length >> 16),
                                (unsigned char)(length >> 8), (unsigned char)length };
    for (int i = 0; i < MAX_CLIENTS; i++) {
        if (clients[i] < 0) continue;
        if (send(clients[i], header, 5, MSG_NOSIGNAL | MSG_DONTWAIT) != 5
            || send(clients[i], data, length, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)length) {
            close(clients[i]);
            clients[i] = -1;
        }
    }
}

static int stream_read(stream_t *stream, log_t *log) {
    static char buffer[32 * 1024];
    ssize_t n;
    do { n = read(stream->fd, buffer, sizeof(buffer)); } while (n < 0 && errno == EINTR);
    if (n > 0) {
        clients_forward(stream->name[3] == 'o' ? 1 : 2, buffer, (size_t)n);
        stream_consume(stream, log, buffer, (size_t)n);
        return 1;
    }
    if (n < 0 && errno == EAGAIN) return 0;
    if (stream->pending_length) log_line(log, now_ns(), stream->name, 'F', stream->pending, stream->pending_length);
    stream->pending_length = 0;
    close(stream->fd);
    stream->fd = -1;
    return 0;
}

// MARK: run

static void report_to_agent(int sync_fd, const char *text) {
    if (sync_fd >= 0) write_all(sync_fd, text, strlen(text));
}

static int run(const char *state_dir) {
    int sync_fd = fcntl(3, F_GETFD) >= 0 ? 3 : -1;
    if (sync_fd >= 0) fcntl(sync_fd, F_SETFD, FD_CLOEXEC);
    signal(SIGPIPE, SIG_IGN);
    char message[256];
    SL_spec spec;
    if (chdir(state_dir) < 0 || SL_spec_load("spec", &spec) < 0 || SL_spec_load_seccomp(&spec) < 0) {
        snprintf(message, sizeof(message), "error %d %d\n", SL_STEP_SPEC, errno);
        report_to_agent(sync_fd, message);
        return 1;
    }
    extern int SL_join_cgroups(const char *const *procs, size_t count);

    int out[2], err[2], report[2], start[2], joined[2], in[2] = { -1, -1 };
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0 || pipe2(start, O_CLOEXEC) < 0
        || pipe2(joined, O_CLOEXEC) < 0 || (spec.open_stdin && pipe2(in, O_CLOEXEC) < 0)) {
        snprintf(message, sizeof(message), "error %d %d\n", SL_STEP_STDIO, errno);
        report_to_agent(sync_fd, message);
        return 1;
    }

    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int signal_fd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);

    unsigned long flags = CLONE_NEWNS | SIGCHLD;
    if (spec.ns_pid) {
        int fd = open(spec.ns_pid, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, CLONE_NEWPID) < 0) {
            snprintf(message, sizeof(message), "error %d %d\n", SL_STEP_SETNS, errno);
            report_to_agent(sync_fd, message);
            return 1;
        }
        close(fd);
    } else {
        flags |= CLONE_NEWPID;
    }
    // A container with a terminal opens it in its own devpts and sends the master side back on
    // this socket; the monitor logs it as stdout and writes attached input to it.
    int console[2] = { -1, -1 };
    if (spec.tty && SL_socketpair_cloexec(console) < 0) {
        snprintf(message, sizeof(message), "error %d %d\n", SL_STEP_STDIO, errno);
        report_to_agent(sync_fd, message);
        return 1;
    }
    // With cgroup.self_join the child joins its cgroups itself at once (container_init.c, step 2).
    int cgroups_fd = spec.cgroup_self_join ? -1 : joined[0];
    pid_t child = (pid_t)syscall(SYS_clone, flags, 0, 0, 0, 0);
    if (child == 0) SL_container_init(&spec, report[1], start[0], cgroups_fd, spec.tty ? console[1] : in[0], out[1], err[1]);
    if (console[1] >= 0) close(console[1]);
    close(joined[0]);
    if (child < 0) {
        snprintf(message, sizeof(message), "error %d %d\n", SL_STEP_CLONE, errno);
        report_to_agent(sync_fd, message);
        return 1;
    }
    // Otherwise the child's cgroups are joined from here while it sets up its mounts.
    if (!spec.cgroup_self_join && SL_move_to_cgroups(spec.cgroup_join, spec.cgroup_join_count, child) < 0) {
        snprintf(message, sizeof(message), "error %d %d\n", SL_STEP_CGROUP, errno);
        report_to_agent(sync_fd, message);
        kill(child, SIGKILL);
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {}
        return 1;
    }
    write_all(joined[1], "J", 1);
    close(joined[1]);
    close(out[1]);
    close(err[1]);
    close(report[1]);
    close(start[0]);
    if (in[0] >= 0) close(in[0]);

    // The socket and the log file are made while the child sets the container up, off the
    // path from its report to the agent's answer.
    int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un address = { .sun_family = AF_UNIX };
    snprintf(address.sun_path, sizeof(address.sun_path), "monitor.sock");
    unlink("monitor.sock");
    if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof(address)) < 0 || listen(listener, 4) < 0) {
        snprintf(message, sizeof(message), "error %d %d\n", SL_STEP_STDIO, errno);
        report_to_agent(sync_fd, message);
        kill(child, SIGKILL);
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {}
        return 1;
    }

    log_t log = { .spec = &spec, .fd = -1 };
    log_open(&log);

    SL_report ready;
    ssize_t n;
    do { n = read(report[0], &ready, sizeof(ready)); } while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof(ready) || ready.step != SL_STEP_READY) {
        if (n != (ssize_t)sizeof(ready)) { ready.step = SL_STEP_CLONE; ready.error = ECHILD; }
        snprintf(message, sizeof(message), "error %d %d\n", ready.step, ready.error);
        report_to_agent(sync_fd, message);
        unlink("monitor.sock");
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {}
        return 1;
    }

    int master = spec.tty ? SL_receive_fd(console[0]) : -1;
    if (console[0] >= 0) close(console[0]);
    if (spec.tty && master < 0) {
        snprintf(message, sizeof(message), "error %d %d\n", SL_STEP_STDIO, errno);
        report_to_agent(sync_fd, message);
        unlink("monitor.sock");
        kill(child, SIGKILL);
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {}
        return 1;
    }

    stream_t streams[2] = { { .name = "stdout", .fd = out[0] }, { .name = "stderr", .fd = err[0] } };
    if (master >= 0) {
        close(out[0]);
        close(err[0]);
        streams[0].fd = master;
        streams[1].fd = -1;
    }

    snprintf(message, sizeof(message), "created %d\n", child);
    report_to_agent(sync_fd, message);
    if (sync_fd >= 0) close(sync_fd);
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) { dup2(devnull, 0); dup2(devnull, 1); dup2(devnull, 2); if (devnull > 2) close(devnull); }

    int started = 0, exited = 0, status = 0, joined_pod_cgroup = 0;
    int stdin_writer = master >= 0 ? (spec.open_stdin ? dup(master) : -1) : in[1];
    while (!exited) {
        struct pollfd fds[4 + MAX_CLIENTS] = {
            { .fd = streams[0].fd, .events = POLLIN }, { .fd = streams[1].fd, .events = POLLIN },
            { .fd = listener, .events = POLLIN }, { .fd = signal_fd, .events = POLLIN },
        };
        for (int i = 0; i < MAX_CLIENTS; i++) { fds[4 + i].fd = clients[i]; fds[4 + i].events = client_input_open[i] ? POLLIN : 0; }
        if (poll(fds, 4 + MAX_CLIENTS, -1) < 0) { if (errno == EINTR) continue; break; }
        for (int i = 0; i < 2; i++) if (fds[i].revents) stream_read(&streams[i], &log);
        for (int i = 0; i < MAX_CLIENTS; i++) {
            if (clients[i] < 0 || !fds[4 + i].revents) continue;
            if (!client_input_open[i]) {  // hung up after closing its input
                close(clients[i]);
                clients[i] = -1;
                continue;
            }
            char input[4096];
            do { n = read(clients[i], input, sizeof(input)); } while (n < 0 && errno == EINTR);
            if (n > 0 && stdin_writer >= 0) {
                write_all(stdin_writer, input, (size_t)n);
            } else if (n == 0) {
                // The client closed its input; with stdinOnce that ends the container's stdin.
                if (spec.stdin_once && stdin_writer >= 0) { close(stdin_writer); stdin_writer = -1; }
                client_input_open[i] = 0;
            } else if (n < 0) {
                close(clients[i]);
                clients[i] = -1;
            }
        }
        if (fds[2].revents & POLLIN) {
            int connection = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
            if (connection >= 0) {
                char command[64] = {0};
                do { n = read(connection, command, sizeof(command) - 1); } while (n < 0 && errno == EINTR);
                if (!strncmp(command, "start", 5)) {
                    if (started) {
                        snprintf(message, sizeof(message), "error %d %d\n", SL_STEP_START_WAIT, EALREADY);
                    } else {
                        started = 1;
                        int64_t started_at = now_ns();
                        write_all(start[1], "S", 1);
                        close(start[1]);
                        SL_report failure;
                        do { n = read(report[0], &failure, sizeof(failure)); } while (n < 0 && errno == EINTR);
                        if (n == (ssize_t)sizeof(failure)) {
                            snprintf(message, sizeof(message), "error %d %d\n", failure.step, failure.error);
                        } else {
                            snprintf(message, sizeof(message), "%lld\n", (long long)started_at);
                            write_file_atomically("started", message);
                            snprintf(message, sizeof(message), "started %lld\n", (long long)started_at);
                            joined_pod_cgroup = 1;
                        }
                    }
                } else if (!strncmp(command, "attach", 6)) {
                    int slot = -1;
                    for (int i = 0; i < MAX_CLIENTS && slot < 0; i++) if (clients[i] < 0) slot = i;
                    if (slot >= 0) {
                        clients[slot] = connection;
                        client_input_open[slot] = 1;
                        write_all(connection, "attached\n", 9);
                        continue;
                    }
                    snprintf(message, sizeof(message), "error 0 %d\n", EBUSY);
                } else if (!strncmp(command, "resize ", 7)) {
                    unsigned rows = 0, columns = 0;
                    if (master >= 0 && sscanf(command + 7, "%u %u", &rows, &columns) == 2
                        && SL_set_window_size(master, (unsigned short)rows, (unsigned short)columns) == 0)
                        snprintf(message, sizeof(message), "resized\n");
                    else
                        snprintf(message, sizeof(message), "error 0 %d\n", master >= 0 ? errno : ENOTTY);
                } else if (!strncmp(command, "reopen", 6)) {
                    if (log.fd >= 0) close(log.fd);
                    log_open(&log);
                    snprintf(message, sizeof(message), "reopened\n");
                } else {
                    snprintf(message, sizeof(message), "error 0 %d\n", EINVAL);
                }
                write_all(connection, message, strlen(message));
                close(connection);
                // The monitor moves into the pod's cgroup once the container runs: through
                // cgroup.procs (v2) a migration waits for an RCU grace period, which must not
                // lengthen the start (through v1 `tasks` it is cheap either way).
                if (joined_pod_cgroup == 1) {
                    SL_join_cgroups(spec.monitor_cgroup_join, spec.monitor_cgroup_join_count);
                    joined_pod_cgroup = 2;
                }
            }
        }
        if (fds[3].revents & POLLIN) {
            struct signalfd_siginfo info;
            while (read(signal_fd, &info, sizeof(info)) > 0) {}
            pid_t done = waitpid(child, &status, WNOHANG);
            if (done == child) exited = 1;
        }
    }
    int64_t finished_at = now_ns();
    // Drain what the container wrote before it exited; a process that escaped and keeps a pipe
    // open does not hold the monitor.
    for (int i = 0; i < 2; i++) {
        if (streams[i].fd < 0) continue;
        fcntl(streams[i].fd, F_SETFL, O_NONBLOCK);
        while (streams[i].fd >= 0 && stream_read(&streams[i], &log) > 0) {}
        if (streams[i].fd >= 0 && streams[i].pending_length) {
            log_line(&log, now_ns(), streams[i].name, 'F', streams[i].pending, streams[i].pending_length);
        }
    }
    if (!started) close(start[1]);
    for (int i = 0; i < MAX_CLIENTS; i++) if (clients[i] >= 0) close(clients[i]);
    snprintf(message, sizeof(message), "%d %lld\n", status, (long long)finished_at);
    write_file_atomically("exit", message);
    unlink("monitor.sock");
    return 0;
}

static int exec_in(const char *spec_path) {
    SL_spec spec;
    if (SL_spec_load(spec_path, &spec) < 0 || SL_spec_load_seccomp(&spec) < 0) {
        fprintf(stderr, "swiftlet-monitor: exec: cannot read %s: %s\n", spec_path, strerror(errno));
        return 126;
    }
    // The spec of an exec is used once; the agent does not wait for this process to read it.
    unlink(spec_path);
    int step = 0;
    int code = SL_exec_in_container(&spec, &step);
    if (code >= 0) return code;
    int error = errno;
    fprintf(stderr, "swiftlet-monitor: exec %s: %s: %s\n", spec.args[0], SL_step_name(step), strerror(error));
    return (step == SL_STEP_LOOKUP && error == ENOENT) ? 127 : 126;
}

// The init of a pod's shared PID namespace (shareProcessNamespace): PID 1 that only reaps the
// orphans the pod's containers leave, the job of the pause container elsewhere. Prints its host
// PID on stdout and leaves it running on its own.
static int pod_init(void) {
    if (unshare(CLONE_NEWPID) < 0) {
        fprintf(stderr, "swiftlet-monitor: pod-init: unshare: %s\n", strerror(errno));
        return 1;
    }
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, NULL);
    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "swiftlet-monitor: pod-init: fork: %s\n", strerror(errno));
        return 1;
    }
    if (child > 0) {
        printf("%d\n", child);
        return 0;
    }
    setsid();
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) { dup2(devnull, 0); dup2(devnull, 1); dup2(devnull, 2); if (devnull > 2) close(devnull); }
    syscall(SYS_close_range, 3U, ~0U, 0);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    for (;;) {
        siginfo_t info;
        sigwaitinfo(&chld, &info);
        while (waitpid(-1, NULL, WNOHANG) > 0) {}
    }
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "run")) return run(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "exec")) return exec_in(argv[2]);
    if (argc == 2 && !strcmp(argv[1], "pod-init")) return pod_init();
    fprintf(stderr, "usage: swiftlet-monitor run <state dir> | exec <spec file> | pod-init\n");
    return 2;
}
