import BertSimCore
import BertSimReport
import Foundation
import Testing

/// Headless Chromium, when installed: `$CHROMIUM`, else `chromium` or `chromium-browser` on
/// PATH (Debian: `apt-get install chromium`).
enum Chromium {
    static let path: String? = {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["CHROMIUM"], FileManager.default.isExecutableFile(atPath: explicit) { return explicit }
        for directory in (environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            for name in ["chromium", "chromium-browser"] {
                let candidate = "\(directory)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }()

    /// `make check-html` sets this so that a missing Chromium fails instead of skipping.
    static let required = ProcessInfo.processInfo.environment["BERTSIM_REQUIRE_CHROMIUM"] == "1"

    /// Where tests leave files for people to look at: `$BERTSIM_TEST_ARTIFACTS`, else
    /// `<tmp>/bertsim-test-artifacts`.
    static let artifacts: URL = {
        let url = ProcessInfo.processInfo.environment["BERTSIM_TEST_ARTIFACTS"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("bertsim-test-artifacts")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Renders `page` at `width` × `height` CSS pixels (device scale 1, sRGB) into a PNG.
    static func screenshot(_ page: URL, to png: URL, width: Int, height: Int) throws {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("bertsim-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let p = Process()
        guard let path else { throw PNGImage.Failure(description: "no chromium") }
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1",
                       "--force-color-profile=srgb", "--no-first-run", "--user-data-dir=\(profile.path)",
                       "--window-size=\(width),\(height)", "--screenshot=\(png.path)", page.absoluteString]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try? FileManager.default.removeItem(at: png)
        try p.run()
        // Chromium exits once the screenshot is written; the page has no scripts and no
        // fetches. The watchdog is no speed check (a screenshot takes a few seconds): it only
        // turns a hung browser, an external program, into a failure instead of a hung suite.
        let watchdog = DispatchWorkItem { if p.isRunning { p.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 600, execute: watchdog)
        p.waitUntilExit()
        watchdog.cancel()
        if p.terminationReason == .uncaughtSignal {
            throw PNGImage.Failure(description: "chromium hung (killed after 600 s) or crashed (signal \(p.terminationStatus))")
        }
    }

    /// What is wrong with a screenshot of a report (1200 pixels wide), chart by chart: each
    /// chart's panel must be on screen, at least 900 × 100 pixels, and hold its data marks (at
    /// least 2,000 pixels of its ink: busy cycles, histogram bars, used resources); the stage
    /// charts must show at least two bubble causes' colors. Empty when every chart is there.
    static func chartProblems(_ image: PNGImage) -> [String] {
        func rgb(_ hex: String) -> UInt32 { UInt32(hex.dropFirst(), radix: 16)! }
        var problems: [String] = []
        if image.width != 1200 { problems.append("the screenshot is \(image.width) pixels wide, not 1200") }
        for chart in HTMLRenderer.Chart.allCases {
            guard let box = image.boundingBox(of: rgb(chart.panel)) else {
                problems.append("\(chart): no panel (\(chart.panel)) on the screenshot")
                continue
            }
            if box.width < 900 || box.height < 100 { problems.append("\(chart): panel \(box) is smaller than 900 × 100") }
            let ink = image.count(rgb(chart.ink), in: box)
            if ink < 2_000 { problems.append("\(chart): \(ink) pixels of \(chart.ink) in \(box), fewer than 2,000") }
            if chart == .utilization || chart == .timeline {
                let causes = BubbleCause.allCases.filter { image.count(rgb(HTMLRenderer.color($0)), in: box) >= 50 }
                if causes.count < 2 { problems.append("\(chart): bubble colors seen: \(causes), fewer than 2") }
            }
        }
        return problems
    }
}

@Suite struct HTMLReportTests {
    /// One small run of the default design, rendered as HTML with its timeline.
    func renderReport(to path: String) throws -> CommandResult {
        try bertsim(["simulate", "traces/sst2-batch32.trace", "--config", "hw-configs/default.yaml", "--kernel", "native",
                     "--limit", "40", "--format", "json", "--html", path])
    }

    @Test func theReportIsOneSelfContainedDeterministicFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.html").path
        let b = dir.appendingPathComponent("b.html").path
        let first = try renderReport(to: a)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try renderReport(to: b)
        #expect(second.status == 0, "\(second.stderr)")
        let html = try String(contentsOfFile: a, encoding: .utf8)
        #expect(html == (try String(contentsOfFile: b, encoding: .utf8)))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<script"))
        #expect(!html.contains("<link"))
        #expect(!html.contains("<img"))
        // The only URL is the SVG namespace, which is a name, not a fetch.
        let urls = html.components(separatedBy: "http").count - 1
        #expect(urls == html.components(separatedBy: "http://www.w3.org/2000/svg").count - 1)
        for chart in HTMLRenderer.Chart.allCases {
            #expect(html.contains("<svg id=\"chart-\(chart.rawValue)\""), "\(chart)")
        }
        // The timeline is there (--html records intervals), and the report on stdout has it too.
        #expect(!html.contains("No timeline"))
        let report = try JSONRenderer.decode(first.stdout)
        let timeline = try #require(report.timeline)
        #expect(timeline.stages.map(\.name) == report.stages.map(\.name))
        // Every stage has a bar in the utilization chart, titled with its busy share.
        for stage in report.stages where stage.busyCycles > 0 {
            let share = String(format: "%.1f%%", stage.utilization * 100)
            #expect(html.contains("<title>\(stage.name): busy \(share) (\(TextRenderer.group(stage.busyCycles)) cycles)</title>"),
                    "\(stage.name)")
        }
        // Leftover temporary files would mean the write was not a rename.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    /// Text from the report (here a config path full of markup) is escaped everywhere.
    @Test func textIsEscaped() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("<b>&\"x'.yaml").path
        try FileManager.default.copyItem(atPath: Paths.repo("hw-configs/default.yaml"), toPath: config)
        let html = dir.appendingPathComponent("r.html").path
        let r = try bertsim(["simulate", Paths.fixture("small.trace"), "--config", config, "--kernel", "native", "--limit", "1",
                             "--html", html])
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: html, encoding: .utf8)
        #expect(!text.contains("<b>"))
        #expect(text.contains("&lt;b&gt;&amp;&quot;x&#39;.yaml"))
        #expect(HTMLRenderer.escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;")
    }

    /// A page that cannot be written is an output error (exit 3), not bad input.
    @Test func anUnwritableHTMLPathIsAnOutputError() throws {
        let r = try bertsim(["simulate", Paths.fixture("small.trace"), "--config", "hw-configs/default.yaml", "--kernel", "native",
                             "--limit", "1", "--html", "/no/such/dir/r.html"])
        #expect(r.status == 3)
        #expect(r.stderr.contains("/no/such/dir/r.html: cannot write: the directory /no/such/dir does not exist"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    /// Chromium renders the page; each chart's panel is on screen, at least 900 pixels wide,
    /// and holds its data marks: busy and bubble colors in the stage charts, histogram bars,
    /// used-resource bars (``Chromium/chartProblems(_:)``). The screenshot is kept in the
    /// artifacts directory. `make test` requires Chromium (scripts/setup.sh installs it).
    @Test(.enabled(if: Chromium.path != nil || Chromium.required,
                   "headless Chromium not found: apt-get install chromium (or set CHROMIUM); make test and make check-html require it"))
    func chromiumRendersTheCharts() throws {
        _ = try #require(Chromium.path, "BERTSIM_REQUIRE_CHROMIUM=1 but no chromium on PATH")
        let html = Chromium.artifacts.appendingPathComponent("html-report.html")
        let png = Chromium.artifacts.appendingPathComponent("html-report.png")
        let r = try renderReport(to: html.path)
        #expect(r.status == 0, "\(r.stderr)")
        try Chromium.screenshot(html, to: png, width: 1200, height: 2400)
        let problems = Chromium.chartProblems(try PNGImage(data: Data(contentsOf: png)))
        #expect(problems.isEmpty, "\(png.path): \(problems)")
    }

    /// The check above fails on a page that renders blank, and on the report with its charts'
    /// data marks painted out (the panels drawn, the bars in the page color): it looks at the
    /// charts' pixels, not at the page's existence.
    @Test(.enabled(if: Chromium.path != nil || Chromium.required,
                   "headless Chromium not found: apt-get install chromium (or set CHROMIUM); make test and make check-html require it"))
    func aPageWithoutItsChartsFailsTheCheck() throws {
        _ = try #require(Chromium.path, "BERTSIM_REQUIRE_CHROMIUM=1 but no chromium on PATH")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("html-blank-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let blank = dir.appendingPathComponent("blank.html")
        try Data("<!DOCTYPE html>\n<html><body></body></html>\n".utf8).write(to: blank)
        try Chromium.screenshot(blank, to: dir.appendingPathComponent("blank.png"), width: 1200, height: 2400)
        let blankProblems = Chromium.chartProblems(try PNGImage(data: Data(contentsOf: dir.appendingPathComponent("blank.png"))))
        #expect(blankProblems.count == HTMLRenderer.Chart.allCases.count, "\(blankProblems)")

        let report = dir.appendingPathComponent("report.html")
        let r = try renderReport(to: report.path)
        #expect(r.status == 0, "\(r.stderr)")
        var page = try String(contentsOf: report, encoding: .utf8)
        for chart in HTMLRenderer.Chart.allCases { page = page.replacingOccurrences(of: chart.ink, with: "#ffffff") }
        let painted = dir.appendingPathComponent("painted.html")
        try Data(page.utf8).write(to: painted)
        try Chromium.screenshot(painted, to: dir.appendingPathComponent("painted.png"), width: 1200, height: 2400)
        let paintedProblems = Chromium.chartProblems(try PNGImage(data: Data(contentsOf: dir.appendingPathComponent("painted.png"))))
        for chart in HTMLRenderer.Chart.allCases {
            #expect(paintedProblems.contains { $0.hasPrefix("\(chart): ") && $0.contains("fewer than 2,000") }, "\(chart): \(paintedProblems)")
        }
    }

}

@Suite struct CSVReportTests {
    @Test func oneFilePerCategoryMatchingTheJSONReport() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString)/out").path
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: dir).deletingLastPathComponent().path) }
        let r = try bertsim(["simulate", "traces/sst2.trace", "--config", "hw-configs/default.yaml", "--kernel", "native",
                             "--limit", "3", "--format", "json", "--csv", dir])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONRenderer.decode(r.stdout)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == CSVRenderer.files.sorted())
        func rows(_ name: String) throws -> [[String]] {
            try String(contentsOfFile: "\(dir)/\(name)", encoding: .utf8).split(separator: "\n").map {
                $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            }
        }
        let totals = try rows("totals.csv")
        #expect(totals.count == 2)
        let t = Dictionary(uniqueKeysWithValues: zip(totals[0], totals[1]))
        #expect(t["config"] == "hw-configs/default.yaml")
        #expect(t["cycles"] == String(report.totals.cycles))
        #expect(t["requests"] == "3")
        #expect(Double(t["latency_p99_ms"] ?? "") == report.latency.p99Ms)
        #expect(Double(t["energy_mj"] ?? "") == report.totals.energyMj)
        let stages = try rows("stages.csv")
        #expect(stages[0] == ["config", "stage", "busy_cycles", "bubble_cycles", "elapsed_cycles", "utilization", "lane_utilization"])
        #expect(stages.dropFirst().map { $0[1] } == report.stages.map(\.name))
        for row in stages.dropFirst() { #expect(Int(row[2])! + Int(row[3])! == Int(row[4])!, "\(row)") }
        let bubbles = try rows("bubbles.csv")
        #expect(bubbles.count == 1 + BubbleCause.allCases.count * report.stages.count)
        let pe = bubbles.filter { $0[1] == "pe_array" }
        #expect(pe.map { $0[2] } == BubbleCause.allCases.map(\.rawValue))
        #expect(pe.map { Int($0[3])! } == BubbleCause.allCases.map { report.stages[0].bubbles[$0] })
        let memory = try rows("memory.csv")
        #expect(memory.contains { $0[2] == "class" && $0[3] == "weights" && Int($0[4]) == report.memory?.bytesByClass["weights"] })
        #expect(memory.contains { $0[2] == "channel" && $0[3] == "channel0" })
        let resources = try rows("resources.csv")
        let total = try #require(resources.first { $0[3] == "total" })
        let available = try #require(resources.first { $0[3] == "available" })
        #expect(Int(total[4]) == report.resources?.dsp.used)
        #expect(Int(available[4]) == 2_520)
        #expect(resources.count == 1 + (report.resources?.byUnit.count ?? 0) + 2)
    }

    @Test func fieldsAreQuoted() {
        #expect(CSVRenderer.field("plain") == "plain")
        #expect(CSVRenderer.field("a,b") == "\"a,b\"")
        #expect(CSVRenderer.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVRenderer.number(3) == "3")
        #expect(CSVRenderer.number(0.25) == "0.25")
        #expect(CSVRenderer.number(nil) == "")
    }

    /// Without a board or a memory model (the walking-skeleton pipeline), those files hold
    /// their header only.
    @Test func sectionsWithoutDataHaveTheirHeaderOnly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try bertsim(["simulate", Paths.fixture("small.trace"), "--config", Paths.fixture("pipeline.yaml"), "--kernel", "native",
                             "--csv", dir])
        #expect(r.status == 0, "\(r.stderr)")
        for name in ["memory.csv", "resources.csv"] {
            let text = try String(contentsOfFile: "\(dir)/\(name)", encoding: .utf8)
            #expect(text.split(separator: "\n").count == 1, "\(name): \(text)")
        }
        let totals = try String(contentsOfFile: "\(dir)/totals.csv", encoding: .utf8)
        #expect(totals.hasSuffix(",,,,\n"), "no energy or power: \(totals)")
    }

    @Test func aFileWhereTheDirectoryShouldBeIsAnOutputError() throws {
        let r = try bertsim(["simulate", Paths.fixture("small.trace"), "--config", Paths.fixture("pipeline.yaml"), "--kernel", "native",
                             "--csv", Paths.fixture("small.trace")])
        #expect(r.status == 3)
        #expect(r.stderr.contains("small.trace: cannot write: is a file, not a directory"), "\(r.stderr)")
    }
}

/// A decoded PNG (8-bit RGB or RGBA, not interlaced: what Chromium's screenshots are), as
/// `0xRRGGBB` per pixel, row by row.
struct PNGImage {
    struct Box: CustomStringConvertible {
        var minX: Int, minY: Int, maxX: Int, maxY: Int
        var width: Int { maxX - minX + 1 }
        var height: Int { maxY - minY + 1 }
        var description: String { "\(width)×\(height) at (\(minX), \(minY))" }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    var width = 0
    var height = 0
    var pixels: [UInt32] = []

    init(data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw Failure(description: "not a PNG") }
        var i = 8
        var compressed: [UInt8] = []
        var (depth, colorType, interlace) = (0, 0, 0)
        chunks: while i + 12 <= bytes.count {
            let length = bytes[i..<i + 4].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: bytes[i + 4..<i + 8], as: UTF8.self)
            let body = bytes[i + 8..<i + 8 + length]
            switch type {
            case "IHDR":
                let b = Array(body)
                width = b[0..<4].reduce(0) { $0 << 8 | Int($1) }
                height = b[4..<8].reduce(0) { $0 << 8 | Int($1) }
                (depth, colorType, interlace) = (Int(b[8]), Int(b[9]), Int(b[12]))
            case "IDAT": compressed += body
            case "IEND": break chunks
            default: break
            }
            i += 12 + length
        }
        guard depth == 8, colorType == 2 || colorType == 6, interlace == 0 else {
            throw Failure(description: "unsupported PNG: depth \(depth), color type \(colorType), interlace \(interlace)")
        }
        let raw = try Inflate.zlib(compressed)
        let channels = colorType == 6 ? 4 : 3
        let stride = width * channels
        guard raw.count >= height * (stride + 1) else { throw Failure(description: "PNG data too short") }
        var previous = [UInt8](repeating: 0, count: stride)
        var current = [UInt8](repeating: 0, count: stride)
        pixels.reserveCapacity(width * height)
        for y in 0..<height {
            let base = y * (stride + 1)
            let filter = raw[base]
            for x in 0..<stride {
                let v = raw[base + 1 + x]
                let a = x >= channels ? current[x - channels] : 0
                let b = previous[x]
                let c = x >= channels ? previous[x - channels] : 0
                switch filter {
                case 0: current[x] = v
                case 1: current[x] = v &+ a
                case 2: current[x] = v &+ b
                case 3: current[x] = v &+ UInt8((Int(a) + Int(b)) / 2)
                case 4:
                    let p = Int(a) + Int(b) - Int(c)
                    let (pa, pb, pc) = (abs(p - Int(a)), abs(p - Int(b)), abs(p - Int(c)))
                    current[x] = v &+ (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)
                default: throw Failure(description: "bad PNG filter \(filter) on row \(y)")
                }
            }
            for x in 0..<width {
                let o = x * channels
                pixels.append(UInt32(current[o]) << 16 | UInt32(current[o + 1]) << 8 | UInt32(current[o + 2]))
            }
            swap(&previous, &current)
        }
    }

    /// The smallest box holding every pixel of `color`, if any has it.
    func boundingBox(of color: UInt32) -> Box? {
        var box: Box?
        for y in 0..<height {
            for x in 0..<width where pixels[y * width + x] == color {
                if box == nil { box = Box(minX: x, minY: y, maxX: x, maxY: y) }
                box!.minX = min(box!.minX, x)
                box!.maxX = max(box!.maxX, x)
                box!.maxY = y
            }
        }
        return box
    }

    func count(_ color: UInt32, in box: Box) -> Int {
        var n = 0
        for y in box.minY...box.maxY {
            for x in box.minX...box.maxX where pixels[y * width + x] == color { n += 1 }
        }
        return n
    }
}

/// DEFLATE (RFC 1951) inside a zlib stream (RFC 1950), after zlib's `puff.c`: enough to read
/// PNG screenshots without linking zlib.
enum Inflate {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func zlib(_ data: [UInt8]) throws -> [UInt8] {
        guard data.count > 2, data[0] & 0x0F == 8 else { throw Failure(description: "not a zlib stream") }
        return try inflate(Array(data[2...]))
    }

    /// Bits least significant first, as DEFLATE packs them.
    struct Bits {
        let bytes: [UInt8]
        var position = 0

        mutating func read(_ count: Int) throws -> Int {
            var value = 0
            for k in 0..<count {
                let byte = position >> 3
                guard byte < bytes.count else { throw Failure(description: "deflate stream ends early") }
                value |= Int((bytes[byte] >> UInt8(position & 7)) & 1) << k
                position += 1
            }
            return value
        }

        mutating func alignToByte() { position = (position + 7) & ~7 }
    }

    /// A canonical Huffman code: how many codes of each length, and the symbols in code order.
    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []

        init(lengths: [Int]) {
            for l in lengths { counts[l] += 1 }
            counts[0] = 0
            var offsets = [Int](repeating: 0, count: 16)
            for l in 1..<15 { offsets[l + 1] = offsets[l] + counts[l] }
            symbols = [Int](repeating: 0, count: lengths.count)
            for (symbol, l) in lengths.enumerated() where l != 0 {
                symbols[offsets[l]] = symbol
                offsets[l] += 1
            }
        }

        func decode(_ bits: inout Bits) throws -> Int {
            var (code, first, index) = (0, 0, 0)
            for length in 1..<16 {
                code |= try bits.read(1)
                let count = counts[length]
                if code - count < first { return symbols[index + (code - first)] }
                index += count
                first = (first + count) << 1
                code <<= 1
            }
            throw Failure(description: "bad Huffman code")
        }
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                               4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    static func inflate(_ input: [UInt8]) throws -> [UInt8] {
        var bits = Bits(bytes: input)
        var out: [UInt8] = []
        var last = 0
        while last == 0 {
            last = try bits.read(1)
            switch try bits.read(2) {
            case 0:
                bits.alignToByte()
                let length = try bits.read(16)
                _ = try bits.read(16)
                let start = bits.position >> 3
                guard start + length <= input.count else { throw Failure(description: "stored block too long") }
                out += input[start..<start + length]
                bits.position += length * 8
            case 1:
                let literals = Huffman(lengths: [Int](repeating: 8, count: 144) + [Int](repeating: 9, count: 112)
                    + [Int](repeating: 7, count: 24) + [Int](repeating: 8, count: 8))
                try codes(&bits, &out, literals, Huffman(lengths: [Int](repeating: 5, count: 30)))
            case 2:
                let (literals, distances) = try dynamicTables(&bits)
                try codes(&bits, &out, literals, distances)
            default:
                throw Failure(description: "bad deflate block type")
            }
        }
        return out
    }

    static func dynamicTables(_ bits: inout Bits) throws -> (Huffman, Huffman) {
        let literalCount = try bits.read(5) + 257
        let distanceCount = try bits.read(5) + 1
        let codeCount = try bits.read(4) + 4
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        var codeLengths = [Int](repeating: 0, count: 19)
        for k in 0..<codeCount { codeLengths[order[k]] = try bits.read(3) }
        let lengthCode = Huffman(lengths: codeLengths)
        var lengths: [Int] = []
        while lengths.count < literalCount + distanceCount {
            let symbol = try lengthCode.decode(&bits)
            switch symbol {
            case 0..<16: lengths.append(symbol)
            case 16:
                guard let previous = lengths.last else { throw Failure(description: "repeat with no previous length") }
                lengths += [Int](repeating: previous, count: 3 + (try bits.read(2)))
            case 17: lengths += [Int](repeating: 0, count: 3 + (try bits.read(3)))
            default: lengths += [Int](repeating: 0, count: 11 + (try bits.read(7)))
            }
        }
        return (Huffman(lengths: Array(lengths[0..<literalCount])),
                Huffman(lengths: Array(lengths[literalCount..<literalCount + distanceCount])))
    }

    static func codes(_ bits: inout Bits, _ out: inout [UInt8], _ literals: Huffman, _ distances: Huffman) throws {
        while true {
            let symbol = try literals.decode(&bits)
            if symbol < 256 {
                out.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let s = symbol - 257
                guard s < lengthBase.count else { throw Failure(description: "bad length symbol") }
                let length = lengthBase[s] + (try bits.read(lengthExtra[s]))
                let d = try distances.decode(&bits)
                guard d < distanceBase.count else { throw Failure(description: "bad distance symbol") }
                let distance = distanceBase[d] + (try bits.read(distanceExtra[d]))
                guard distance <= out.count else { throw Failure(description: "distance too far back") }
                let start = out.count - distance
                for k in 0..<length { out.append(out[start + k]) }
            }
        }
    }
}
