import BenchCore
import Foundation

/// The file a job writes once it picked its ports: where the service can be reached.
public struct SlurmDiscoveryFile: Sendable, Codable, Equatable {
    public var jobId: String
    public var node: String
    public var host: String
    public var step: String
    public var ports: [String: Int]

    enum CodingKeys: String, CodingKey {
        case jobId = "job_id", node, host, step, ports
    }

    /// The file at `path`, or nil while it is not there yet. A malformed file is an error naming it.
    public static func read(_ path: String) throws -> SlurmDiscoveryFile? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(SlurmDiscoveryFile.self, from: data)
        } catch {
            throw BenchError("\(path): not a valid discovery file (\(error)): \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
    }
}
