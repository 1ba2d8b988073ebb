// A tiny HTTP/1.1 server for tests on 127.0.0.1 (port chosen by the kernel): each accepted connection reads
// one request and runs a scripted reply (status, headers, body pieces, then close or hang until stopped).
// Bounded: it serves at most `maxConnections` and every socket has a 10 s receive timeout.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class LoopbackServer: @unchecked Sendable {
    struct Request: Sendable { var method: String; var path: String; var headers: [String: String]; var body: String }

    enum Step: Sendable {
        case write([UInt8])
        /// Waits until the client closes the connection (or the server stops).
        case waitForClientClose
        case sleep(milliseconds: Int)
    }

    let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var requestsSeen: [Request] = []
    private var clientClosedCount = 0
    private var clients: [Int32] = []
    private var listening = true
    private let finished = DispatchSemaphore(value: 0)

    /// `respond` is called once per request and gives the steps to perform; the connection is closed after them.
    init(maxConnections: Int = 8, respond: @escaping @Sendable (Request) -> [Step]) throws {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw POSIXError(.EIO) }
        var one: Int32 = 1
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, len) == 0 && listen(s, 16) == 0 && getsockname(s, $0, &len) == 0 }
        }
        guard ok else { close(s); throw POSIXError(.EADDRINUSE) }
        fd = s
        port = Int(UInt16(bigEndian: addr.sin_port))
        let t = Thread { [self] in acceptLoop(maxConnections, respond) }
        t.start()
    }

    private func acceptLoop(_ maxConnections: Int, _ respond: @escaping @Sendable (Request) -> [Step]) {
        var served = 0
        while served < maxConnections {
            let c = accept(fd, nil, nil)
            if c < 0 { break }
            served += 1
            lock.lock(); clients.append(c); lock.unlock()
            Thread.detachNewThread { [self] in serve(c, respond) }
        }
        finished.signal()
    }

    var endpoint: String { "http://127.0.0.1:\(port)/v1" }
    var requests: [Request] { lock.lock(); defer { lock.unlock() }; return requestsSeen }
    /// Connections on which the client hung up while the server was still waiting to write.
    var clientCloses: Int { lock.lock(); defer { lock.unlock() }; return clientClosedCount }

    func stop() {
        closeListener()
        lock.lock(); let cs = clients; lock.unlock()
        for c in cs { shutdown(c, Int32(SHUT_RDWR)) }
        _ = finished.wait(timeout: .now() + 5)
    }

    // Closed once only: the accept thread may release the last reference (and run deinit) after the next
    // server has been given the same descriptor number, which a second close would take from it.
    deinit { closeListener() }

    private func closeListener() {
        lock.lock(); let wasOpen = listening; listening = false; lock.unlock()
        guard wasOpen else { return }
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    private func serve(_ c: Int32, _ respond: @Sendable (Request) -> [Step]) {
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(c, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        defer { closeGracefully(c) }
        guard let req = readRequest(c) else { return }
        lock.lock(); requestsSeen.append(req); lock.unlock()
        for step in respond(req) {
            switch step {
            case .write(let bytes):
                var off = 0
                while off < bytes.count {
                    let n = bytes[off...].withUnsafeBytes { send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if n <= 0 { return }
                    off += n
                }
            case .sleep(let ms):
                usleep(useconds_t(ms * 1000))
            case .waitForClientClose:
                var b = [UInt8](repeating: 0, count: 256)
                while true {
                    let n = recv(c, &b, b.count, 0)
                    if n == 0 { lock.lock(); clientClosedCount += 1; lock.unlock(); return }
                    if n < 0 { return }   // timeout or server stop
                }
            }
        }
    }

    /// Sends FIN, then reads whatever the client still sends until it closes (at most 2 s): closing a socket
    /// with unread input would send RST, which a loaded machine can deliver before the client read the reply.
    private func closeGracefully(_ c: Int32) {
        shutdown(c, Int32(SHUT_WR))
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var b = [UInt8](repeating: 0, count: 4096)
        while recv(c, &b, b.count, 0) > 0 {}
        close(c)
    }

    private func readRequest(_ c: Int32) -> Request? {
        var data: [UInt8] = []
        var b = [UInt8](repeating: 0, count: 4096)
        let sep: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            let n = recv(c, &b, b.count, 0)
            if n <= 0 || data.count > 1 << 20 { return nil }
            data += b[0..<n]
            if data.count >= 4 { headEnd = (0...(data.count - 4)).first { data[$0..<$0 + 4].elementsEqual(sep) } }
        }
        guard let end = headEnd else { return nil }
        let head = String(decoding: data[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let first = head[0].split(separator: " ")
        guard first.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        var body = Array(data[(end + 4)...])
        while body.count < length {
            let n = recv(c, &b, b.count, 0)
            if n <= 0 { return nil }
            body += b[0..<n]
        }
        return Request(method: String(first[0]), path: String(first[1]), headers: headers, body: String(decoding: body, as: UTF8.self))
    }

    // MARK: canned replies

    static func head(_ status: Int, _ reason: String, contentType: String, length: Int? = nil, extra: [String] = []) -> [UInt8] {
        var h = "HTTP/1.1 \(status) \(reason)\r\nContent-Type: \(contentType)\r\n"
        if let length { h += "Content-Length: \(length)\r\n" }
        for e in extra { h += e + "\r\n" }
        h += "Connection: close\r\n\r\n"
        return Array(h.utf8)
    }

    static func json(_ status: Int, _ reason: String, _ body: String) -> [Step] {
        let b = Array(body.utf8)
        return [.write(head(status, reason, contentType: "application/json", length: b.count) + b)]
    }

    /// An event-stream response without Content-Length: the body ends when the connection closes.
    static func streamHead() -> [UInt8] { head(200, "OK", contentType: "text/event-stream; charset=utf-8", extra: ["Cache-Control: no-cache"]) }
}
