public import Foundation

/// Fresh directories for tests, under the system temporary directory.
public enum TemporaryDirectory {
    /// Creates a new empty directory and returns its URL.
    public static func make(_ prefix: String = "palisade-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
