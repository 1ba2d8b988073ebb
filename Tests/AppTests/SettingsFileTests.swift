// Saving settings keeps what the file holds besides: keys this version does not know, keys the panel does
// not edit (model, server), unknown sampling fields; a broken file is left alone; writes are atomic.
import XCTest
import Foundation
import Chat
@testable import App
@testable import TUI

final class SettingsFileTests: XCTestCase {
    /// The file as Foundation reads it (an independent parser).
    func object(_ path: String) throws -> NSDictionary {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? NSDictionary)
    }

    let original = """
    {
      "future_key": {"nested": [1, 2, {"deep": true}]},
      "model": "/models/glm.gguf",
      "endpoint": "http://gpu-box:8000/v1",
      "api_key_env": "GLM_API_KEY",
      "served_model": "glm-4.7-flash",
      "thinking": true,
      "theme": "dark",
      "sampling": {"temperature": 1.0, "top_p": 0.95, "seed": 7, "mirostat": 2},
      "zzz_last": "kept"
    }
    """

    func testPanelSaveChangesItsKeysAndKeepsEveryOtherKey() throws {
        let path = try tempDir() + "/settings.json"
        try original.write(toFile: path, atomically: true, encoding: .utf8)
        var s = SettingsFile.load(path: path).0
        // What the panel edits …
        s.thinking = false; s.theme = "light"; s.sampling.temperature = 0.7; s.expandThinking = true
        // … and what it does not: even a value in memory that differs from the file must not reach it.
        s.endpoint = nil; s.apiKeyEnv = "OTHER"; s.model = nil
        try SettingsFile.save(s, path: path, keys: SettingsFile.panelKeys)

        let o = try object(path)
        XCTAssertEqual(o["thinking"] as? Bool, false)
        XCTAssertEqual(o["theme"] as? String, "light")
        XCTAssertEqual(o["expand_thinking"] as? Bool, true)
        let sampling = try XCTUnwrap(o["sampling"] as? NSDictionary)
        XCTAssertEqual(sampling["temperature"] as? Double, 0.7)
        XCTAssertEqual(sampling["seed"] as? Int, 7)
        XCTAssertEqual(sampling["mirostat"] as? Int, 2, "an unknown sampling field was dropped")
        XCTAssertEqual(o["model"] as? String, "/models/glm.gguf")
        XCTAssertEqual(o["endpoint"] as? String, "http://gpu-box:8000/v1")
        XCTAssertEqual(o["api_key_env"] as? String, "GLM_API_KEY")
        XCTAssertEqual(o["served_model"] as? String, "glm-4.7-flash")
        XCTAssertEqual(o["zzz_last"] as? String, "kept")
        let future = try XCTUnwrap((o["future_key"] as? NSDictionary)?["nested"] as? [Any])
        XCTAssertEqual(future.count, 3)
        XCTAssertEqual((future[2] as? NSDictionary)?["deep"] as? Bool, true)
        // The file's own key order stays; new keys come after.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let order = ["future_key", "model", "endpoint", "thinking", "sampling", "zzz_last", "expand_thinking"]
        let positions = order.map { text.range(of: "\"\($0)\"")!.lowerBound }
        XCTAssertEqual(positions, positions.sorted(), text)
        // Read back, the panel's values and the server are there.
        let back = SettingsFile.load(path: path).0
        XCTAssertEqual(back.theme, "light"); XCTAssertEqual(back.endpoint, "http://gpu-box:8000/v1"); XCTAssertEqual(back.sampling.seed, 7)
    }

    func testSavingEveryKeyStillKeepsUnknownOnes() throws {
        let path = try tempDir() + "/settings.json"
        try original.write(toFile: path, atomically: true, encoding: .utf8)
        var s = SettingsFile.load(path: path).0
        s.servedModel = "other-model"
        try SettingsFile.save(s, path: path)
        let o = try object(path)
        XCTAssertEqual(o["served_model"] as? String, "other-model")
        XCTAssertEqual(o["zzz_last"] as? String, "kept")
        XCTAssertNotNil(o["future_key"])
        XCTAssertEqual((o["sampling"] as? NSDictionary)?["mirostat"] as? Int, 2)
    }

    func testABrokenFileIsNotOverwritten() throws {
        let dir = try tempDir()
        let path = dir + "/settings.json"
        for broken in ["{ \"theme\": ", "[1, 2]"] {
            try broken.write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try SettingsFile.save(Settings(), path: path, keys: SettingsFile.panelKeys)) { e in
                XCTAssertTrue("\(e)".contains("is not a JSON object, so it was not overwritten"), "\(e)")
            }
            XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), broken)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["settings.json"], "a temp file was left behind")
    }

    func testClosingThePanelSavesThroughTheControllerAndKeepsUnknownKeys() throws {
        let dir = try tempDir()
        let path = dir + "/settings.json"
        try original.write(toFile: path, atomically: true, encoding: .utf8)
        let script = Script(model: "m", contextLength: 4096, pace: 0, chunk: 4, turns: [])
        let c = ChatController(state: AppState(modelName: "", contextLength: 0, settings: SettingsFile.load(path: path).0, theme: .plain),
                               backend: ScriptedBackend(script: script), persistence: InMemoryPersistence(), settingsPath: path)
        c.handle(.resize(width: 80, height: 24))
        // F3, Enter toggles "Thinking" (the first row), Esc closes and saves.
        for k in [Key.function(3), .enter, .escape] { c.handle(.key(KeyPress(k))) }
        XCTAssertNil(c.state.notice)
        let o = try object(path)
        XCTAssertEqual(o["thinking"] as? Bool, false)
        XCTAssertEqual(o["future_key"] as? NSDictionary, ["nested": [1, 2, ["deep": true]]] as NSDictionary)
        XCTAssertEqual(o["endpoint"] as? String, "http://gpu-box:8000/v1")
        XCTAssertEqual(o["model"] as? String, "/models/glm.gguf")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir)), ["settings.json"])
    }

    /// A flag for one run (--no-think sets thinking off in the state) is not written when a save changes something
    /// else (F3's "Open thinking blocks"); toggling thinking itself in F3 is.
    func testAOneRunFlagIsNotSavedUnlessChangedInThePanel() throws {
        let dir = try tempDir()
        let path = dir + "/settings.json"
        try original.write(toFile: path, atomically: true, encoding: .utf8)
        var settings = SettingsFile.load(path: path).0
        settings.thinking = false  // as ChatCommand does for --no-think
        let script = Script(model: "m", contextLength: 4096, pace: 0, chunk: 4, turns: [])
        let c = ChatController(state: AppState(modelName: "", contextLength: 0, settings: settings, theme: .plain),
                               backend: ScriptedBackend(script: script), persistence: InMemoryPersistence(), settingsPath: path)
        c.handle(.resize(width: 80, height: 24))
        for k in [Key.function(3), .down, .down, .enter, .escape] { c.handle(.key(KeyPress(k))) }
        var o = try object(path)
        XCTAssertEqual(o["expand_thinking"] as? Bool, true)
        XCTAssertEqual(o["thinking"] as? Bool, true, "the --no-think of this run stays out of the file")
        // F3, Enter toggles "Thinking" back on, again off: the net change is nothing, so the file keeps true.
        for k in [Key.function(3), .enter, .enter, .escape] { c.handle(.key(KeyPress(k))) }
        o = try object(path)
        XCTAssertEqual(o["thinking"] as? Bool, true)
        // F3, Enter turns it on (a change from this run's off): saved.
        for k in [Key.function(3), .enter, .escape] { c.handle(.key(KeyPress(k))) }
        XCTAssertEqual(try object(path)["thinking"] as? Bool, true)
        XCTAssertEqual(c.state.settings.thinking, true)
        // and turning it off in the panel now is a change the file gets
        for k in [Key.function(3), .enter, .escape] { c.handle(.key(KeyPress(k))) }
        XCTAssertEqual(try object(path)["thinking"] as? Bool, false)
        XCTAssertNil(c.state.notice)
    }

    /// Ctrl-T only changes the view: with no settings file, none is written (F3's row is the saved default).
    func testCtrlTWritesNoSettings() throws {
        let dir = try tempDir()
        let path = dir + "/settings.json"
        let script = Script(model: "m", contextLength: 4096, pace: 0, chunk: 4, turns: [])
        let c = ChatController(state: AppState(modelName: "", contextLength: 0, theme: .plain),
                               backend: ScriptedBackend(script: script), persistence: InMemoryPersistence(), settingsPath: path)
        c.handle(.resize(width: 80, height: 24))
        for k in [Key.ctrl("t"), .function(3), .escape, .ctrl("t")] { c.handle(.key(KeyPress(k))) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
    }
}

final class KVBudgetSettingTests: XCTestCase {
    func testTheKVCacheBudgetIsReadAndABadOneIgnored() throws {
        let dir = try tempDir()
        for (text, want) in [("{\"kv_cache_max_bytes\": 5000000000}", Int64(5_000_000_000) as Int64?), ("{\"kv_cache_max_bytes\": -1}", nil),
                             ("{\"kv_cache_max_bytes\": \"big\"}", nil), ("{}", nil)] {
            try text.write(toFile: dir + "/settings.json", atomically: true, encoding: .utf8)
            let (s, warning) = SettingsFile.load(path: dir + "/settings.json")
            XCTAssertEqual(s.kvCacheMaxBytes, want, text)
            XCTAssertNil(warning, text)
        }
    }

    func testTheCacheTypeAndTheMemoryBudgetAreRead() throws {
        let dir = try tempDir()
        for (text, type, memory) in [("{\"cache_type\": \"q8_0\", \"kv_memory_max_bytes\": 0}", "q8_0" as String?, Int64(0) as Int64?),
                                     ("{\"kv_memory_max_bytes\": 2000000000}", nil, 2_000_000_000), ("{\"kv_memory_max_bytes\": -5}", nil, nil),
                                     ("{\"cache_type\": 8}", nil, nil)] {
            try text.write(toFile: dir + "/settings.json", atomically: true, encoding: .utf8)
            let (s, warning) = SettingsFile.load(path: dir + "/settings.json")
            XCTAssertEqual(s.cacheType, type, text)
            XCTAssertEqual(s.kvMemoryMaxBytes, memory, text)
            XCTAssertNil(warning, text)
        }
    }
}
