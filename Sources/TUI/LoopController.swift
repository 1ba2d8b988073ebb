// The controller as the UI loop sees it (Terminal's TerminalApp, or a test driving it headlessly).

/// Events in, state out; other threads post to `queue`. App's ChatController is the one.
public protocol LoopController: AnyObject {
    var state: AppState { get }
    var queue: EventQueue { get }
    var quitRequested: Bool { get }
    /// Puts text on the clipboard; the loop sets it to the terminal's OSC 52.
    var onCopy: (String) -> Void { get set }
    /// Rings the terminal's bell with a desktop notification.
    var onNotify: (String) -> Void { get set }
    /// Runs the body with the terminal handed back (to run an editor in it), then redraws.
    var runOutsideScreen: (() -> Void) -> Void { get set }
    func handle(_ e: Event)
    /// Applies everything other threads posted; returns whether there was anything.
    @discardableResult func processQueued() -> Bool
    /// Quits as if the user had asked.
    func quit()
}
