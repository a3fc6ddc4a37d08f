import Foundation
import PalisadeDetection

/// The rules in force: the default pack, with the YAML files of a rules directory added (a file
/// rule with a default rule's id replaces it). Files are Palisade rules or Sigma rule files
/// (detection and correlation rules). Every file must load; one that does not is an error
/// naming the file, the rule and the reason — never silently skipped.
enum RuleFiles {
    /// The rule files of a directory: `*.yml` and `*.yaml`, by name.
    static func files(in directory: URL) throws -> [URL] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw CLIError("the rules directory \(directory.path) cannot be read: \(error.localizedDescription)")
        }
        return names.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted().map { directory.appendingPathComponent($0) }
    }

    /// The default pack plus the directory's rules.
    ///
    /// - Throws: ``CLIError`` listing every file that does not load, or ids used twice.
    static func load(_ directory: URL?) throws -> [DetectionRule] {
        var byID = [String: DetectionRule]()
        do {
            for rule in try DefaultRulePack.rules() { byID[rule.id] = rule }
        } catch {
            throw CLIError("the default rule pack does not load: \(error)")
        }
        guard let directory else { return byID.values.sorted { $0.id < $1.id } }
        var problems = [String]()
        var fileOfID = [String: String]()
        for file in try files(in: directory) {
            guard let data = FileManager.default.contents(atPath: file.path) else {
                problems.append("\(file.lastPathComponent): cannot be read")
                continue
            }
            do {
                for rule in try RuleFile.rules(from: String(decoding: data, as: UTF8.self)) {
                    if let other = fileOfID[rule.id] {
                        problems.append("\(file.lastPathComponent): rule \(rule.id) is also defined in \(other)")
                        continue
                    }
                    fileOfID[rule.id] = file.lastPathComponent
                    byID[rule.id] = rule
                }
            } catch {
                problems.append("\(file.lastPathComponent): \(error)")
            }
        }
        guard problems.isEmpty else { throw CLIError("the rules in \(directory.path) do not load:\n  " + problems.joined(separator: "\n  ")) }
        return byID.values.sorted { $0.id < $1.id }
    }

    /// What changes when a rule file is added, removed or edited: names, sizes and times.
    static func fingerprint(_ directory: URL) throws -> String {
        var parts = [String]()
        for file in try files(in: directory) {
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            parts.append("\(file.lastPathComponent):\(size):\(modified)")
        }
        return parts.joined(separator: "\n")
    }
}
