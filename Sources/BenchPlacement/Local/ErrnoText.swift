import Glibc

/// The C library's text for an `errno` value ("Connection refused"), for error messages.
public enum ErrnoText {
    public static func of(_ code: Int32) -> String { String(cString: strerror(code)) }
}
