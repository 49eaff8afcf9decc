import Glibc

/// glibc's non-POSIX `posix_spawn_file_actions_add*_np` functions, looked up at run time.
///
/// glibc declares them only under `_GNU_SOURCE`, which Swift's Glibc module does not define, so
/// they are invisible to Swift although libc exports them (`addchdir_np` since 2.29,
/// `addclosefrom_np` since 2.34; Debian 12 has 2.36). `dlsym` finds them without a C shim target.
enum GlibcSpawnExtensions {
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>,
                                         UnsafePointer<CChar>) -> Int32
    typealias AddClosefrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>,
                                             Int32) -> Int32

    /// `posix_spawn_file_actions_addchdir_np`, nil on a glibc older than 2.29.
    static let addChdir: AddChdir? = symbol("posix_spawn_file_actions_addchdir_np", as: AddChdir.self)
    /// `posix_spawn_file_actions_addclosefrom_np`, nil on a glibc older than 2.34.
    static let addClosefrom: AddClosefrom? = symbol("posix_spawn_file_actions_addclosefrom_np",
                                                    as: AddClosefrom.self)

    private static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        // dlopen(nil) is the main program's global scope, which includes libc.
        guard let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, name) else { return nil }
        return unsafeBitCast(address, to: type)
    }
}
