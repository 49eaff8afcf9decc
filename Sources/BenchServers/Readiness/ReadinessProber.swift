import BenchCore
import BenchPlacement
import Dispatch

/// Runs one readiness probe of a recipe against one instance, once.
///
/// The caller repeats it every `ReadinessSpec.interval` until `.ready` or the spec's timeout.
/// Network probes run on NIO's event loops (BenchNetwork); blocking work (file reads) runs on a
/// dispatch thread, not on Swift's cooperative pool, so probing many instances at once never
/// starves other tasks or each other.
public enum ReadinessProber {
    /// Connect + request + response of an `http` probe, and the connect of a `tcp` probe.
    public static let networkTimeout: Duration = .seconds(2)
    /// Longest run of a `command` probe before its process group is killed.
    public static let commandTimeout: Duration = .seconds(10)
    /// At most this much of an HTTP body is read (enough for any health page).
    public static let maxBodyBytes = 64 * 1024

    /// Probes `check` once.
    ///
    /// - Parameters:
    ///   - host: where the instance listens ("0.0.0.0" is probed on loopback).
    ///   - ports: the instance's named ports.
    ///   - stdoutPath, stderrPath: the instance's log files, for `log` probes.
    ///   - stdoutOffset, stderrOffset: where this start's output begins in the log files; lines
    ///     before (an earlier run of a restarted instance, logs being appended) do not count.
    ///   - environment, workingDirectory: for `command` probes (the instance's own).
    public static func probe(_ check: ReadinessCheck, host: String, ports: [String: Int],
                             stdoutPath: String, stderrPath: String,
                             stdoutOffset: Int64 = 0, stderrOffset: Int64 = 0,
                             environment: [String: String], workingDirectory: String) async -> ProbeResult {
        switch check {
        case .http(let portName, let path, let status, let body):
            guard let port = ports[portName] else { return .notReady("no port named '\(portName)'") }
            return await probeHTTP(host: host, port: port, path: path, expectedStatus: status, bodyText: body)
        case .tcp(let portName):
            guard let port = ports[portName] else { return .notReady("no port named '\(portName)'") }
            return await probeTCP(host: host, port: port)
        case .log(let pattern, let stream):
            var files: [(name: String, path: String, offset: Int64)] = []
            if stream != .stderr { files.append(("stdout", stdoutPath, stdoutOffset)) }
            // One shared file (stderr redirected into stdout) is searched once.
            if stream != .stdout && !(stream == .any && stderrPath == stdoutPath) {
                files.append(("stderr", stderrPath, stderrOffset))
            }
            let sources = files
            return await offPool { probeLog(pattern: pattern, files: sources) }
        case .command(let argv):
            return await probeCommand(argv, environment: environment, workingDirectory: workingDirectory)
        }
    }

    /// Runs blocking `work` on a dispatch thread and awaits its result.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async { continuation.resume(returning: work()) }
        }
    }

    /// Whole seconds as text ("2"), or with a fraction when there is one ("0.5"), for reasons.
    static func secondsText(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return value == value.rounded() ? String(Int(value)) : String(value)
    }
}
