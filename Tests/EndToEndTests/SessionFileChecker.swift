import BenchCore
import BenchServers
import BenchShell
import Foundation

/// Reads back every file bench writes for a session with bench's own readers; a torn file is a problem.
///
/// The script must load with `SessionScript`, end with a newline and hold only comments and lines the
/// command registry parses; `state.json`, `runs/*.json`, monitor exports, `events.jsonl` and the recipe
/// copies must decode. A leftover temporary (`.NAME.PID.tmp`) counts as a file present: it must parse
/// as the file it stands for. What services write themselves (`logs/`, `data/`) is not bench's.
@MainActor
struct SessionFileChecker {
    let sessionsRoot: URL
    let name: String
    private let registry = BenchCommands.registry()

    init(sessionsRoot: URL, name: String) {
        self.sessionsRoot = sessionsRoot
        self.name = name
    }

    /// What was checked, by kind, so a test can show that the check saw files at all.
    private(set) var checked: [String: Int] = [:]
    /// Leftover temporaries found (each also checked as the file it stands for).
    private(set) var temporaries: [String] = []

    var directory: URL { sessionsRoot.appendingPathComponent(name) }

    /// Checks a session from a test method (XCTest runs them on the main thread, not as main-actor code).
    nonisolated static func check(sessionsRoot: URL, name: String) -> (problems: [String], checked: [String: Int], temporaries: [String]) {
        MainActor.assumeIsolated {
            var checker = SessionFileChecker(sessionsRoot: sessionsRoot, name: name)
            let problems = checker.problems()
            return (problems, checker.checked, checker.temporaries)
        }
    }

    /// One line per problem (`runs/r3.json: …`); empty when every file present parses.
    mutating func problems() -> [String] {
        var problems: [String] = []
        let script = sessionsRoot.appendingPathComponent("\(name).bench")
        if FileManager.default.fileExists(atPath: script.path) { problems += checkScript(script, label: "\(name).bench") }
        // A new script appears by rename, whole: a temporary of it must be a whole script too.
        for temporary in files(in: sessionsRoot, recursive: false) where isTemporary(temporary) && temporary.lastPathComponent.hasPrefix(".\(name).bench.") {
            temporaries.append(temporary.lastPathComponent)
            problems += checkScript(temporary, label: temporary.lastPathComponent)
        }
        for file in files(in: directory, recursive: true) {
            let relative = String(file.path.dropFirst(directory.path.count + 1))
            if relative.hasPrefix("logs/") || relative.hasPrefix("data/") || relative.hasPrefix("failed/") || relative.contains("/data/") { continue }
            var standsFor = relative
            if isTemporary(file) {
                temporaries.append(relative)
                // `.r3.json.1234.tmp` stands for `r3.json`.
                let base = file.lastPathComponent.dropFirst().split(separator: ".").dropLast(2).joined(separator: ".")
                standsFor = (relative as NSString).deletingLastPathComponent.isEmpty
                    ? base : (relative as NSString).deletingLastPathComponent + "/" + base
            }
            if let problem = check(file, as: standsFor) { problems.append("\(relative): \(problem)") }
        }
        return problems
    }

    private func isTemporary(_ url: URL) -> Bool {
        url.lastPathComponent.hasPrefix(".") && url.lastPathComponent.hasSuffix(".tmp")
    }

    /// A problem with `file` read as the kind of file `relative` names, or nil.
    private mutating func check(_ file: URL, as relative: String) -> String? {
        guard let data = FileManager.default.contents(atPath: file.path) else { return "cannot be read" }
        let components = relative.split(separator: "/")
        do {
            if relative == "state.json" {
                _ = try SessionStateFile.load(file)
                count("state.json")
            } else if relative == "events.jsonl" {
                let text = String(decoding: data, as: UTF8.self)
                guard text.isEmpty || text.hasSuffix("\n") else { return "the last event is cut off (no newline at the end)" }
                for (index, line) in text.split(separator: "\n").enumerated() {
                    guard (try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any] else {
                        return "line \(index + 1) is not a JSON object: \(line.prefix(80))"
                    }
                }
                count("events.jsonl")
            } else if components.count == 2, components[0] == "runs", relative.hasSuffix(".json") {
                _ = try RunResult.decode(from: data)
                count("runs")
            } else if components.first == "recipes", components.count == 3, let kind = RecipeKind(folderName: String(components[1])) {
                _ = try RecipeLoader.parse(text: String(decoding: data, as: UTF8.self), file: file.path, kind: kind)
                count("recipes")
            } else if components.first == "monitors", relative.hasSuffix(".json") {
                guard (try JSONSerialization.jsonObject(with: data)) is [String: Any] else { return "not a JSON object" }
                count("monitors")
            }
        } catch {
            return "does not parse: \(error)"
        }
        return nil
    }

    /// The script: loads, ends with a newline, every command line parses, every `# -> rN` has its result.
    private mutating func checkScript(_ url: URL, label: String) -> [String] {
        let script: SessionScript
        do {
            script = try SessionScript.load(url, displayPath: label)
        } catch {
            return ["\(label): does not load: \(error)"]
        }
        count("script")
        var problems: [String] = []
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        if !text.isEmpty && !text.hasSuffix("\n") { problems.append("\(label): the last line is cut off (no newline at the end)") }
        if !text.hasPrefix("# bench session script") { problems.append("\(label): no header\(text.isEmpty ? " (empty)" : "")") }
        for command in script.commands {
            do {
                let words = try ShellTokenizer.tokenize(command.text)
                if !words.isEmpty { _ = try registry.parse(words) }
            } catch {
                problems.append("\(label):\(command.line): not a command bench reads back (\(error)): \(command.text.prefix(100))")
            }
            // The result is written before the line that names it: a line naming a run without one claims too much.
            for handle in command.expectedHandles where handle.hasPrefix("r") && !command.skipped {
                if !FileManager.default.fileExists(atPath: directory.appendingPathComponent("runs/\(handle).json").path) {
                    problems.append("\(label):\(command.line): names \(handle), but runs/\(handle).json is missing")
                }
            }
        }
        return problems
    }

    private mutating func count(_ kind: String) { checked[kind, default: 0] += 1 }

    private func files(in directory: URL, recursive: Bool) -> [URL] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        var result: [URL] = []
        for name in names.sorted() {
            let url = directory.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                if recursive { result += files(in: url, recursive: true) }
            } else {
                result.append(url)
            }
        }
        return result
    }
}
