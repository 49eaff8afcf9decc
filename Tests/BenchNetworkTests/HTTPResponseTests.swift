import BenchNetwork
import XCTest

/// The response parser, moved here with it from the readiness probe (assertions unchanged;
/// expected values now name the headers the parser also returns).
final class HTTPResponseTests: XCTestCase {
    func testHTTPResponseParsing() {
        func parse(_ text: String, end: Bool = false) -> HTTPResponse? {
            HTTPResponse.parse(Array(text.utf8), endOfStream: end)
        }
        XCTAssertNil(parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"))
        XCTAssertNil(parse("SSH-2.0-OpenSSH\r\n\r\n"))
        XCTAssertEqual(parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA"),
                       HTTPResponse(status: 200, headers: ["content-length": "2"], body: Array("ok".utf8), isComplete: true))
        XCTAssertEqual(parse("HTTP/1.1 503\r\ncontent-length: 10\r\n\r\nbusy"),
                       HTTPResponse(status: 503, headers: ["content-length": "10"], body: Array("busy".utf8), isComplete: false))
        XCTAssertEqual(parse("HTTP/1.0 200 OK\r\n\r\nuntil close", end: true)?.isComplete, true)
        XCTAssertEqual(parse("HTTP/1.1 204 No Content\r\n\r\n")?.isComplete, true)
        let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"st\r\n9;ext=1\r\natus\":\"ok\r\n1\r\n}\r\n0\r\n\r\n"
        XCTAssertEqual(parse(chunked), HTTPResponse(status: 200, headers: ["transfer-encoding": "chunked"],
                                                    body: Array("{\"status\":\"ok}".utf8), isComplete: true))
        XCTAssertEqual(parse(String(chunked.prefix(60)))?.isComplete, false)
    }

    func testHeadersAreLowerCasedAndTrimmed() {
        let response = HTTPResponse.parse(Array("HTTP/1.1 200 OK\r\nX-Thing:  a b \t\r\nContent-Length: 0\r\n\r\n".utf8),
                                          endOfStream: false)
        XCTAssertEqual(response?.headers["x-thing"], "a b")
        XCTAssertEqual(response?.body, [])
        XCTAssertEqual(response?.isComplete, true)
    }

    func testChunkedBodyCutByTheCloseIsNotComplete() {
        let cut = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n"
        XCTAssertEqual(HTTPResponse.parse(Array(cut.utf8), endOfStream: true)?.isComplete, false)
        XCTAssertEqual(HTTPResponse.parse(Array(cut.utf8), endOfStream: true)?.text, "abcd")
    }
}
