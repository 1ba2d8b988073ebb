// Compaction: `/compact [N]` (or the setting, before a message or tool results that would fill the prompt's room past
// `Compaction.autoThreshold`) asks the model for a summary of all but the last N turns, streamed into the summary
// block; from then on the backend sends system + summary + the turns after it. The saved conversation keeps every
// message. `e` on the block edits the summary, `/compact drop` removes it (plain truncation again). Esc while it is
// written stops it and changes nothing.
import Foundation
import Chat

/// A summary being written.
public struct CompactionRun: Equatable, Sendable {
    public static func == (a: CompactionRun, b: CompactionRun) -> Bool {
        a.through == b.through && a.text == b.text && a.stopping == b.stopping && a.read?.done == b.read?.done && a.pending == b.pending
    }
    /// The id of the last message it covers, and the index of the first one it does not.
    public var through: String
    public var end: Int
    /// The summary so far.
    public var text = ""
    /// Tokens the model wrote (from its stats), for the notice.
    public var tokens: Int? = nil
    /// Messages to summarise in the request, and how many of the oldest the backend left out to fit it into the
    /// context (its fit says); when that is all of them it is stopped and fails.
    public var toSummarise = 0
    public var leftOut = 0
    /// Started by the setting before `pending` was sent; the fraction of the prompt's room it would have taken.
    public var automatic: Double? = nil
    /// The user's message waiting for the summary (automatic compaction).
    public var pending: Message? = nil
    /// Prompt tokens the model has read of the request, of all (its prefill progress).
    public var read: (done: Int, total: Int)? = nil
    /// Tool results waiting for the summary to be sent back (automatic compaction inside a tool loop).
    public var resumesToolRound = false
    /// The user asked to stop it; the backend has not finished yet.
    public var stopping = false
}

extension AppState {
    /// Where the compaction that applies ends (index of the first message it does not cover); nil: none applies.
    public var compactionEnd: Int? { compaction?.end(in: messages) }
}

/// `/compact [N | drop]`.
func compactCommand(_ s: inout AppState, _ args: String) -> [Effect] {
    if let ro = s.readOnly { s.notice = ro.refusal; return [] }
    if s.isBusy { s.notice = "stop the reply first (Esc)"; return [] }
    if args == "drop" { return dropCompaction(&s) }
    guard let keep = args.isEmpty ? Compaction.defaultKeepTurns : Int(args), keep >= 0 else {
        s.notice = "/compact N keeps the last N turns (a number, 0 or more); /compact drop removes the summary"
        return []
    }
    guard let end = Compaction.boundary(s.messages, keepTurns: keep) else {
        let turns = s.messages.filter { $0.role == .user }.count
        s.notice = "nothing to compact: the conversation has \(turns) turn\(turns == 1 ? "" : "s") and /compact keeps the last \(keep)"
        return []
    }
    if let done = s.compactionEnd, end <= done {
        s.notice = "nothing new to compact: the summary already covers the messages before the last \(keep) turn\(keep == 1 ? "" : "s")"
        return []
    }
    return startCompaction(&s, end: end)
}

/// Asks the backend for a summary of `s.messages[..<end]` (with the summary that applies now, if any, in their place).
func startCompaction(_ s: inout AppState, end: Int, automatic: Double? = nil, pending: Message? = nil) -> [Effect] {
    var sampling = s.settings.sampling
    sampling.maxTokens = min(sampling.maxTokens ?? .max, Compaction.maxSummaryTokens(contextLength: s.contextLength))
    let previous = s.compactionEnd == nil ? nil : s.compaction
    // No tools, no thinking, no conversation id: the request is not a turn of the conversation (nor its KV cache).
    let req = ChatRequest(messages: Compaction.requestMessages(s.messages, upTo: end, previous: previous), sampling: sampling,
                          thinking: false, keepThinking: false)
    s.compacting = CompactionRun(through: s.messages[end - 1].id, end: end, automatic: automatic, pending: pending)
    s.compacting?.toSummarise = req.messages.filter { $0.role != .system }.count - 1
    s.expanded["summary"] = nil
    s.scroll = 0
    return [.summarize(req)]
}

/// The backend's events while a summary is written.
func compactionEvent(_ s: inout AppState, _ ev: ChatEvent) -> [Effect] {
    guard var run = s.compacting else { return [] }
    switch ev {
    case .content(let text):
        run.text += run.text.isEmpty ? String(text.drop(while: { $0 == "\n" })) : text
    case .stats(let st):
        run.tokens = st.completionTokens
    case .promptFitted(let fit):
        run.leftOut = fit.report.removedMessageIDs.count
        // Nothing to summarise fits next to the request: stopped here, and failed when the backend has stopped.
        if run.leftOut >= run.toSummarise, !run.stopping { run.stopping = true; s.compacting = run; return [.cancel] }
    case .prefillProgress(let done, let total):
        run.read = (done, total)
    case .finished(let reason) where reason == .cancelled:
        s.compacting = nil
        if run.leftOut >= run.toSummarise { return failed(&s, run, "the messages to summarise do not fit into the context, not even the last of them") }
        return stopped(&s, run)
    case .finished(let reason):
        let summary = run.text.trimming(" \n")
        s.compacting = nil
        guard !summary.isEmpty, reason != .error else { return failed(&s, run, "the model wrote no summary") }
        return compacted(&s, run, summary: summary, cut: reason == .length)
    case .failed(let why):
        s.compacting = nil
        return failed(&s, run, why)
    case .contextRetry, .reasoning, .toolCall, .warning:
        break   // thinking is off; anything else the model does is not part of the summary
    }
    s.compacting = run
    return []
}

private func compacted(_ s: inout AppState, _ run: CompactionRun, summary: String, cut: Bool) -> [Effect] {
    let covered = s.messages.prefix(run.end).filter { $0.role != .system }.count
    s.compaction = Compaction(summary: summary, through: run.through, messages: covered)
    s.droppedMessages = 0
    let tokens = run.tokens ?? (summary.utf8.count + 2) / 3
    var what = "compacted \(covered) message\(covered == 1 ? "" : "s") into a \(grouped(tokens))-token summary"
    if cut { what += " (cut at its length limit of \(grouped(Compaction.maxSummaryTokens(contextLength: s.contextLength))) tokens)" }
    // The request itself was too long: the model summarised what fitted.
    if run.leftOut > 0 { what += " (the oldest \(run.leftOut) did not fit into the request: the summary leaves them out)" }
    var fx: [Effect] = s.sessionID == nil ? [] : [.save(s.conversation, partial: false)]
    let percent = Int(((run.automatic ?? 0) * 100).rounded())
    if run.resumesToolRound {
        if let call = s.messages.last(where: { $0.role == .assistant }) {
            s.messageNotes[call.id, default: []].append("↻ with the tool results the prompt would take \(percent) % of its room in the context: " + what + " before sending them")
        }
        return fx + startReply(&s)
    }
    guard let m = run.pending else {
        s.notice = what + " · select it to read or edit (e) · /compact drop undoes"
        // The context use drops now: counted again off this thread (a conversation not saved keeps the old count until its next reply).
        if let id = s.sessionID { s.contextUsed = nil; fx.append(.measure(chatRequest(s), sessionID: id)) }
        return fx
    }
    fx += send(&s, m, autoCompact: false)
    s.messageNotes[m.id, default: []].append("↻ with this message the prompt would take \(percent) % of its room in the context: " + what + " first")
    return fx
}

private func stopped(_ s: inout AppState, _ run: CompactionRun) -> [Effect] {
    if run.resumesToolRound { s.notice = "compaction stopped: nothing changed; the tool results were not sent (send a message to go on)"; return [] }
    guard let m = run.pending else { s.notice = "compaction stopped: nothing changed"; return [] }
    // The message was not sent: back into the editor, before anything typed since.
    let typed = s.input.text
    s.input.setText(typed.trimming(" \n").isEmpty ? m.content : m.content + "\n\n" + typed)
    s.focus = .input
    s.notice = "compaction stopped: nothing changed, and your message is back in the editor"
    return []
}

private func failed(_ s: inout AppState, _ run: CompactionRun, _ why: String) -> [Effect] {
    if run.resumesToolRound {
        if let call = s.messages.last(where: { $0.role == .assistant }) {
            s.messageNotes[call.id, default: []].append("⚠ automatic compaction failed (\(why)); older turns are left out instead, as without it")
        }
        return startReply(&s)
    }
    guard let m = run.pending else { s.notice = "compaction failed (\(why)): nothing changed"; return [] }
    // Automatic: the message goes out all the same; the usual truncation fits it.
    let fx = send(&s, m, autoCompact: false)
    s.messageNotes[m.id, default: []].append("⚠ automatic compaction failed (\(why)); older turns are left out instead, as without it")
    return fx
}

/// Before the user's message `m` goes out: with the setting on, when the prompt would pass the threshold of its room
/// in the context (the context less the reply's reserve: past all of it, the oldest turns would be left out) and
/// there are earlier turns to summarise, the summary is made first (and `m` sent once it is). Nil: send now.
/// The prompt's size is the last reply's (prompt and reply, counted by the backend) and an estimate of `m`.
func autoCompactFirst(_ s: inout AppState, _ m: Message) -> [Effect]? {
    guard s.settings.autoCompact, s.editingMessageID == nil, let used = s.contextUsed else { return nil }
    let room = promptRoom(s)
    guard room > 0 else { return nil }
    let fraction = Double(used + estimatedTokens(m)) / Double(room)
    guard fraction > Compaction.autoThreshold else { return nil }
    // The new message is the last of the turns kept.
    guard let end = Compaction.boundary(s.messages, keepTurns: Compaction.defaultKeepTurns - 1), end > (s.compactionEnd ?? 0) else { return nil }
    return startCompaction(&s, end: end, automatic: fraction, pending: m)
}

/// Before tool results go back to the model (the setting on): the same measure, with the results as the new part and
/// the turn in progress kept whole; the reply starts once the summary is made. Nil: send them now.
func autoCompactBeforeToolRound(_ s: inout AppState) -> [Effect]? {
    guard s.settings.autoCompact, let used = s.contextUsed else { return nil }
    let room = promptRoom(s)
    guard room > 0 else { return nil }
    let results = s.messages.reversed().prefix { $0.role == .tool }.reduce(0) { $0 + estimatedTokens($1) }
    let fraction = Double(used + results) / Double(room)
    guard fraction > Compaction.autoThreshold,
          let end = Compaction.boundary(s.messages, keepTurns: 1), end > (s.compactionEnd ?? 0) else { return nil }
    let fx = startCompaction(&s, end: end, automatic: fraction)
    s.compacting?.resumesToolRound = true
    return fx
}

/// The prompt's room in the context: the context less the reply's reserve (past it the fitter leaves turns out),
/// within the limit a server set.
func promptRoom(_ s: AppState) -> Int {
    min(s.contextLength - PromptFitter.replyReserve(contextLength: s.contextLength, sampling: s.settings.sampling), s.promptLimit ?? .max)
}

/// `/compact drop`: the summary goes; the earlier messages are sent again (and truncated to fit, as before).
func dropCompaction(_ s: inout AppState) -> [Effect] {
    guard s.compaction != nil else { s.notice = "there is no summary to drop"; return [] }
    s.compaction = nil
    s.editingSummary = false
    s.droppedMessages = 0
    s.notice = "summary dropped: the earlier messages are sent again (the oldest left out if the context is full)"
    guard let id = s.sessionID else { return [] }
    s.contextUsed = nil
    return [.save(s.conversation, partial: false), .measure(chatRequest(s), sessionID: id)]
}

/// `e` on the summary block: the summary goes into the editor; Enter saves it.
func editSummary(_ s: inout AppState) -> [Effect] {
    if let ro = s.readOnly { s.notice = ro.refusal; return [] }
    if s.isBusy { s.notice = "stop the reply first (Esc)"; return [] }
    guard let c = s.compaction, s.compactionEnd != nil else { s.notice = "there is no summary to edit"; return [] }
    s.editingMessageID = nil
    s.editingSummary = true
    s.input.setText(c.summary)
    leaveTranscript(&s)
    s.notice = "editing the summary: Enter saves it (\(Keymap.key(.externalEditor, in: .input)): in your editor); Esc leaves it as it was"
    return []
}

/// Enter while editing the summary.
func saveSummary(_ s: inout AppState) -> [Effect] {
    let text = s.input.take().trimming(" \n")
    s.editingSummary = false
    guard var c = s.compaction, !text.isEmpty else {
        s.notice = "the summary is unchanged (/compact drop removes it)"
        return []
    }
    guard text != c.summary.trimming(" \n") else { s.notice = "the summary is unchanged"; return [] }
    c.summary = text
    c.edited = true
    s.compaction = c
    s.notice = "summary saved: the model gets your version from the next message on"
    return s.sessionID == nil ? [] : [.save(s.conversation, partial: false)]
}
