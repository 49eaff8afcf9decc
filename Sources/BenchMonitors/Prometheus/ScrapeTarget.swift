import Foundation

/// One active target as Prometheus' `/api/v1/targets` reports it.
public struct ScrapeTarget: Sendable, Equatable {
    /// Health of the last scrape.
    public enum Health: String, Sendable, Equatable {
        case up, down, unknown
    }

    /// The target's labels after relabelling (`job`, `instance`, `handle`, …).
    public let labels: [String: String]
    public let scrapePool: String
    public let scrapeURL: String
    public let health: Health
    /// Empty when the last scrape worked.
    public let lastError: String
    public let lastScrape: Date?
    public let lastScrapeDuration: Double?

    public init(labels: [String: String], scrapePool: String, scrapeURL: String, health: Health,
                lastError: String, lastScrape: Date?, lastScrapeDuration: Double?) {
        self.labels = labels
        self.scrapePool = scrapePool
        self.scrapeURL = scrapeURL
        self.health = health
        self.lastError = lastError
        self.lastScrape = lastScrape
        self.lastScrapeDuration = lastScrapeDuration
    }
}
