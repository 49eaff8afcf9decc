import BenchCore
import BenchPlacement
@testable import BenchMonitors
import BenchServers
import Foundation
import Glibc
import XCTest

final class PrometheusDeploymentTests: MonitorTestCase {
    private func deploy(readinessTimeout: Duration = .seconds(15)) async throws -> PrometheusDeployment {
        let deployment = PrometheusDeployment(.init(directory: directory + "/m1", readinessTimeout: readinessTimeout))
        onTearDown { await deployment.stop() }
        return deployment
    }

    /// Ready means up == 1 for its own targets; bad PromQL gets Prometheus' text; a dead target
    /// shows as down with its error; removing the file removes the target.
    func testDeploysReadyAnswersQueriesAndReportsDownTargets() async throws {
        let deployment = try await deploy()
        let began = Date()
        try await deployment.start()
        print("prometheus ready (up == 1 for prometheus and node) after \(String(format: "%.1f", Date().timeIntervalSince(began))) s")
        XCTAssertLessThan(Date().timeIntervalSince(began), 15)
        let maybeClient = await deployment.client
        let client = try XCTUnwrap(maybeClient)

        let up = try await client.query("up")
        let jobs = Dictionary(up.series.map { ($0.labels["job"] ?? "", $0.values.first?.value ?? 0) }, uniquingKeysWith: max)
        XCTAssertEqual(jobs["prometheus"], 1)
        XCTAssertEqual(jobs["node"], 1)
        let config = try String(contentsOfFile: deployment.configPath, encoding: .utf8)
        XCTAssertTrue(config.contains("scrape_interval: 1s"), config)
        XCTAssertTrue(config.contains("refresh_interval: 1s"), config)

        do {
            _ = try await client.query("rate(up[5s]")
            XCTFail("invalid PromQL was accepted")
        } catch {
            XCTAssertTrue("\(error)".contains("parse error"), "\(error)")
        }
        do {
            _ = try await client.queryRange("sum(", start: Date().addingTimeInterval(-10), end: Date(), step: 1)
            XCTFail("invalid PromQL was accepted")
        } catch {
            XCTAssertTrue("\(error)".contains("bad_data"), "\(error)")
        }

        // Nothing listens on this port: the target is down, with the connection error.
        let deadPort = try PortAllocator.freePort()
        try deployment.writeTarget(name: "s9", address: "127.0.0.1:\(deadPort)",
                                   labels: ["handle": "s9", "recipe": "redis", "session": "test"])
        var down: ScrapeTarget?
        try await waitFor("target s9 down", timeout: 10) {
            down = try? await client.targets().first { $0.labels["handle"] == "s9" && $0.health == .down }
            return down != nil
        }
        XCTAssertTrue(down?.lastError.contains("refused") == true, down?.lastError ?? "")
        XCTAssertEqual(down?.scrapeURL, "http://127.0.0.1:\(deadPort)/metrics")
        XCTAssertEqual(down?.labels["recipe"], "redis")
        XCTAssertEqual(deployment.targetNames(), ["s9"])

        try deployment.removeTarget(name: "s9")
        try deployment.removeTarget(name: "s9")  // twice is fine
        try await waitFor("target s9 gone", timeout: 10) {
            (try? await client.targets().contains { $0.labels["handle"] == "s9" }) == false
        }

        await deployment.stop()
        await deployment.stop()
        let isReady = await client.isReady()
        XCTAssertFalse(isReady)
    }

    func testPromtoolRejectsABrokenConfig() async throws {
        let path = directory + "/prometheus.yml"
        try "global:\n  scrape_interval: banana\nscrape_configs: []\n".write(toFile: path, atomically: true, encoding: .utf8)
        do {
            try await PrometheusDeployment.check(configPath: path, directory: directory)
            XCTFail("promtool accepted a broken config")
        } catch {
            XCTAssertTrue("\(error)".contains("is invalid"), "\(error)")
            XCTAssertTrue("\(error)".contains("banana"), "\(error)")
        }
    }

    func testPortInUseIsAClearError() async throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        listen(fd, 1)
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: bound.sin_port))
        let deployment = PrometheusDeployment(.init(directory: directory + "/m1", port: .fixed(port)))
        onTearDown { await deployment.stop() }
        do {
            try await deployment.start()
            XCTFail("started on a port in use")
        } catch {
            XCTAssertTrue("\(error)".contains("port \(port) on 127.0.0.1 is already in use"), "\(error)")
        }
        let processes = await deployment.processes
        XCTAssertTrue(processes.isEmpty)
    }

    func testConfigRenderingAndTargetFiles() throws {
        let config = PrometheusConfig(scrapeInterval: BenchDuration(seconds: 0.5), selfAddress: "127.0.0.1:9090",
                                      nodeExporterAddress: "127.0.0.1:9100", targetsDirectory: "/tmp/x/targets")
        let text = config.render()
        XCTAssertTrue(text.contains("scrape_interval: 500ms"), text)
        XCTAssertTrue(text.contains("scrape_timeout: 500ms"), text)
        XCTAssertTrue(text.contains("files: [\"/tmp/x/targets/*.json\"]"), text)
        XCTAssertEqual(config.ownJobs, ["prometheus", "node"])
        XCTAssertEqual(PrometheusConfig.duration(BenchDuration(seconds: 86_400)), "86400s")

        let deployment = PrometheusDeployment(.init(directory: directory))
        try FileManager.default.createDirectory(atPath: deployment.targetsDirectory, withIntermediateDirectories: true)
        try deployment.writeTarget(name: "s1", address: "127.0.0.1:9121", labels: ["handle": "s1"], metricsPath: "/stats")
        let data = try Data(contentsOf: URL(fileURLWithPath: deployment.targetsDirectory + "/s1.json"))
        let groups = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        XCTAssertEqual(groups.first?["targets"] as? [String], ["127.0.0.1:9121"])
        XCTAssertEqual(groups.first?["labels"] as? [String: String], ["handle": "s1", "__metrics_path__": "/stats"])
        XCTAssertThrowsError(try deployment.writeTarget(name: "../x", address: "a:1"))
    }
}
