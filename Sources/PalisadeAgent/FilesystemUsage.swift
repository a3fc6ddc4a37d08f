#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Mount {
    /// The filesystem's size and the space unprivileged users can still write (statvfs), or nil
    /// when it cannot be read (unmounted since, or not readable by this user).
    public func usage() -> HostMetrics.Usage? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        let fragment = UInt64(info.f_frsize)
        return (UInt64(info.f_blocks) * fragment, UInt64(info.f_bavail) * fragment)
    }
}
