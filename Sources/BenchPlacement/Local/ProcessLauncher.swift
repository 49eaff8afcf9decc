import BenchCore
import Glibc

/// Starts long-lived children with `posix_spawn`, each leading its own process group.
///
/// Not Foundation's `Process`: it reaps and monitors children itself (conflicting with our own
/// `waitpid`), and it cannot put the child in a new process group or reset signal dispositions.
public enum ProcessLauncher {
    /// Starts `spec` and returns at once; the caller owns the child and must reap it
    /// (`ProcessInspector.reap`) or it stays a zombie after exiting.
    ///
    /// The child: leads a new process group (so one `kill(-pgid)` reaches everything it forks);
    /// has every signal at its default disposition and nothing blocked (bench ignores
    /// SIGINT/SIGTERM/SIGHUP, and ignored dispositions survive exec); reads `/dev/null`; appends
    /// its output to the spec's files; sees only the spec's environment; inherits no other file
    /// descriptors.
    public static func launch(_ spec: LaunchSpec) throws -> LaunchedProcess {
        try launch(spec, changeDirectoryWithShell: GlibcSpawnExtensions.addChdir == nil)
    }

    /// `launch`, with the child held at a `LaunchGate` until `LaunchGate.open([pid])`: for servers,
    /// which must be listed in `state.json` before they may outlive a killed bench.
    public static func launchGated(_ spec: LaunchSpec) throws -> LaunchedProcess {
        try launch(spec, changeDirectoryWithShell: GlibcSpawnExtensions.addChdir == nil, gated: true)
    }

    /// `launch`, with the old-glibc working-directory fallback selectable so tests can run it.
    static func launch(_ spec: LaunchSpec, changeDirectoryWithShell: Bool, gated: Bool = false) throws -> LaunchedProcess {
        guard let name = spec.argv.first else {
            throw BenchError("cannot start a process: the command is empty")
        }
        try checkDirectory(spec.workingDirectory, for: name)
        let executable = try ExecutableResolver.resolve(
            name, environment: spec.environment, workingDirectory: spec.workingDirectory)
        // Open (and create) the log files here first: posix_spawn would only say "No such file
        // or directory" without telling which path was wrong.
        try checkWritable(spec.stdoutPath, for: name)
        if spec.stderrPath != spec.stdoutPath { try checkWritable(spec.stderrPath, for: name) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setpgroup(&attributes, 0)  // 0: the child's pid becomes its group id
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let outputFlags = O_WRONLY | O_APPEND | O_CREAT
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        // The opens come before the chdir, so relative log paths mean the same as in checkWritable.
        posix_spawn_file_actions_addopen(&actions, 1, spec.stdoutPath, outputFlags, 0o644)
        if spec.stderrPath == spec.stdoutPath {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)  // one open file: lines interleave in order
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, spec.stderrPath, outputFlags, 0o644)
        }
        // The gate's pipe: the read end becomes the child's descriptor 3 (dup2 clears close-on-exec
        // there); both ends are close-on-exec in bench, and the read end is moved above 3 first, as
        // dup2 onto itself would keep the flag and lose the pipe at exec.
        var gate: (read: Int32, write: Int32)?
        if gated {
            var ends: [Int32] = [-1, -1]
            // pipe2 is not in Swift's Glibc module: the ends get close-on-exec at once after (our own
            // spawns close inherited descriptors anyway; this keeps other spawns from seeing them).
            guard pipe(&ends) == 0 else {
                throw BenchError("cannot start '\(name)': cannot make its start gate: \(String(cString: strerror(errno)))")
            }
            let readEnd = fcntl(ends[0], F_DUPFD_CLOEXEC, 10)
            let writeEnd = fcntl(ends[1], F_DUPFD_CLOEXEC, 10)
            close(ends[0])
            close(ends[1])
            gate = (readEnd, writeEnd)
            posix_spawn_file_actions_adddup2(&actions, readEnd, 3)
        }
        defer { if let gate { close(gate.read) } }
        // Descriptors bench opened without O_CLOEXEC (a listening socket, a log) must not leak
        // into a server that outlives us: it would keep a port bound or a file open.
        if let addClosefrom = GlibcSpawnExtensions.addClosefrom { _ = addClosefrom(&actions, gated ? 4 : 3) }

        var argv = spec.argv
        var executablePath = executable
        if !changeDirectoryWithShell, let addChdir = GlibcSpawnExtensions.addChdir {
            _ = addChdir(&actions, spec.workingDirectory)
        } else {
            // glibc < 2.29: no chdir action, and chdir() in our multithreaded parent would race.
            // A tiny shell does the cd and then execs the real program (argv[0] becomes its path).
            argv = ["/bin/sh", "-c", "cd -- \"$0\" || exit 127; exec \"$@\"", spec.workingDirectory, executable]
                + spec.argv.dropFirst()
            executablePath = "/bin/sh"
        }

        if gated {
            argv = ["/bin/sh", "-c", LaunchGate.script, "bench-gate", executablePath] + argv.dropFirst()
            executablePath = "/bin/sh"
        }

        let environment = spec.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let result = withCStringArray(argv) { argvPointers in
            withCStringArray(environment) { environmentPointers in
                posix_spawn(&pid, executablePath, &actions, &attributes, argvPointers, environmentPointers)
            }
        }
        guard result == 0 else {
            if let gate { close(gate.write) }
            throw BenchError("cannot start '\(name)': \(String(cString: strerror(result)))")
        }
        if let gate { LaunchGate.hold(pid: pid, writeEnd: gate.write) }
        // Our child: even if it already exited, it is a zombie until reaped, so /proc has it.
        let startTime = ProcessInspector.startTime(of: pid) ?? 0
        return LaunchedProcess(pid: pid, processGroup: pid, startTime: startTime)
    }

    private static func checkDirectory(_ path: String, for name: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw BenchError("cannot start '\(name)': working directory \(path) does not exist")
        }
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
            throw BenchError("cannot start '\(name)': working directory \(path) is not a directory")
        }
    }

    private static func checkWritable(_ path: String, for name: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw BenchError("cannot start '\(name)': cannot open log file \(path): \(reason)")
        }
        close(fd)
    }

    /// Calls `body` with a NULL-terminated `char *[]` copy of `strings`, freed afterwards.
    private static func withCStringArray<R>(
        _ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R
    ) -> R {
        let pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return body(pointers)
    }
}
