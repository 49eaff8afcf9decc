import BenchCore
@testable import BenchShell
import XCTest

final class ShellTokenizerTests: XCTestCase {
    func testWordsQuotesEscapesAndComments() throws {
        XCTAssertEqual(try ShellTokenizer.tokenize("server start redis --count 2"), ["server", "start", "redis", "--count", "2"])
        XCTAssertEqual(try ShellTokenizer.tokenize("  echo   'a  b'  \"c d\"  "), ["echo", "a  b", "c d"])
        XCTAssertEqual(try ShellTokenizer.tokenize(#"echo a\ b "say \"hi\"" 'it'\''s'"#), ["echo", "a b", #"say "hi""#, "it's"])
        XCTAssertEqual(try ShellTokenizer.tokenize("echo a#b # a comment"), ["echo", "a#b"])
        XCTAssertEqual(try ShellTokenizer.tokenize("# only a comment"), [])
        XCTAssertEqual(try ShellTokenizer.tokenize("echo ''"), ["echo", ""])
        XCTAssertEqual(try ShellTokenizer.tokenize(#"echo "\n stays""#), ["echo", #"\n stays"#])
    }

    func testColumnsOfWords() throws {
        let words = try ShellTokenizer.words("set  timing on")
        XCTAssertEqual(words.map(\.column), [1, 6, 13])
    }

    func testUnterminatedQuoteNamesTheColumn() {
        XCTAssertThrowsError(try ShellTokenizer.tokenize("echo 'abc")) { error in
            XCTAssertEqual((error as? BenchError)?.message, "column 6: unterminated single quote")
        }
        XCTAssertThrowsError(try ShellTokenizer.tokenize("echo abc\\")) { error in
            XCTAssertEqual((error as? BenchError)?.message, "column 9: a backslash at the end of the line escapes nothing")
        }
    }

    func testPartialLineForCompletion() {
        XCTAssertEqual(ShellTokenizer.partial("server st"), .init(words: ["server"], current: "st", openQuote: nil))
        XCTAssertEqual(ShellTokenizer.partial("server "), .init(words: ["server"], current: "", openQuote: nil))
        XCTAssertEqual(ShellTokenizer.partial("echo 'a b"), .init(words: ["echo"], current: "a b", openQuote: "'"))
    }

    func testQuotingRoundTrips() throws {
        let words = ["echo", "plain", "two words", "it's", "", "$HOME", "a\"b", "#not-a-comment", "key=value"]
        XCTAssertEqual(try ShellTokenizer.tokenize(ShellQuoting.join(words)), words)
        XCTAssertEqual(ShellQuoting.join(["server", "start", "redis", "--set", "maxmemory=1gb"]), "server start redis --set maxmemory=1gb")
    }
}
