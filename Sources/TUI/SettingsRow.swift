// The settings panel's rows (F3): each one's label, the value shown, and how Left / Right / Enter change it.
import Foundation
import Chat

public enum SettingsRow: Int, CaseIterable, Sendable {
    case thinking, keepThinking, expandThinking, temperature, topP, minP, systemPrompt, planMode, notify, autoCompact, theme

    public var label: String {
        switch self {
        case .thinking: return "Thinking"
        case .keepThinking: return "Keep past thinking"
        case .expandThinking: return "Open thinking blocks"
        case .temperature: return "Temperature"
        case .topP: return "Top-p"
        case .minP: return "Min-p"
        case .theme: return "Theme"
        case .systemPrompt: return "This chat's system prompt"
        case .planMode: return "Plan mode (this run)"
        case .notify: return "Bell when done or asking"
        case .autoCompact: return "Auto-compact at \(Int(Compaction.autoThreshold * 100)) %"
        }
    }

    public func value(in s: AppState) -> String {
        let p = s.settings.sampling
        switch self {
        case .thinking: return onOff(s.settings.thinking)
        case .keepThinking: return onOff(s.settings.keepThinking)
        case .expandThinking: return onOff(s.settings.expandThinking)
        case .temperature: return format2(p.temperature)
        case .topP: return format2(p.topP)
        case .minP: return format2(p.minP)
        case .theme: return s.theme.name
        case .systemPrompt:
            guard let m = s.messages.first, m.role == .system else { return "none · Enter sets one" }
            let line = m.content.split(separator: "\n").first.map(String.init) ?? ""
            return (line.count > 28 ? String(line.prefix(27)) + "…" : line) + " · Enter edits"
        case .planMode: return s.planMode ? "on: reads only" : "off"
        case .notify: return onOff(s.settings.notify)
        case .autoCompact: return onOff(s.settings.autoCompact)
        }
    }

    /// Changes the setting one step: `forward` is Right or Enter, else Left. A switch flips either way;
    /// a number steps within its range; the theme cycles through `s.themes`.
    func change(_ s: inout AppState, forward: Bool) {
        let sign: Double = forward ? 1 : -1
        switch self {
        case .thinking: s.settings.thinking.toggle()
        case .keepThinking: s.settings.keepThinking.toggle()
        case .expandThinking: s.settings.expandThinking.toggle(); s.showThinking = nil
        case .temperature: s.settings.sampling.temperature = clampStep(s.settings.sampling.temperature, 0.05 * sign, 0, 2)
        case .topP: s.settings.sampling.topP = clampStep(s.settings.sampling.topP, 0.05 * sign, 0.05, 1)
        case .minP: s.settings.sampling.minP = clampStep(s.settings.sampling.minP, 0.01 * sign, 0, 1)
        case .theme:
            guard !s.themes.isEmpty else { return }
            let i = s.themes.firstIndex { $0.name == s.theme.name } ?? 0
            s.theme = s.themes[(i + (forward ? 1 : s.themes.count - 1)) % s.themes.count]
            s.settings.theme = s.theme.name
        case .systemPrompt: break   // Enter opens it in the editor (editSystemPrompt)
        case .planMode: s.planMode.toggle()
        case .notify: s.settings.notify.toggle()
        case .autoCompact: s.settings.autoCompact.toggle()
        }
    }

    /// The row above or below, wrapping around.
    func moved(by d: Int) -> SettingsRow {
        let n = Self.allCases.count
        return SettingsRow(rawValue: ((rawValue + d) % n + n) % n)!
    }
}

private func onOff(_ b: Bool) -> String { b ? "on" : "off" }

func format2(_ x: Double) -> String { String(format: "%.2f", x) }

/// `v + d` kept within lo…hi and rounded to hundredths (so repeated steps do not drift).
func clampStep(_ v: Double, _ d: Double, _ lo: Double, _ hi: Double) -> Double {
    (min(hi, max(lo, v + d)) * 100).rounded() / 100
}
