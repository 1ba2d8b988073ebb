// The settings file's server keys ("endpoint", "api_key_env", "served_model"): read, written back
// without the key itself, and merged with the command line (flags win; a key variable never follows
// another endpoint).
import XCTest
import Foundation
import Chat
@testable import App
@testable import TUI

final class SettingsRemoteTests: XCTestCase {
    func load(_ json: String) throws -> Settings {
        let path = NSTemporaryDirectory() + "glmchat-settings-\(UUID().uuidString).json"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        let (s, warning) = SettingsFile.load(path: path)
        XCTAssertNil(warning)
        return s
    }

    func testServerKeysAreReadAndUnknownKeysTolerated() throws {
        let s = try load(##"{"endpoint": "http://gpu:8000/v1", "api_key_env": "GLM_API_KEY", "served_model": "glm-4.7-flash", "theme": "light", "future": {"x": 1}}"##)
        XCTAssertEqual(s.endpoint, "http://gpu:8000/v1")
        XCTAssertEqual(s.apiKeyEnv, "GLM_API_KEY")
        XCTAssertEqual(s.servedModel, "glm-4.7-flash")
        XCTAssertEqual(s.theme, "light")
        // Wrong types fall back to none, without losing the rest.
        let t = try load(##"{"endpoint": 42, "api_key_env": ["A"], "served_model": "m", "thinking": false}"##)
        XCTAssertNil(t.endpoint); XCTAssertNil(t.apiKeyEnv)
        XCTAssertEqual(t.servedModel, "m"); XCTAssertEqual(t.thinking, false)
    }

    func testSavedFileHasTheVariableNameOnly() throws {
        let path = NSTemporaryDirectory() + "glmchat-settings-\(UUID().uuidString).json"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        var s = Settings()
        s.endpoint = "http://gpu:8000/v1"; s.apiKeyEnv = "GLM_API_KEY"; s.servedModel = "glm-4.7-flash"
        try SettingsFile.save(s, path: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.contains(#""api_key_env": "GLM_API_KEY""#), text)
        XCTAssertTrue(text.contains(#""served_model": "glm-4.7-flash""#), text)
        XCTAssertEqual(SettingsFile.load(path: path).0, s)
        // Without a server nothing about one is written (into a new file; an existing one keeps its server).
        let fresh = path + ".fresh.json"
        addTeardownBlock { try? FileManager.default.removeItem(atPath: fresh) }
        try SettingsFile.save(Settings(), path: fresh)
        let plain = try String(contentsOfFile: fresh, encoding: .utf8)
        XCTAssertFalse(plain.contains("endpoint")); XCTAssertFalse(plain.contains("api_key_env"))
    }

    func choice(_ s: Settings, endpoint: String? = nil, key: String? = nil, model: String? = nil) -> RemoteChoice? {
        s.remote(endpointFlag: endpoint, apiKeyEnvFlag: key, modelFlag: model, isModelFile: { $0.hasSuffix(".gguf") })
    }

    func testFlagsWinOverSettings() {
        var s = Settings()
        XCTAssertNil(choice(s))                                               // no server anywhere: the local engine
        XCTAssertEqual(choice(s, endpoint: "http://a/v1", key: "K", model: "m"), RemoteChoice(endpoint: "http://a/v1", apiKeyEnv: "K", model: "m"))
        s.endpoint = "http://gpu:8000/v1"; s.apiKeyEnv = "GLM_API_KEY"; s.servedModel = "glm"
        XCTAssertEqual(choice(s), RemoteChoice(endpoint: "http://gpu:8000/v1", apiKeyEnv: "GLM_API_KEY", model: "glm"))
        XCTAssertEqual(choice(s, key: "OTHER", model: "big"), RemoteChoice(endpoint: "http://gpu:8000/v1", apiKeyEnv: "OTHER", model: "big"))
        // The same endpoint on the command line keeps the settings' key variable and model.
        XCTAssertEqual(choice(s, endpoint: "HTTP://GPU:8000/v1/"), RemoteChoice(endpoint: "HTTP://GPU:8000/v1/", apiKeyEnv: "GLM_API_KEY", model: "glm"))
        // Another endpoint does not get the settings' key (it would go to a different server) or model.
        XCTAssertEqual(choice(s, endpoint: "http://other:8000/v1"), RemoteChoice(endpoint: "http://other:8000/v1"))
        XCTAssertEqual(choice(s, endpoint: "http://gpu:8000/v2"), RemoteChoice(endpoint: "http://gpu:8000/v2"))
        // -m with a model file means the local engine; -m with a name picks the served model.
        XCTAssertNil(choice(s, model: "/models/glm.gguf"))
        XCTAssertEqual(choice(s, model: "glm-air")?.model, "glm-air")
        // An empty endpoint in the file is no server.
        s.endpoint = ""
        XCTAssertNil(choice(s))
    }
}
