import BenchCore
import Foundation

/// The prompts of the three datasets, deterministic from the seed.
enum OpenAIDataset {
    /// Common English words, most of them one token to a BPE tokenizer when preceded by a space.
    static let vocabulary: [String] = """
    the of and to in is that for it as was with be by on not he this are or his from at which but have an they \
    you were her she there one all we their been has when who will more no if out so said what up its about into \
    than them can only other new some could time these two may then do first any my now such like our over man me \
    even most made after also did many before must through back years where much your way well down should because \
    each just those people how too little state good very make world still own see men work long get here between \
    both life being under never day same another know while last might us great old year off come since against go \
    came right used take three states himself few house use during without again place around however home small \
    found thought went say part once general high upon school every water light city open seemed night hand room \
    table river green window garden music paper story letter morning evening winter summer bread stone bridge \
    market voice field train doctor question answer number moment family country friend power rain road
    """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)

    /// `count` random prompts: input and output lengths drawn uniformly within ±`rangeRatio` of the params' lengths,
    /// words drawn from `vocabulary`. Token counts are approximate (a word a token) until matched with `/tokenize`.
    static func random(params: OpenAIParams, count: Int, seed: UInt64) -> [OpenAIPrompt] {
        var rng = SplitMix64(seed: seed ^ 0x6F70_656E_6169_0001)
        return (0..<count).map { _ in
            let input = draw(params.inputLen, params.rangeRatio, &rng)
            let output = min(draw(params.outputLen, params.rangeRatio, &rng), params.maxTokens)
            let words = (0..<input).map { _ in vocabulary[rng.next(below: vocabulary.count)] }
            return OpenAIPrompt(.text(words.joined(separator: " ")), inputTokens: nil, maxTokens: max(1, output))
        }
    }

    /// A length uniform in [len·(1−r), len·(1+r)], at least 1.
    static func draw(_ length: Int, _ ratio: Double, _ rng: inout SplitMix64) -> Int {
        let r = min(max(ratio, 0), 1)
        let low = max(1, Int((Double(length) * (1 - r)).rounded(.down)))
        let high = max(low, Int((Double(length) * (1 + r)).rounded(.down)))
        return low + rng.next(below: high - low + 1)
    }

    /// A JSONL file: each line `{"prompt": "…"}` or `{"messages": [{"role": …, "content": …}, …]}`, optionally with
    /// `"max_tokens"`; a line that is not JSON is a plain-text prompt; blank lines are skipped. In file order.
    static func file(at path: String) throws -> [OpenAIPrompt] {
        let text = try read(path)
        var prompts: [OpenAIPrompt] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !line.isEmpty else { continue }
            guard line.hasPrefix("{") else {
                prompts.append(OpenAIPrompt(.text(line)))
                continue
            }
            let problem = "\(path):\(number + 1): "
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw OpenAIPrepareError.dataset(problem + "not a JSON object")
            }
            let maxTokens = object["max_tokens"] as? Int
            if let prompt = object["prompt"] as? String {
                prompts.append(OpenAIPrompt(.text(prompt), maxTokens: maxTokens))
            } else if let list = object["messages"] as? [[String: Any]] {
                let messages = try list.map { m -> OpenAIChatMessage in
                    guard let role = m["role"] as? String, let content = m["content"] as? String else {
                        throw OpenAIPrepareError.dataset(problem + "each message needs a string role and content")
                    }
                    return OpenAIChatMessage(role: role, content: content)
                }
                guard !messages.isEmpty else { throw OpenAIPrepareError.dataset(problem + "messages is empty") }
                prompts.append(OpenAIPrompt(.messages(messages), maxTokens: maxTokens))
            } else {
                throw OpenAIPrepareError.dataset(problem + "needs \"prompt\" (a string) or \"messages\" (a list)")
            }
        }
        guard !prompts.isEmpty else { throw OpenAIPrepareError.dataset("\(path): no prompts") }
        return prompts
    }

    /// ShareGPT JSON: a list of `{"conversations": [{"from": "human", "value": "…"}, …]}`; each conversation's first
    /// human (or user) turn is a prompt. Shuffled with the seed (as vLLM samples it), then the first `count` taken.
    static func shareGPT(at path: String, count: Int, seed: UInt64) throws -> [OpenAIPrompt] {
        let text = try read(path)
        guard let list = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] else {
            throw OpenAIPrepareError.dataset("\(path): not a ShareGPT file (a JSON list of {conversations: […]})")
        }
        var prompts: [OpenAIPrompt] = list.compactMap { entry in
            guard let turns = entry["conversations"] as? [[String: Any]],
                  let first = turns.first(where: { ["human", "user"].contains($0["from"] as? String ?? "") }),
                  let value = first["value"] as? String, !value.isEmpty else { return nil }
            return OpenAIPrompt(.text(value))
        }
        guard !prompts.isEmpty else { throw OpenAIPrepareError.dataset("\(path): no conversation has a human turn") }
        var rng = SplitMix64(seed: seed ^ 0x7368_6172_6567_7074)
        for i in stride(from: prompts.count - 1, to: 0, by: -1) {
            prompts.swapAt(i, rng.next(below: i + 1))
        }
        return Array(prompts.prefix(max(1, count)))
    }

    private static func read(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw OpenAIPrepareError.dataset("cannot read dataset \(path): \(error.localizedDescription)")
        }
    }
}
