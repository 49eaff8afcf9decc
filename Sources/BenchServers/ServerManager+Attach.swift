import BenchCore
import BenchPlacement
import Foundation

extension ServerManager {
    /// Takes over a session another bench left (after `detach`, or a dropped terminal): its handles,
    /// counters and servers, after checking each server is still the same process.
    /// Returns notes for the user (servers found gone).
    public func resume(from file: SessionStateFile) throws -> [String] {
        var notes: [String] = []
        let counters = Dictionary(uniqueKeysWithValues: file.handleCounters.compactMap { key, value in
            HandleKind(rawValue: key).map { ($0, value) }
        })
        var entries = file.handles
        for var server in file.servers {
            if server.state.isLive {
                // Without its orchestrator here nothing could watch or stop it: it counts as gone.
                let gone = orchestrator(named: server.orchestrator).map { $0.reattach(server.runtime) }
                    ?? (ServerState.exited(code: nil, at: Date()), "its process no longer runs")
                if let (ended, note) = gone {
                    server.state = ended
                    notes.append("\(server.handle) (\(server.recipeName)) is gone: \(note)")
                    if let index = entries.firstIndex(where: { $0.handle == server.handle }) { entries[index].live = false }
                }
            }
            // The copy in the session folder is the recipe the instance was started from.
            let copy = session.directory.appendingPathComponent("recipes/servers/\(server.recipeName).yaml")
            if let recipe = try? RecipeLoader.load(file: copy, kind: .server), case .server(let serverRecipe) = recipe {
                recipes[server.handle] = serverRecipe
            } else if let loaded = try? session.catalog.load(.server, named: server.recipeName), case .server(let serverRecipe) = loaded.recipe {
                recipes[server.handle] = serverRecipe
            }
            instances[server.handle] = server
            if server.state.isLive { setLiveRuntime(server.handle, server.runtime) }
        }
        usedSlurm = file.usedSlurm ?? false
        session.handles.restore(entries: entries, counters: counters)
        detached = false
        persist()
        if hasLiveInstances { startMonitoring() }
        return notes
    }
}
