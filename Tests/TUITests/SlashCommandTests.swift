// Slash commands in the editor: the completion list as `/` is typed (↑↓, Tab, Enter), each built-in command's
// effect, custom commands with $ARGUMENTS, `//` sending a leading slash, an unknown name sending nothing, and the
// README's table being the command table.
import XCTest
import Chat
@testable import TUI

final class SlashCommandTests: XCTestCase {
    func sends(_ fx: [Effect]) -> [ChatRequest] { fx.compactMap { if case .send(let r) = $0 { return r }; return nil } }

    func testTheListFollowsWhatIsTypedAndTabCompletes() {
        var s = Fixture.state(width: 80, height: 20)
        Fixture.feed(&s, Fixture.type("/"))
        XCTAssertEqual(s.slashCompletions.count, SlashCommand.allCases.count)
        var screen = Fixture.screen(s)
        XCTAssertTrue(screen.contains { $0.hasPrefix("  /new ") && $0.contains("start a new conversation") }, screen.joined(separator: "\n"))
        XCTAssertTrue(screen.contains { $0.contains("… 12 more (↑↓)") }, screen.joined(separator: "\n"))
        XCTAssertTrue(screen.contains { $0.contains("command: Tab completes · ↑↓ choose · Enter runs") })
        Fixture.feed(&s, Fixture.type("t"))
        XCTAssertEqual(s.slashCompletions.map(\.name), ["/think", "/temp", "/top-p"])
        Fixture.feed(&s, [Fixture.key(.down), Fixture.key(.tab)])
        XCTAssertEqual(s.input.text, "/temp ")
        XCTAssertTrue(s.slashCompletions.isEmpty, "a space ends the list")
        screen = Fixture.screen(s)
        XCTAssertFalse(screen.contains { $0.contains("/top-p") })
        Fixture.feed(&s, Fixture.type("0.7") + [Fixture.key(.enter)])
        XCTAssertEqual(s.settings.sampling.temperature, 0.7)
        XCTAssertEqual(s.input.text, "")
        XCTAssertTrue(s.messages.isEmpty, "nothing was sent")
    }

    func testEnterRunsTheChosenCommandWithoutArguments() {
        var s = Fixture.state()
        let fx = Fixture.feed(&s, Fixture.type("/he") + [Fixture.key(.enter)])
        XCTAssertEqual(s.overlay, .help)
        XCTAssertTrue(sends(fx).isEmpty)
        var q = Fixture.state()
        let quit = Fixture.feed(&q, Fixture.type("/quit") + [Fixture.key(.enter)])
        XCTAssertTrue(quit.contains { if case .quit = $0 { return true }; return false })
        var u = Fixture.state()
        XCTAssertTrue(Fixture.feed(&u, Fixture.type("/undo") + [Fixture.key(.enter)]).contains { if case .undoWrite = $0 { return true }; return false })
    }

    func testSettingsCommandsCheckTheirArgumentsAndSave() {
        var s = Fixture.state()
        var fx = Fixture.feed(&s, Fixture.type("/think off") + [Fixture.key(.enter)])
        XCTAssertFalse(s.settings.thinking)
        XCTAssertTrue(fx.contains { if case .saveSettings(let st) = $0 { return !st.thinking }; return false })
        fx = Fixture.feed(&s, Fixture.type("/top-p 3") + [Fixture.key(.enter)])
        XCTAssertEqual(s.notice, "/top-p takes a number from 0 to 1")
        XCTAssertEqual(s.settings.sampling.topP, SamplingParams.glmDefault.topP)
        Fixture.feed(&s, Fixture.type("/keep-thinking maybe") + [Fixture.key(.enter)])
        XCTAssertEqual(s.notice, "/keep-thinking on or /keep-thinking off")
    }

    func testSystemPromptIsTheConversationsFirstMessage() {
        var s = Fixture.state()
        Fixture.feed(&s, Fixture.type("/system") + [Fixture.key(.enter)])
        XCTAssertEqual(s.notice, "no system prompt (/system TEXT sets one)")
        Fixture.feed(&s, Fixture.type("/system You are terse.") + [Fixture.key(.enter)])
        XCTAssertEqual(s.messages.map(\.role), [.system])
        let fx = Fixture.feed(&s, Fixture.type("hello") + [Fixture.key(.enter)])
        XCTAssertEqual(sends(fx).first?.messages.map(\.content), ["You are terse.", "hello"])
        Fixture.feed(&s, [.backend(.content("hi"), at: 1), .backend(.finished(.stop), at: 2)])
        s.sessionID = "s1"
        let saved = Fixture.feed(&s, Fixture.type("/system Be kind.") + [Fixture.key(.enter)])
        XCTAssertEqual(s.messages.first?.content, "Be kind.")
        XCTAssertTrue(saved.contains { if case .save(let c, false) = $0 { return c.messages.first?.content == "Be kind." }; return false })
        Fixture.feed(&s, Fixture.type("/system clear") + [Fixture.key(.enter)])
        XCTAssertEqual(s.messages.map(\.role), [.user, .assistant])
    }

    func testCustomCommandsUnknownNamesAndDoubleSlash() {
        var s = Fixture.state()
        s.customCommands = [CustomCommand(name: "review", text: "Review $ARGUMENTS for bugs.", source: ".glmchat/commands/review.md")]
        Fixture.feed(&s, Fixture.type("/rev"))
        XCTAssertEqual(s.slashCompletions, [SlashCompletion(name: "/review", arguments: "ARGS", summary: "custom · .glmchat/commands/review.md")])
        var fx = Fixture.feed(&s, [Fixture.key(.tab)] + Fixture.type("main.swift") + [Fixture.key(.enter)])
        XCTAssertEqual(sends(fx).first?.messages.last?.content, "Review main.swift for bugs.")
        var t = Fixture.state()
        fx = Fixture.feed(&t, Fixture.type("/etc/hosts is odd") + [Fixture.key(.enter)])
        XCTAssertTrue(sends(fx).isEmpty)
        XCTAssertEqual(t.input.text, "/etc/hosts is odd", "the text stays to be fixed")
        XCTAssertEqual(t.notice, "/etc/hosts is not a command (type / to see them; // sends a message that starts with /)")
        t.input.setText("/" + t.input.text)
        fx = Fixture.feed(&t, [Fixture.key(.enter)])
        XCTAssertEqual(sends(fx).first?.messages.last?.content, "/etc/hosts is odd")
        XCTAssertTrue(CustomCommand.isValidName("fix-tests_2"))
        XCTAssertFalse(CustomCommand.isValidName("new"))
        XCTAssertFalse(CustomCommand.isValidName("a b"))
    }

    func testTheReadmeCommandsSectionIsTheTable() throws {
        guard let section = try Fixture.readmeSection("commands", from: "SlashCommand.markdown") else {
            return XCTFail("README.md has no <!-- commands: generated from SlashCommand.markdown --> … <!-- /commands --> block")
        }
        XCTAssertEqual(section, SlashCommand.markdown, "README.md's commands should be:\n" + SlashCommand.markdown)
    }
}
