import Foundation

/// Reads the text of `path` under `root` (`/` on a host; a copy of /proc and /etc in tests).
///
/// - Throws: ``ProcError`` naming the file.
func readProcFile(_ path: String, under root: String) throws -> String {
    let full = (root as NSString).appendingPathComponent(path)
    do {
        return try String(contentsOfFile: full, encoding: .utf8)
    } catch {
        throw ProcError("cannot read \(full): \(error.localizedDescription)")
    }
}
