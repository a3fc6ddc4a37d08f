public import Foundation

/// Locates the project root and the read-only `../shared` folder beside it, for tests.
public enum SharedFiles {
    /// The package root (the folder holding `Package.swift`).
    public static let projectRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("PalisadeTesting could not find Package.swift above \(#filePath)")
    }()

    /// `../shared` relative to the project root.
    public static var shared: URL { projectRoot.deletingLastPathComponent().appendingPathComponent("shared") }

    /// A file or folder under `../shared`.
    public static func url(_ relativePath: String) -> URL { shared.appendingPathComponent(relativePath) }

    /// Every `.json` file under a folder of `../shared`, sorted by path.
    ///
    /// - Throws: when the folder cannot be listed (a missing `../shared` fails loudly, never skips).
    public static func jsonFiles(under relativePath: String) throws -> [URL] {
        let root = url(relativePath)
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: root.path])
        }
        let files = enumerator.compactMap { $0 as? URL }.filter { $0.pathExtension == "json" }
        guard !files.isEmpty else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: root.path]) }
        return files.sorted { $0.path < $1.path }
    }
}
