import Foundation
import XCTest

/// The short version of `benchmarks/soak.py`: an open-loop run whose per-second series has every
/// second, whose counts nginx's own counter confirms, and whose memory stays flat while it runs.
final class SoakTests: XCTestCase {
    var bench: BenchProcess!

    override func setUpWithError() throws { bench = try BenchProcess() }
    override func tearDown() {
        _ = try? bench.run(["--cleanup", "target"])
        bench.cleanUp()
    }

    private func residentKiB(_ pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    }

    /// nginx's stub_status `requests`: every request it answered.
    private func nginxRequests(_ port: Int) throws -> Int {
        let (status, body) = try XCTUnwrap(ServiceProbes.httpGet(port: port, path: "/nginx_status"))
        XCTAssertEqual(status, 200)
        let numbers = body.split(separator: "\n")[2].split(separator: " ").compactMap { Int($0) }
        return try XCTUnwrap(numbers.count == 3 ? numbers[2] : nil, body)
    }

    func testAnOpenLoopRunKeepsEverySecondAndItsMemory() throws {
        let start = try bench.run(["--session", "target", "-c", "server start nginx", "-c", "detach"])
        XCTAssertEqual(start.status, 0, start.stderr)
        let port = try XCTUnwrap(ServiceProbes.port(ServiceProbes.servers(in: bench.directory, session: "target")["s1"]))
        let before = try nginxRequests(port)

        let seconds = 12, rate = 200
        let (process, input, output, errors) = try bench.start(["--session", "soak", "-c",
            "client run nginx-get --target 127.0.0.1:\(port) --rate \(rate) --duration \(seconds)s --warmup 1s --quiet"])
        try input.fileHandleForWriting.close()
        var samples: [(Date, Int)] = []
        let began = Date()
        while process.isRunning {
            Thread.sleep(forTimeInterval: 0.5)
            if let kib = residentKiB(process.processIdentifier) { samples.append((Date(), kib)) }
        }
        _ = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0, stderr)
        let after = try nginxRequests(port)

        let run = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bench.read("sessions/soak/runs/r1.json").utf8)) as? [String: Any])
        let series = (run["time_series"] as? [[String: Any]] ?? []).filter { ($0["warmup"] as? Bool) == false }
        let secondsSeen = Set(series.compactMap { $0["second"] as? Int })
        XCTAssertFalse(secondsSeen.isEmpty)
        XCTAssertEqual(Array(secondsSeen).sorted(), Array(secondsSeen.min()!...secondsSeen.max()!), "a second is missing from the series")
        XCTAssertGreaterThanOrEqual(secondsSeen.count, seconds)
        let counts = try XCTUnwrap(run["counts"] as? [String: Any])
        XCTAssertEqual(counts["ok"] as? Int, seconds * rate, "\(counts)")
        let sent = (counts["sent"] as? Int ?? 0) + (counts["warmup_excluded"] as? Int ?? 0)
        // The witness: nginx answered exactly what bench sent, plus our first status read.
        XCTAssertEqual(after - before - 1, sent)

        // Memory once the run is going (pools and histograms allocated) against its end.
        let settled = samples.filter { $0.0.timeIntervalSince(began) >= 3 }.map(\.1)
        let growth = (settled.last ?? 0) - (settled.first ?? 0)
        XCTAssertLessThan(growth, 8 * 1024, "RSS grew \(growth) KiB during a \(seconds) s run: \(samples.map(\.1))")
    }
}
