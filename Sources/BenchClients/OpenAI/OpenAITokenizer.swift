import Foundation

/// Matches random prompts to their drawn token counts with the server's own tokenizer (`POST /tokenize`, offered by
/// llama.cpp and vLLM), once, before the run.
struct OpenAITokenizer: Sendable {
    let client: OpenAIAPI
    let model: String
    /// Prompts tokenized at a time.
    var width = 8

    /// The prompts with words added or removed until each is exactly `targets[i]` tokens (a few rounds; a prompt
    /// that cannot be matched keeps its closest length), and their token counts set. Unchanged, with counts
    /// unknown, when the server has no `/tokenize`.
    func matchLengths(_ prompts: [OpenAIPrompt], targets: [Int], seed: UInt64) async -> [OpenAIPrompt] {
        guard let first = prompts.first, (try? await tokenize(first.text)) != nil else { return prompts }
        var matched = prompts
        await withTaskGroup(of: (Int, OpenAIPrompt).self) { group in
            var next = 0
            func add() {
                let i = next
                next += 1
                group.addTask { (i, await match(prompts[i], target: targets[i], seed: seed &+ UInt64(i))) }
            }
            while next < min(width, prompts.count) { add() }
            for await (i, prompt) in group {
                matched[i] = prompt
                if next < prompts.count { add() }
            }
        }
        return matched
    }

    private func match(_ prompt: OpenAIPrompt, target: Int, seed: UInt64) async -> OpenAIPrompt {
        var rng = SplitMix64(seed: seed &* 0x9E37_79B9_7F4A_7C15)
        var words = prompt.text.split(separator: " ").map(String.init)
        var best: (text: String, count: Int)?
        for _ in 0..<8 {
            let text = words.joined(separator: " ")
            guard let tokens = try? await tokenize(text) else { break }
            if best == nil || abs(tokens.count - target) < abs(best!.count - target) { best = (text, tokens.count) }
            if tokens.count == target { break }
            if tokens.count > target {
                // Words are about a token each; cut by words first, by tokens when that overshoots.
                let excess = tokens.count - target
                if excess < words.count {
                    words.removeLast(excess)
                } else if let cut = try? await detokenize(Array(tokens.prefix(target))) {
                    words = [cut]
                } else {
                    break
                }
            } else {
                for _ in 0..<(target - tokens.count) {
                    words.append(OpenAIDataset.vocabulary[rng.next(below: OpenAIDataset.vocabulary.count)])
                }
            }
        }
        guard let best else { return prompt }
        var result = prompt
        result.content = .text(best.text)
        result.inputTokens = best.count
        return result
    }

    func tokenize(_ text: String) async throws -> [Int] {
        // llama.cpp reads `content`, vLLM `prompt` and `model`; each ignores the others' fields.
        let response = try await client.post("/tokenize", json: [
            "content": text, "prompt": text, "model": model, "add_special": false, "add_special_tokens": false,
        ] as [String: Any])
        guard response.status == 200,
              let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let tokens = object["tokens"] as? [Int] else {
            throw OpenAIPrepareError.server("POST /tokenize answered \(response.status)")
        }
        return tokens
    }

    func detokenize(_ tokens: [Int]) async throws -> String {
        let response = try await client.post("/detokenize", json: ["tokens": tokens, "model": model] as [String: Any])
        guard response.status == 200,
              let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let text = (object["content"] ?? object["prompt"]) as? String else {
            throw OpenAIPrepareError.server("POST /detokenize answered \(response.status)")
        }
        return text.trimmingCharacters(in: .whitespaces)
    }
}
