import ArgumentParser
import PalisadeCore
import PalisadeLedger

/// Runs a command body, turning Palisade's errors into a message on standard error and an exit
/// code scripts can trust, instead of a stack of Swift error text.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ExitCode {
        throw error
    } catch let error as CLIError {
        printError("palisade: \(error.description)")
        throw ExitCode(error.exitCode)
    } catch let error as StoreError {
        printError("palisade: \(error.description)")
        throw error.code == .conflict || error.code == .rejected ? Exit.failed : Exit.storage
    } catch let error as ValidationError {
        throw error
    } catch {
        printError("palisade: \(error)")
        throw Exit.failed
    }
}
