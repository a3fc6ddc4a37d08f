public import Foundation

/// Fresh directories for tests, under the system temporary directory.
public enum TemporaryDirectory {
    /// Creates a new empty directory and returns its URL.
    public static func make(_ prefix: String = "palisade-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Removes a directory made by ``make(_:)``; a failure is reported on standard error (a test's
    /// leftovers are not worth failing it for, but are not hidden either).
    public static func remove(_ url: URL) {
        do {
            try FileManager.default.removeItem(at: url)
        } catch {
            FileHandle.standardError.write(Data("note: could not remove \(url.path): \(error)\n".utf8))
        }
    }
}
