// ChatBackend over an OpenAI-compatible server (vLLM, SGLang, llama-server, llama-cpp-python): fits the
// conversation into the server's context (ContextRetry: once more, shorter, when the server says it is too
// long), streams /v1/chat/completions with AsyncHTTPClient on a background task, retries only failed
// connects, stops and closes the connection on cancel, and turns HTTP and stream failures into one-sentence
// `failed` events.
import AsyncHTTPClient
import Chat
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

public struct RemoteConfiguration: Sendable {
    /// Base URL of the API, e.g. http://127.0.0.1:8000/v1 (chat/completions and models are appended).
    public var endpoint: String
    /// The bearer key (read from the environment by the caller; never stored or logged).
    public var apiKey: String?
    /// The environment variable the key came from, named in error messages.
    public var apiKeyVariable: String?
    /// The served model's id; nil = the server's only/first model.
    public var model: String?
    /// Overrides the context length the server reports (or the fallback when it reports none).
    public var contextLength: Int?
    public var connectTimeoutSeconds = 10
    /// Longest silence accepted from the server, including the prompt's prefill before the first token.
    public var readTimeoutSeconds = 600
    /// Connection attempts before giving up (only connect failures are retried).
    public var connectAttempts = 3
    /// Template whose markers the fallback parser knows (for servers that do not split reasoning/tool calls).
    public var template: ChatTemplate = .glm47
    /// Context length assumed when neither the server nor the user gives one.
    public static let fallbackContextLength = 8192

    public init(endpoint: String, apiKey: String? = nil, apiKeyVariable: String? = nil, model: String? = nil, contextLength: Int? = nil) {
        self.endpoint = endpoint; self.apiKey = apiKey; self.apiKeyVariable = apiKeyVariable; self.model = model
        self.contextLength = contextLength
    }

    /// The sentence to warn with when an API key would travel unencrypted (http:// to a host other than this
    /// machine); nil when it would not.
    public func plainHTTPKeyWarning() -> String? {
        guard let key = apiKey, !key.isEmpty, let base = try? baseURL(), let u = URL(string: base),
              u.scheme?.lowercased() == "http", let host = u.host?.lowercased() else { return nil }
        let h = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if h == "localhost" || h.hasSuffix(".localhost") || h == "::1" || h.hasPrefix("127.") { return nil }
        return "the API key goes to \(host) over plain http://, unencrypted; use https:// unless that network is yours."
    }

    /// The endpoint without a trailing slash, checked to be http(s).
    func baseURL() throws -> String {
        var s = endpoint.trimmingCharacters(in: .whitespaces)
        while s.hasSuffix("/") { s.removeLast() }
        guard let u = URL(string: s), let scheme = u.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = u.host, !host.isEmpty else { throw RemoteError.invalidEndpoint(endpoint) }
        return s
    }
}

/// Owns the HTTP client (and its shutdown).
final class RemoteHTTP: @unchecked Sendable {
    let client: HTTPClient
    let config: RemoteConfiguration
    let base: String

    init(_ config: RemoteConfiguration) throws {
        self.config = config
        base = try config.baseURL()
        var pool = HTTPClient.Configuration.ConnectionPool()
        pool.retryConnectionEstablishment = false   // we retry connects ourselves, a bounded number of times
        var c = HTTPClient.Configuration(
            timeout: .init(connect: .seconds(Int64(config.connectTimeoutSeconds)), read: .seconds(Int64(config.readTimeoutSeconds))),
            connectionPool: pool)
        c.httpVersion = .http1Only
        // A redirect would send the whole conversation to wherever it points (and to a server it did not name).
        c.redirectConfiguration = .disallow
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: c)
        if let w = config.plainHTTPKeyWarning() { Self.warnOnce(w) }
    }

    private static let warned = NSLock()
    nonisolated(unsafe) private static var didWarn = false

    /// One line on stderr, once per process (before the full-screen UI starts: backends connect first).
    static func warnOnce(_ line: String) {
        warned.lock(); defer { warned.unlock() }
        guard !didWarn else { return }
        didWarn = true
        FileHandle.standardError.write(Data("glmchat: warning: \(line)\n".utf8))
    }

    deinit { try? client.syncShutdown() }

    func request(_ path: String, method: HTTPMethod, body: [UInt8]? = nil, accept: String) -> HTTPClientRequest {
        var r = HTTPClientRequest(url: base + path)
        r.method = method
        r.headers.add(name: "Accept", value: accept)
        if let key = config.apiKey, !key.isEmpty { r.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let body {
            r.headers.add(name: "Content-Type", value: "application/json")
            r.body = .bytes(ByteBuffer(bytes: body))
        }
        return r
    }

    /// Sends a request, retrying only when the connection could not be made.
    func execute(_ r: HTTPClientRequest) async throws -> HTTPClientResponse {
        var attempt = 0
        while true {
            attempt += 1
            do {
                let response = try await client.execute(r, timeout: .seconds(Int64(config.readTimeoutSeconds)))
                if (300..<400).contains(Int(response.status.code)) {
                    throw RemoteError.redirected(from: base, to: response.headers["Location"].first)
                }
                return response
            } catch {
                guard Self.isConnectFailure(error) else { throw Self.mapped(error, midStream: false, config: config) }
                if attempt >= max(1, config.connectAttempts) || Task.isCancelled {
                    throw RemoteError.cannotConnect(endpoint: base, reason: Self.reason(error))
                }
                try await Task.sleep(nanoseconds: UInt64(250_000_000) << UInt64(attempt - 1))  // 0.25 s, 0.5 s, …
            }
        }
    }

    /// Reads a whole (small) body, at most `limit` bytes.
    static func collect(_ r: HTTPClientResponse, limit: Int) async throws -> [UInt8] {
        var out: [UInt8] = []
        for try await b in r.body {
            out.append(contentsOf: b.readableBytesView.prefix(max(0, limit - out.count)))
            if out.count >= limit { break }
        }
        return out
    }

    static func isConnectFailure(_ e: Error) -> Bool {
        if e is NIOConnectionError { return true }
        if let h = e as? HTTPClientError, h == .connectTimeout { return true }
        if let io = e as? IOError, [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, ETIMEDOUT].contains(io.errnoCode) { return true }
        if let c = e as? ChannelError, case .connectTimeout = c { return true }
        return false
    }

    static func isCancellation(_ e: Error) -> Bool {
        if e is CancellationError { return true }
        if let h = e as? HTTPClientError, h == .cancelled { return true }
        return false
    }

    static func reason(_ e: Error) -> String {
        if let c = e as? NIOConnectionError {
            if c.dnsAError != nil || c.dnsAAAAError != nil, c.connectionErrors.isEmpty { return "the host name could not be resolved" }
            if let first = c.connectionErrors.first { return reason(first.error) }
        }
        if let io = e as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ECONNRESET: return "connection reset"
            case ETIMEDOUT: return "timed out"
            default: return String(cString: strerror(io.errnoCode))
            }
        }
        if let h = e as? HTTPClientError {
            switch h {
            case .connectTimeout: return "connect timed out"
            case .remoteConnectionClosed: return "the server closed the connection"
            case .readTimeout: return "read timed out"
            default: return "\(h)"
            }
        }
        return "\(e)"
    }

    static func mapped(_ e: Error, midStream: Bool, config: RemoteConfiguration) -> Error {
        if e is RemoteError || isCancellation(e) { return e }
        if let h = e as? HTTPClientError, h == .readTimeout || h == .deadlineExceeded {
            return RemoteError.timedOut(seconds: config.readTimeoutSeconds)
        }
        if midStream { return RemoteError.droppedMidStream(reason: reason(e)) }
        if let h = e as? HTTPClientError, h == .remoteConnectionClosed {
            return RemoteError.droppedMidStream(reason: "the server closed the connection before answering")
        }
        return RemoteError.cannotConnect(endpoint: (try? config.baseURL()) ?? config.endpoint, reason: reason(e))
    }

    // MARK: models

    /// /models (and llama-server's /props for the context size); nil when the server has no /models.
    func fetchModels() async throws -> [RemoteModelInfo]? {
        let r = try await execute(request("/models", method: .GET, accept: "application/json"))
        let body = try await Self.collect(r, limit: 4 << 20)
        if r.status.code == 404 { return nil }
        guard r.status.code == 200 else {
            throw RemoteError.from(status: Int(r.status.code), body: body, url: base + "/models", model: config.model, keyVariable: config.apiKeyVariable)
        }
        let v: JSONValue
        do { v = try JSONValue.parse(body) } catch { throw RemoteError.invalidResponse("the /models answer is not JSON") }
        var models = try RemoteModelInfo.list(v)
        if let i = models.indices.first, models[i].contextLength == nil, models[i].owner == "llamacpp",
           let n = try? await fetchLlamaServerContext() {
            models[i].contextLength = n
        }
        return models
    }

    /// llama-server's GET /props (beside /v1): default_generation_settings.n_ctx.
    private func fetchLlamaServerContext() async throws -> Int? {
        guard base.hasSuffix("/v1") else { return nil }
        var r = HTTPClientRequest(url: String(base.dropLast(3)) + "/props")
        if let key = config.apiKey, !key.isEmpty { r.headers.add(name: "Authorization", value: "Bearer \(key)") }
        let resp = try await client.execute(r, timeout: .seconds(Int64(config.connectTimeoutSeconds)))
        let body = try await Self.collect(resp, limit: 1 << 20)
        guard resp.status.code == 200, let v = try? JSONValue.parse(body) else { return nil }
        return v["default_generation_settings"]?["n_ctx"]?.intValue ?? v["n_ctx"]?.intValue
    }
}

public final class RemoteBackend: ChatBackend, @unchecked Sendable {
    public let modelName: String
    public let contextLength: Int
    /// Counts prompt tokens for fitting: exact with the model's tokenizer, else an estimate learnt from the server.
    public let tokenCounter: TokenCounter?
    /// Fits requests with the template the fallback parser knows (GLM-4.7 unless configured) and `tokenCounter`.
    let fitter: PromptFitter
    /// The id sent as "model" (nil: none is sent).
    public let model: String?
    let http: RemoteHTTP

    private let lock = NSLock()
    private var running: (id: Int, task: Task<Void, Never>)?
    private var nextID = 0

    /// Asks the server for its models, picks `configuration.model` (or the only one) and its context length.
    /// A server without /models is accepted: the name comes from the configuration.
    public static func connect(_ configuration: RemoteConfiguration, tokenCounter: TokenCounter? = nil) async throws -> RemoteBackend {
        let http = try RemoteHTTP(configuration)
        let info = try await http.fetchModels().map { try RemoteModelInfo.choose($0, wanted: configuration.model) }
        return RemoteBackend(http: http, info: info, tokenCounter: tokenCounter)
    }

    /// `connect` for synchronous callers (the command line); must not be called from an async context.
    public static func connectBlocking(_ configuration: RemoteConfiguration, tokenCounter: TokenCounter? = nil) throws -> RemoteBackend {
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { box.set(.success(try await connect(configuration, tokenCounter: tokenCounter))) } catch { box.set(.failure(error)) }
            done.signal()
        }
        done.wait()
        return try box.get()
    }

    /// A backend that does not ask the server anything up front (tests, or servers without /models).
    public convenience init(_ configuration: RemoteConfiguration, model: RemoteModelInfo? = nil, tokenCounter: TokenCounter? = nil) throws {
        self.init(http: try RemoteHTTP(configuration), info: model, tokenCounter: tokenCounter)
    }

    init(http: RemoteHTTP, info: RemoteModelInfo?, tokenCounter: TokenCounter?) {
        self.http = http
        let c = http.config
        model = info?.id ?? c.model
        modelName = model ?? URL(string: http.base)?.host ?? http.base
        contextLength = c.contextLength ?? info?.contextLength ?? RemoteConfiguration.fallbackContextLength
        let counter = tokenCounter ?? ApproximateTokenCounter()
        self.tokenCounter = counter
        fitter = PromptFitter(template: c.template, counter: counter, contextLength: contextLength)
    }

    public func send(_ request: ChatRequest, onEvent: @escaping @Sendable (ChatEvent) -> Void) {
        lock.lock()
        running?.task.cancel()
        nextID += 1
        let id = nextID
        let task = Task.detached { [self] in
            await ContextRetry.run(request, fitter: fitter, onEvent: onEvent) { fitted, emit in
                var sent = request
                sent.messages = fitted.messages
                await self.run(sent, promptBytes: fitted.prompt.utf8.count, onEvent: emit)
            }
            self.finished(id)
        }
        running = (id, task)
        lock.unlock()
    }

    private func finished(_ id: Int) {
        lock.lock(); if running?.id == id { running = nil }; lock.unlock()
    }

    public func cancel() {
        lock.lock(); let t = running?.task; lock.unlock()
        t?.cancel()
    }

    public func measure(_ request: ChatRequest, completion: @escaping @Sendable (PromptFit) -> Void) {
        let fitter = self.fitter
        Task.detached { completion(fitter.fit(request).fit) }
    }

    // MARK: one reply

    static func tooLarge(_ what: String) -> String { "\(what) is larger than \(SSEParser.maxEventBytes >> 20) MiB, so reading stopped" }

    /// Streams the reply to `request` (its messages already fitted; `promptBytes` long as rendered).
    private func run(_ request: ChatRequest, promptBytes: Int, onEvent: @escaping @Sendable (ChatEvent) -> Void) async {
        var decoder = StreamDecoder(thinking: request.thinking, tools: request.tools, template: http.config.template)
        var clock = ReplyClock()
        var sawEvent = false
        func emit(_ events: [ChatEvent]) { for e in events { clock.observe(e); onEvent(e) } }
        func end(_ failure: Error?) {
            emit(decoder.flush())
            var stats = decoder.usage ?? GenerationStats()
            clock.fill(&stats)
            if let p = stats.promptTokens, let counter = tokenCounter as? ApproximateTokenCounter {
                counter.calibrate(bytes: promptBytes, tokens: p)
            }
            if decoder.usage != nil || clock.firstToken != nil { onEvent(.stats(stats)) }
            if let failure, RemoteHTTP.isCancellation(failure) || Task.isCancelled {
                onEvent(.finished(.cancelled))
            } else if let failure {
                onEvent(.failed("\(failure)"))
            } else if let e = decoder.streamError {
                onEvent(.failed("\(e)"))
            } else if decoder.isComplete {
                onEvent(.finished(decoder.finishReason))
            } else if !sawEvent {
                onEvent(.failed("\(RemoteError.emptyStream)"))
            } else {
                onEvent(.failed("\(RemoteError.droppedMidStream(reason: "the stream ended without a finish reason"))"))
            }
        }
        let body = Array(ChatCompletionBody.make(request, model: model).serialized().utf8)
        let response: HTTPClientResponse
        do {
            response = try await http.execute(http.request("/chat/completions", method: .POST, body: body, accept: "text/event-stream"))
            guard response.status.code == 200 else {
                let errBody = try await RemoteHTTP.collect(response, limit: 64 << 10)
                throw RemoteError.from(status: Int(response.status.code), body: errBody, url: http.base + "/chat/completions",
                                       model: model, keyVariable: http.config.apiKeyVariable)
            }
        } catch {
            return end(error)
        }
        let isJSON = response.headers["Content-Type"].first?.lowercased().hasPrefix("application/json") ?? false
        var sse = SSEParser()
        var whole: [UInt8] = []
        do {
            for try await buffer in response.body {
                try Task.checkCancellation()
                if isJSON {
                    whole += buffer.readableBytesView
                    if whole.count > SSEParser.maxEventBytes { throw RemoteError.invalidResponse(Self.tooLarge("the JSON answer")) }
                    continue
                }
                for e in sse.feed(buffer.readableBytesView) { sawEvent = true; emit(decoder.decode(e)) }
                if sse.overflow { throw RemoteError.invalidResponse(Self.tooLarge("one event of the stream")) }
                if decoder.done || decoder.streamError != nil { break }
            }
            try Task.checkCancellation()
            if isJSON {
                sawEvent = !whole.isEmpty
                emit(decoder.decode(SSEEvent(data: String(decoding: whole, as: UTF8.self))))
                if decoder.serverFinishReason == nil && decoder.streamError == nil { emit(decoder.decode(SSEEvent(data: "[DONE]"))) }
            }
            for e in sse.finish() { sawEvent = true; emit(decoder.decode(e, atEnd: true)) }
            end(nil)
        } catch {
            end(RemoteHTTP.mapped(error, midStream: true, config: http.config))
        }
    }
}

/// Times one reply from the events it produces (time to first token, thinking time, decode time).
struct ReplyClock {
    let start = DispatchTime.now().uptimeNanoseconds
    var firstToken: UInt64?
    var firstReasoning: UInt64?
    var firstAnswer: UInt64?

    mutating func observe(_ e: ChatEvent) {
        let now = DispatchTime.now().uptimeNanoseconds
        switch e {
        case .reasoning: if firstReasoning == nil { firstReasoning = now }
        case .content, .toolCall: if firstAnswer == nil { firstAnswer = now }
        default: return
        }
        if firstToken == nil { firstToken = now }
    }

    func fill(_ s: inout GenerationStats) {
        let now = DispatchTime.now().uptimeNanoseconds
        func secs(_ a: UInt64, _ b: UInt64) -> Double { Double(b &- a) / 1e9 }
        if let f = firstToken {
            s.ttftSeconds = secs(start, f)
            if s.prefillSeconds == nil { s.prefillSeconds = secs(start, f) }
            if s.decodeSeconds == nil { s.decodeSeconds = secs(f, now) }
        }
        if let r = firstReasoning { s.thinkingSeconds = secs(r, firstAnswer ?? now) }
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<RemoteBackend, Error> = .failure(CancellationError())
    func set(_ r: Result<RemoteBackend, Error>) { lock.lock(); result = r; lock.unlock() }
    func get() throws -> RemoteBackend { lock.lock(); defer { lock.unlock() }; return try result.get() }
}
