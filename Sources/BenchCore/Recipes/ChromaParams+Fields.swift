extension ChromaParams {
    /// A value that does not fit its field: says what would.
    public struct FieldError: Error, Equatable, Sendable {
        public let message: String
        init(_ message: String) { self.message = message }
    }

    /// Sets one field from its text, as a recipe's scalar or `--set KEY=VALUE` gives it: the one place every value
    /// is checked, so that a recipe and the command line accept exactly the same values. `phases` takes a
    /// comma-separated list; `auto` resets `collection`, `vectors`, `dim` and `recall_sample` to their defaults,
    /// `none` clears `selectivity`.
    ///
    /// - Throws: `FieldError` saying what the field takes; the caller names the field and the place.
    public mutating func set(_ key: String, to text: String) throws(FieldError) {
        let value = text.trimmingCharacters(in: .whitespaces)
        switch key {
        case "phases":
            var phases: [ChromaPhase] = []
            for word in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard let phase = ChromaPhase(rawValue: word) else {
                    throw FieldError("'\(word)' is not a phase; give a list of load, query, mixed (e.g. load,query)"
                        + Suggestions.didYouMean(word, in: ChromaPhase.allCases.map(\.rawValue)))
                }
                if !phases.contains(phase) { phases.append(phase) }
            }
            guard !phases.isEmpty else { throw FieldError("give a list of load, query, mixed (e.g. load,query)") }
            // Measured in this order whatever order they were given in.
            self.phases = ChromaPhase.allCases.filter(phases.contains)
        case "collection":
            if value == "auto" {
                collection = nil
            } else {
                guard Self.isCollectionName(value) else {
                    throw FieldError("'\(value)' is not a Chroma collection name: 3 to 512 characters from a-z A-Z 0-9 . _ -, "
                        + "starting and ending with a letter or digit (or 'auto')")
                }
                collection = value
            }
        case "dataset": dataset = try Self.choice(value, ChromaDatasetKind.self)
        case "dataset_path": datasetPath = try Self.path(value)
        case "queries_path": queriesPath = try Self.path(value)
        case "ground_truth_path": groundTruthPath = try Self.path(value)
        case "vectors": vectors = value == "auto" ? nil : try Self.integer(value, min: 1, orAuto: true)
        case "dim": dim = value == "auto" ? nil : try Self.integer(value, min: 1, max: 65_536, orAuto: true)
        case "clusters": clusters = try Self.integer(value, min: 1)
        case "cluster_std": clusterStd = try Self.number(value, above: 0)
        case "queries": queries = try Self.integer(value, min: 1)
        case "distance": distance = try Self.choice(value, ChromaDistance.self)
        case "n_results": nResults = try Self.integer(value, min: 1, max: 1000)
        case "batch_size": batchSize = try Self.integer(value, min: 1)
        case "load_concurrency": loadConcurrency = try Self.integer(value, min: 1, max: 1024)
        case "documents": documents = try Self.bool(value)
        case "selectivity":
            if value == "none" {
                selectivity = nil
            } else {
                let fraction = try Self.number(value, above: 0)
                let percent = fraction * 100
                guard fraction <= 1, abs(percent - percent.rounded()) < 1e-9 else {
                    throw FieldError("expected a fraction of the collection from 0.01 to 1 in steps of 0.01 (e.g. 0.1), "
                        + "or 'none'; found \(value)")
                }
                selectivity = fraction
            }
        case "search_ef": searchEf = try Self.integer(value, min: 1)
        case "construction_ef": constructionEf = try Self.integer(value, min: 1)
        case "max_neighbors": maxNeighbors = try Self.integer(value, min: 2)
        case "recall_sample": recallSample = value == "all" ? nil : try Self.integer(value, min: 0, orAll: true)
        case "insert_rate": insertRate = try Self.number(value, above: 0)
        case "recreate": recreate = try Self.bool(value)
        case "dataset_seed": datasetSeed = UInt64(try Self.integer(value, min: 0))
        default:
            throw FieldError("no such parameter" + Suggestions.didYouMean(key, in: Self.fieldNames)
                + " (parameters: \(Self.fieldNames.joined(separator: ", ")))")
        }
    }

    /// Chroma's rule for collection names (checked here so a bad name fails before anything is loaded).
    public static func isCollectionName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        func alnum(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }
        guard (3...512).contains(bytes.count), alnum(bytes[0]), alnum(bytes[bytes.count - 1]) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    private static func choice<Value: RawRepresentable & CaseIterable>(_ text: String, _ type: Value.Type) throws(FieldError) -> Value
    where Value.RawValue == String {
        if let value = Value(rawValue: text) { return value }
        let valid = Value.allCases.map(\.rawValue)
        throw FieldError("'\(text)' is not one of \(valid.joined(separator: ", "))" + Suggestions.didYouMean(text, in: valid))
    }

    private static func integer(_ text: String, min: Int, max: Int? = nil, orAuto: Bool = false, orAll: Bool = false) throws(FieldError) -> Int {
        let alternative = orAuto ? " or 'auto'" : orAll ? " or 'all'" : ""
        guard let value = Int(text) else { throw FieldError("expected an integer\(alternative), found '\(text)'") }
        if let max, !(min...max).contains(value) {
            throw FieldError("must be between \(min) and \(max)\(alternative), found \(value)")
        }
        guard value >= min else { throw FieldError("must be at least \(min)\(alternative), found \(value)") }
        return value
    }

    private static func number(_ text: String, above: Double) throws(FieldError) -> Double {
        guard let value = Double(text), value.isFinite else { throw FieldError("expected a number, found '\(text)'") }
        guard value > above else { throw FieldError("must be greater than \(Int(above)), found \(text)") }
        return value
    }

    private static func bool(_ text: String) throws(FieldError) -> Bool {
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw FieldError("expected true or false, found '\(text)'")
        }
    }

    private static func path(_ text: String) throws(FieldError) -> String {
        guard !text.isEmpty else { throw FieldError("must not be empty") }
        return text
    }
}
