/// Where a key is in its life (the original design's lifecycle, with `disabled` for a pause):
///
/// ```
/// staged → active ⇄ disabled
///            ↓         ↓
///          revoked ⇄ purge-scheduled → destroyed
/// ```
///
/// - staged: made, not yet usable (for keys that are imported and checked before use);
/// - active: every operation its policy allows;
/// - disabled: no operation at all, until enabled again;
/// - revoked: no new output (encrypt, sign, MAC, rewrap), but old output still opens and verifies,
///   so that data can move to another key;
/// - purge-scheduled: as revoked, waiting for its purge time (the approval's grace period);
/// - destroyed: the material of every version is wiped; only the record that it existed remains.
public enum KeyState: String, Codable, CaseIterable, Hashable, Sendable {
    /// Made, not yet usable.
    case staged
    /// In use.
    case active
    /// Paused: no operation.
    case disabled
    /// No new output; old output still opens and verifies.
    case revoked
    /// Revoked, and to be destroyed at its purge time.
    case purgeScheduled = "purge-scheduled"
    /// Material wiped.
    case destroyed

    /// A change of state.
    public enum Transition: String, Codable, Hashable, Sendable {
        /// staged → active.
        case activate
        /// active → disabled.
        case disable
        /// disabled → active.
        case enable
        /// active or disabled → revoked.
        case revoke
        /// revoked → purge-scheduled.
        case schedulePurge = "schedule-purge"
        /// purge-scheduled → revoked.
        case cancelPurge = "cancel-purge"
        /// purge-scheduled → destroyed.
        case destroy
    }

    /// The state after `transition`, or nil when it is not allowed from here.
    public func applying(_ transition: Transition) -> KeyState? {
        switch (self, transition) {
        case (.staged, .activate): .active
        case (.active, .disable): .disabled
        case (.disabled, .enable): .active
        case (.active, .revoke), (.disabled, .revoke): .revoked
        case (.revoked, .schedulePurge): .purgeScheduled
        case (.purgeScheduled, .cancelPurge): .revoked
        case (.purgeScheduled, .destroy): .destroyed
        default: nil
        }
    }

    /// Whether `operation` may run in this state (the policy may still refuse it).
    public func allows(_ operation: KeyOperation) -> Bool {
        switch self {
        case .active: true
        case .revoked, .purgeScheduled: !operation.producesNewOutput
        case .staged, .disabled, .destroyed: false
        }
    }
}
