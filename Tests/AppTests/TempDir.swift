// A fresh folder for one test, removed when it ends.
import Foundation
import XCTest

extension XCTestCase {
    func tempDir() throws -> String {
        let d = NSTemporaryDirectory() + "glmchat-app-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: d) }
        return d
    }
}
