import BenchCore
import Foundation

/// `session info`: what the live session holds and where it writes.
enum SessionCommands {
    static let all: [CommandSpec] = [info]

    static let info = CommandSpec(
        ["session", "info"], area: .session, abstract: "Show the session's name, folder, script, handles and recipes",
        examples: ["session info"]
    ) { _, context in
        let session = context.session
        let scriptExists = FileManager.default.fileExists(atPath: session.scriptURL.path)
        context.columns([
            ["session:", session.name],
            ["script:", session.isRecorded
                ? DisplayPath.of(session.scriptURL) + (scriptExists ? "" : " (created by the first recorded command)")
                : "none (--no-record)"],
            ["folder:", DisplayPath.of(session.directory) + (session.isRecorded ? "" : " (working files, removed at exit)")],
            ["recipes from:", session.catalog.directories.map { "\(DisplayPath.of($0.url)) (\($0.origin.label))" }.joined(separator: ", ")],
            ["settings:", SessionSettings.keys.map { "\($0.name)=\(session.settings[$0.name] ?? "")" }.joined(separator: " ")],
        ])
        let entries = session.handles.entries()
        context.print("")
        if entries.isEmpty {
            context.print("no handles yet")
        } else {
            context.table(["HANDLE", "WHAT", "ALIAS", "STATE"], entries.map {
                [$0.handle.description, "\($0.handle.kind.noun) \($0.label)", $0.alias ?? "", $0.live ? "live" : "ended"]
            })
        }
        let used = session.recipesUsed
        if !used.isEmpty {
            context.print("")
            context.table(["RECIPE", "SHA256"], used.map { ["\($0.kind.rawValue) \($0.name)", String($0.sha256.prefix(16)) + "…"] })
        }
    }
}

