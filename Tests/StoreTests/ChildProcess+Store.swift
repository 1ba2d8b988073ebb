// The store's crash and lock tests run ChildEntryTests/testChildEntry in a child process, in one of its modes.
import TestSupport

extension ChildProcess {
    /// A child running `StoreTests.ChildEntryTests/testChildEntry` with `GLMCHAT_STORE_CHILD=<mode>`.
    convenience init(mode: String, environment: [String: String]) throws {
        try self.init(test: "StoreTests.ChildEntryTests/testChildEntry", environment: environment.merging(["GLMCHAT_STORE_CHILD": mode]) { $1 })
    }
}
