#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level pieces of HTTP/1.1 parsing, shared by the plain response parser and the SSE stream
/// parser so both read status lines, headers and chunk sizes the same way.
enum HTTPBytes {
    static func hasPrefix(_ line: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        guard line.count >= prefix.utf8CodeUnitCount else { return false }
        return memcmp(line.baseAddress!, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
    }

    /// `lowercase` is all lowercase ASCII; letters in `line` compare without case.
    static func hasPrefixIgnoringCase(_ line: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        let n = lowercase.utf8CodeUnitCount
        guard line.count >= n else { return false }
        let p = lowercase.utf8Start
        for i in 0..<n {
            let want = p[i]
            let have = line[i]
            if have != want && (have | 0x20) != want { return false }
        }
        return true
    }

    static func containsIgnoringCase(_ value: UnsafeRawBufferPointer, _ lowercase: StaticString) -> Bool {
        let n = lowercase.utf8CodeUnitCount
        guard value.count >= n else { return false }
        for start in 0...(value.count - n)
        where hasPrefixIgnoringCase(UnsafeRawBufferPointer(rebasing: value[start...]), lowercase) {
            return true
        }
        return false
    }

    static func threeDigits(_ line: UnsafeRawBufferPointer, at i: Int) -> Int? {
        var value = 0
        for k in i..<(i + 3) {
            let d = line[k] &- 0x30
            guard d <= 9 else { return nil }
            value = value * 10 + Int(d)
        }
        return value
    }

    /// The chunk size: hex digits up to `;` (extensions), space or the line's end.
    static func hexPrefix(_ line: UnsafeRawBufferPointer, length: Int) -> Int? {
        var value = 0
        var digits = 0
        for k in 0..<length {
            let c = line[k]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default:
                guard digits > 0, c == UInt8(ascii: ";") || c == 0x20 || c == 0x09 else { return nil }
                return value
            }
            guard digits < 15 else { return nil }
            value = value << 4 | Int(d)
            digits += 1
        }
        return digits > 0 ? value : nil
    }
}
