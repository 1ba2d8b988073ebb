// A fresh workspace folder for one test, removed when it ends, and the coding tools confined to it.
import Foundation
import XCTest
@testable import Chat

extension XCTestCase {
    func tempWorkspace(_ name: String) throws -> (root: String, tools: CodingTools) {
        let root = NSTemporaryDirectory() + "glmchat-\(name)-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/src", withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        let tools = CodingTools(workspace: try Workspace(root: root))
        return (tools.workspace.root, tools)
    }
}
