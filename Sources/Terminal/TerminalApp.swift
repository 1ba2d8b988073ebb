// The UI loop: waits on keyboard input and a wake-up pipe (backend/tool events from other threads),
// applies events, redraws changed cells. Generation never blocks input or redraw.
import Foundation
import TUI
import CNcursesw

public enum TerminalApp {
    /// If run() ended because of SIGTERM/SIGINT/SIGHUP, dies of that signal now (call after saving).
    public static func dieOfPendingSignal() { nc_die_of_pending_signal() }

    /// Runs the chat until the user quits. The terminal is restored on return, on throw and on signals.
    public static func run(_ controller: LoopController, mouse: Bool = false) throws {
        let screen = try Screen(mouse: mouse)
        defer { screen.stop() }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw TerminalError(description: "could not create the wake-up pipe") }
        defer { controller.queue.setWake(nil); close(fds[0]); close(fds[1]) }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)   // never inherited by a tool's command or the editor
        }
        let wakeFD = fds[1]
        nc_set_termination_fd(wakeFD)
        defer { nc_set_termination_fd(-1) }
        controller.queue.setWake { var b: UInt8 = 1; _ = write(wakeFD, &b, 1) }
        controller.onCopy = { screen.copyToClipboard($0) }
        controller.onNotify = { screen.notify($0) }
        controller.runOutsideScreen = { screen.runOutside($0) }

        let s = screen.size
        controller.handle(.resize(width: s.width, height: s.height))
        controller.handle(.tick(monotonicSeconds()))
        if !screen.utf8 { controller.handle(.notice("the terminal locale is not UTF-8 (set LANG=C.UTF-8); some characters will look wrong")) }
        var buf = Buffer(width: 0, height: 0)
        render(controller.state, into: &buf)
        screen.draw(buf)

        var pfd = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0), pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)]
        var drain = [UInt8](repeating: 0, count: 256)
        while !controller.quitRequested {
            // Animate (spinner, elapsed time) while something is running, and end Ctrl-C's quit window on time;
            // otherwise sleep until input.
            let timeout: Int32 = controller.state.isBusy || controller.state.quitArmed ? 100 : 1000
            pfd[0].revents = 0; pfd[1].revents = 0
            _ = poll(&pfd, 2, timeout)
            while read(fds[0], &drain, drain.count) > 0 {}
            if nc_termination_signal() != 0 { controller.quit(); break }
            for e in screen.readEvents() {
                controller.handle(e)
                if controller.quitRequested { break }
            }
            controller.processQueued()
            controller.handle(.tick(monotonicSeconds()))
            var next = Buffer(width: 0, height: 0)
            render(controller.state, into: &next)
            if next != buf {
                screen.draw(next)
                buf = next
            }
        }
    }
}
