import Foundation

/// Wall-clock times as shown to users: 24-hour `HH:mm:ss`, local time, whatever the locale.
public enum ClockTime {
    public static func string(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: date)
    }
}
