// CSwiftletRuntime: the C that must run where Swift cannot — between fork and exec of a container
// or exec'd process, and in the small per-container monitor. Functions are prefixed SL_, do one
// thing and hold no policy: every decision (paths, flags, capability masks, the seccomp program)
// is made by NativeRuntime in Swift and handed over in an SL_spec.
#ifndef CSWIFTLET_RUNTIME_H
#define CSWIFTLET_RUNTIME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The step of the container init path that failed; written with errno to the error pipe.
typedef enum {
    SL_STEP_READY = 0,        // not a failure: setup done, waiting for start
    SL_STEP_CGROUP = 1,
    SL_STEP_SETNS = 2,
    SL_STEP_OOM_SCORE = 3,
    SL_STEP_MOUNT_PROPAGATION = 4,
    SL_STEP_ROOTFS = 5,
    SL_STEP_MOUNT_PROC = 6,
    SL_STEP_MOUNT_DEV = 7,
    SL_STEP_MOUNT_SYS = 8,
    SL_STEP_MOUNT_USER = 9,
    SL_STEP_PIVOT_ROOT = 10,
    SL_STEP_MASK_PATHS = 11,
    SL_STEP_READONLY_PATHS = 12,
    SL_STEP_READONLY_ROOT = 13,
    SL_STEP_HOSTNAME = 14,
    SL_STEP_RLIMIT = 15,
    SL_STEP_SETSID = 16,
    SL_STEP_BOUNDING = 17,
    SL_STEP_USER = 18,
    SL_STEP_CAPS = 19,
    SL_STEP_NO_NEW_PRIVS = 20,
    SL_STEP_SECCOMP = 21,
    SL_STEP_CWD = 22,
    SL_STEP_START_WAIT = 23,
    SL_STEP_LOOKUP = 24,
    SL_STEP_EXEC = 25,
    SL_STEP_STDIO = 26,
    SL_STEP_SPEC = 27,
    SL_STEP_CLONE = 28,
    SL_STEP_NAMESPACES = 29,
    SL_STEP_LOOPBACK = 30,
    SL_STEP_BIND_NS = 31,
    SL_STEP_SYSCTL = 32,
} SL_step;

/// A short name of a step, for error messages ("pivot_root", "seccomp", …).
const char *SL_step_name(int step);

/// One mount to perform inside the container, destination relative to the new root.
typedef struct {
    const char *destination;
    const char *source;
    const char *type;        // NULL or "bind" for a bind mount; "remount" changes flags of a mount point
    const char *data;
    unsigned long flags;     // MS_* flags; MS_RDONLY etc. on a bind mount are applied by remount
} SL_mount;

typedef struct {
    int resource;
    uint64_t soft;
    uint64_t hard;
} SL_rlimit;

/// Everything the init path needs, parsed from a spec file: a sequence of NUL-terminated
/// key and value strings (see NativeRuntime's `InitSpec` for the writer).
typedef struct {
    char *buffer;
    size_t length;

    const char *rootfs;
    const char *overlay_lower, *overlay_upper, *overlay_work;
    int readonly_rootfs;
    int default_devices;              // create the OCI default device nodes in /dev
    int cgroupns;                     // unshare a cgroup namespace once in the container's cgroups
    const char *hostname;
    const char *ns_net, *ns_ipc, *ns_uts, *ns_pid;  // paths to join; NULL: own (pid) or keep (others)
    // Files the init (or an exec) writes `0` (itself) or the monitor writes the init's PID to, to
    // join the container's cgroups: v1 `tasks`, v2 `cgroup.procs`.
    const char **cgroup_join; size_t cgroup_join_count;
    int cgroup_self_join;             // the init joins them itself at once (v1: a single thread
                                      // moving itself takes no global lock, so no RCU wait)
    const char **monitor_cgroup_join; size_t monitor_cgroup_join_count;
    SL_mount *mounts; size_t mounts_count;
    const char **masked; size_t masked_count;
    const char **readonly; size_t readonly_count;
    uid_t uid; gid_t gid;
    gid_t *groups; size_t groups_count;
    const char *cwd;
    char **args; size_t args_count;     // NULL-terminated
    char **envs; size_t envs_count;     // NULL-terminated
    SL_rlimit *rlimits; size_t rlimits_count;
    int has_oom_score_adj; int oom_score_adj;
    uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
    int no_new_privs;
    const char *seccomp_path;
    void *seccomp_program; size_t seccomp_program_length;  // raw struct sock_filter array
    const char *log_path; uint64_t log_max_size; int log_max_files;
    int target_pid;                     // exec mode: the container's init
    int tty;                            // the process gets a terminal of the container's devpts
    int console_fd;                     // exec mode: where to send the terminal's master (SCM_RIGHTS)
    int open_stdin, stdin_once;         // run mode: the container reads a pipe attach clients write to
} SL_spec;

/// Reads and parses a spec file. Returns 0, or -1 with errno set (EINVAL for a malformed file).
int SL_spec_load(const char *path, SL_spec *spec);
/// Reads the seccomp program named by `seccomp_path`, if any. Returns 0 or -1 with errno.
int SL_spec_load_seccomp(SL_spec *spec);
void SL_spec_free(SL_spec *spec);

/// The report an init child writes on its close-on-exec error pipe.
typedef struct {
    int32_t step;
    int32_t error;
} SL_report;

/// Runs in the cloned child (new mount and PID namespaces): the whole init path up to exec.
/// Writes SL_STEP_READY to `report_fd` when set up, then blocks reading one byte from `start_fd`,
/// then execs. On any failure writes {step, errno} to `report_fd` and exits 127. Never returns.
/// `stdin_fd` -1 gives the container /dev/null as stdin. With `spec->tty`, `stdin_fd` is instead
/// the socket on which the terminal's master side is sent. With `cgroups_fd` -1 the child joins
/// `spec->cgroup_join` itself; otherwise the caller moves it there (`SL_move_to_cgroups`) and
/// writes one byte on the other end when done, which the child waits for before it needs them.
/// Every other descriptor the child inherited is closed first, so a caller that dies leaves the
/// child reading end of file on `start_fd` and `cgroups_fd` (it then exits) rather than waiting.
void SL_container_init(const SL_spec *spec, int report_fd, int start_fd, int cgroups_fd, int stdin_fd, int stdout_fd,
                       int stderr_fd) __attribute__((noreturn));

/// Moves process `pid` (0: the calling thread) into each cgroup whose join file (`tasks`,
/// `cgroup.procs`) is listed.
/// Returns 0 or -1 with errno.
int SL_move_to_cgroups(const char *const *procs, size_t count, pid_t pid);

/// Exec mode: joins the namespaces and cgroups of `spec->target_pid`, forks, and in the child
/// applies user, capabilities, no_new_privs and seccomp and execs `spec->args` with the caller's
/// stdio. Returns the child's exit status as an exit code (128 + signal when killed), or -1 with
/// `*failed_step` and errno set when a step failed before exec.
int SL_exec_in_container(const SL_spec *spec, int *failed_step);

/// Sandbox mode: unshares network, IPC and UTS namespaces, sets the hostname, brings `lo` up,
/// writes the namespaced sysctls (`sysctl_paths[i]` under /proc/sys gets `sysctl_values[i]`) and
/// bind-mounts the three namespaces onto `<ns_dir>/net`, `ipc` and `uts` (files created here).
/// Runs in a forked child and leaves the caller's namespaces alone. Returns 0 or -1 with
/// `*failed_step` and errno set.
int SL_create_sandbox_namespaces(const char *ns_dir, const char *hostname, const char *const *sysctl_paths,
                                 const char *const *sysctl_values, size_t sysctl_count, int *failed_step);

/// posix_spawn with every signal reset to default and unblocked in the child, optionally in a new
/// session, with fds[i] (or /dev/null when -1) as the child's fd i for i < fd_count and every
/// other descriptor closed. Returns the pid, or -1 with errno set.
pid_t SL_spawn(const char *path, char *const argv[], char *const envp[], const int *fds, int fd_count, int new_session);

/// pidfd_open(2): a descriptor for a process that becomes readable when it exits.
int SL_pidfd_open(pid_t pid);
/// pidfd_send_signal(2): signals the process the pidfd refers to, never a recycled PID.
int SL_pidfd_send_signal(int pidfd, int signal);
/// waitid(P_PIDFD, WEXITED | WNOHANG): reaps the process if it is our exited child.
int SL_pidfd_reap(int pidfd);
/// pipe2(O_CLOEXEC).
int SL_pipe_cloexec(int fds[2]);
/// open(O_PATH | O_CLOEXEC): a handle to a path (for connecting to a socket by a short name).
int SL_open_path(const char *path);
/// memfd_create(MFD_CLOEXEC).
int SL_memfd_cloexec(const char *name);
/// socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC).
int SL_socketpair_cloexec(int fds[2]);
/// Receives one descriptor sent with SCM_RIGHTS (close-on-exec). Returns it, or -1 with errno.
int SL_receive_fd(int socket);
/// Gives the calling process a terminal from the devpts of its own mount namespace, so that
/// ttyname() works inside the container: opens /dev/ptmx and its peer, makes the peer stdin,
/// stdout, stderr and the controlling terminal of a new session, and sends the master side over
/// `socket` with SCM_RIGHTS. Returns 0 or -1 with errno.
int SL_open_console(int socket);
/// TIOCSWINSZ on a terminal.
int SL_set_window_size(int fd, unsigned short rows, unsigned short columns);
/// bpf(2): runs `command` with the `size` bytes of `union bpf_attr` at `attributes`. Returns the
/// call's result (a descriptor for loads) or -1 with errno.
int SL_bpf(int command, void *attributes, unsigned int size);

#ifdef __cplusplus
}
#endif
#endif
