import BenchCore
@testable import BenchPlacement
@testable import BenchServers
import Foundation
import XCTest

/// `--port` numbers kept apart from `--set` values, and read from state files that mixed them.
final class ServerInstanceTests: XCTestCase {
    private func instance(settings: [String: String], fixedPorts: [String: Int]?) -> ServerInstance {
        ServerInstance(handle: Handle(kind: .server, number: 1), alias: nil, recipeName: "kv", recipeSHA256: "f00", orchestrator: "slurm",
                       endpoint: Endpoint(host: "", ports: [:]), runtime: InstanceRuntime(), state: .starting, startedAt: Date(),
                       readyAt: nil, dataDirectory: "/d", logDirectory: "/l", settings: settings, fixedPorts: fixedPorts, url: nil)
    }

    func testPortsGivenComeFromTheirOwnFieldOrAnOlderStateFilesSettings() throws {
        XCTAssertEqual(instance(settings: ["mode": "fast"], fixedPorts: ["main": 7000]).portsGiven, ["main": 7000])
        // Written before the two were apart: settings held `port.NAME`, and there was no fixedPorts key.
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        var object = try XCTUnwrap(JSONSerialization.jsonObject(
            with: encoder.encode(instance(settings: ["mode": "fast", "port.main": "7000"], fixedPorts: nil))) as? [String: Any])
        object["fixedPorts"] = nil
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let old = try decoder.decode(ServerInstance.self, from: JSONSerialization.data(withJSONObject: object))
        XCTAssertNil(old.fixedPorts)
        XCTAssertEqual(old.portsGiven, ["main": 7000])
    }
}
