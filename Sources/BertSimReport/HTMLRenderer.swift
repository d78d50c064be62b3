import BertSimCore
import BertSimModels
import Foundation

/// Renders a report as one self-contained HTML page: inline CSS and inline SVG charts drawn
/// here (no scripts, no fonts or images to fetch), so it opens offline in any browser.
///
/// Charts: each stage's utilization and bubble causes as stacked bars; the request latency
/// distribution with its percentiles; the timeline overview (each stage's activity in equal
/// bins, when the run recorded intervals); resources used against the board's budget. Tables
/// give the numbers behind them. The bytes depend only on the report (no dates), and every
/// text from the report is escaped.
public enum HTMLRenderer {
    /// The page's charts. Each is painted on its own panel color, slightly different from the
    /// others, so a screenshot test can find every chart's area (the colors look alike).
    public enum Chart: String, CaseIterable, Sendable {
        case utilization, latency, timeline, resources

        /// The panel (background) color, `#rrggbb`.
        public var panel: String {
            switch self {
            case .utilization: "#f7fafc"
            case .latency: "#f7f9fc"
            case .timeline: "#f7fafb"
            case .resources: "#f6fafc"
            }
        }

        /// The color of the chart's data marks (bars), `#rrggbb`: busy cycles in the stage
        /// charts, requests in the histogram, used resources.
        public var ink: String {
            switch self {
            case .utilization, .timeline: HTMLRenderer.busyColor
            case .latency: "#4c51bf"
            case .resources: "#2c7a7b"
            }
        }

        var title: String {
            switch self {
            case .utilization: "Stage utilization and bubbles"
            case .latency: "Request latency"
            case .timeline: "Timeline"
            case .resources: "Resources"
            }
        }
    }

    /// Busy cycles, in every stage chart.
    public static let busyColor = "#2b6cb0"

    /// Each bubble cause's color, in every stage chart.
    public static func color(_ cause: BubbleCause) -> String {
        switch cause {
        case .starved: "#ed8936"
        case .blocked: "#e53e3e"
        case .memory: "#805ad5"
        case .dependency: "#a0aec0"
        case .padding: "#d69e2e"
        case .imbalance: "#38a169"
        case .control: "#319795"
        }
    }

    static let chartWidth = 960.0
    static let trackColor = "#e2e8f0"
    static let markerColor = "#c53030"
    static let mutedText = "#4a5568"

    public static func render(_ r: RunReport) -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>bertsim · \(escape(r.designName)) · \(escape(r.workload.path))</title>
            <style>
            \(css)
            </style>
            </head>
            <body>
            <main>

            """
        out += "<h1>bertsim report · \(escape(r.designName))</h1>\n"
        if case let description = r.config.resolved.summary, !description.isEmpty {
            out += "<p class=\"lead\">\(escape(description))</p>\n"
        }
        out += section("summary", "Summary", summary(r))
        out += section(Chart.utilization.rawValue, Chart.utilization.title,
                       "<p class=\"caption\">Each stage's elapsed cycles: busy, or a bubble with its cause (share of the run).</p>\n"
                       + legend() + utilizationChart(r))
        out += section(Chart.latency.rawValue, Chart.latency.title,
                       "<p class=\"caption\">Requests per latency bin (arrival to completion), with the p50, p90 and p99 latencies.</p>\n"
                       + latencyChart(r))
        out += section(Chart.timeline.rawValue, Chart.timeline.title, timelineSection(r))
        out += section(Chart.resources.rawValue, Chart.resources.title, resourcesSection(r))
        if let both = r.schedulers, both.count > 1 { out += section("schedulers", "Schedulers side by side", schedulerTable(both)) }
        out += section("stages", "Stages", stageTable(r))
        if let memory = r.memory { out += section("memory", "Memory", memoryTable(memory, cycles: r.totals.cycles)) }
        if let power = r.power { out += section("power", "Power", powerTable(power)) }
        if !r.notes.isEmpty {
            out += section("notes", "Notes", "<ul>\n" + r.notes.map { "<li>\(escape($0))</li>\n" }.joined() + "</ul>\n")
        }
        out += section("statistics", "Statistics", statisticsTable(r))
        out += "</main>\n</body>\n</html>\n"
        return out
    }

    /// Writes the page to `path` atomically.
    public static func write(_ r: RunReport, to path: String) throws(OutputError) {
        try AtomicFile.write(render(r), to: path)
    }

    /// `&`, `<`, `>`, `"` and `'` as character references: safe in text and in attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    // MARK: Sections

    static func section(_ id: String, _ title: String, _ body: String) -> String {
        "<section id=\"section-\(id)\">\n<h2>\(escape(title))</h2>\n\(body)</section>\n"
    }

    static func summary(_ r: RunReport) -> String {
        let t = r.totals
        let l = r.latency
        var rows: [(String, String)] = [
            ("config", "\(r.config.path) (hash \(r.config.hash))"),
            ("workload", "\(r.workload.path): \(TextRenderer.group(r.workload.requests)) requests, "
                + "\(TextRenderer.group(r.workload.tokens)) tokens, model \(r.workload.model.name), "
                + (r.workload.batch.map { "closed batches of \($0)" } ?? "open arrivals")),
            ("simulator", "\(r.simulator.name) \(r.simulator.version), \(r.simulator.kernel.rawValue) kernel"),
        ] + (r.scheduler.map { [("scheduler", TextRenderer.schedulerLine($0))] } ?? []) + [
            ("cycles", "\(TextRenderer.group(t.cycles)) (first arrival to last completion, \(TextRenderer.fixed(t.clockMhz, 1)) MHz)"),
            ("latency", "\(TextRenderer.fixed(t.latencyMs, 3)) ms"),
            ("throughput", "\(TextRenderer.fixed(t.throughputPerS, 1)) requests/s"),
            ("request latency", "mean \(TextRenderer.fixed(l.meanMs, 3)) · p50 \(TextRenderer.fixed(l.p50Ms, 3)) · "
                + "p90 \(TextRenderer.fixed(l.p90Ms, 3)) · p99 \(TextRenderer.fixed(l.p99Ms, 3)) · max \(TextRenderer.fixed(l.maxMs, 3)) ms"),
        ]
        if let p = r.power {
            rows.append(("power", "\(TextRenderer.fixed(p.averageW, 2)) W average (\(TextRenderer.fixed(p.watts.dynamic, 2)) W the units' dynamic power)"))
            rows.append(("energy", "\(TextRenderer.fixed(t.energyMj ?? 0, 2)) mJ in all, \(TextRenderer.fixed(p.energyPerInferenceMJ, 2)) mJ per inference, "
                + "\(TextRenderer.fixed(p.inferencesPerSPerW, 1)) inferences/s/W"))
        }
        if let res = r.resources { rows.append(("board", "\(res.board) (\(res.device))")) }
        if let sa = r.sparseAttention {
            rows.append(("sparse attention", "attention \(TextRenderer.fixed(sa.attentionSpeedupVsDense, 2))× faster than dense, "
                + "\(TextRenderer.fixed(sa.endToEndSpeedupVsDense, 2))× end to end; attention mass kept \(TextRenderer.fixed(sa.massKept.mean, 3)) mean, "
                + "\(TextRenderer.fixed(sa.massKept.minimum, 3)) worst"))
        }
        return "<table class=\"kv\">\n" + rows.map { "<tr><th>\(escape($0.0))</th><td>\(escape($0.1))</td></tr>\n" }.joined() + "</table>\n"
    }

    static func legend() -> String {
        let items = [("busy", busyColor)] + BubbleCause.allCases.map { ($0.rawValue, color($0)) }
        return "<p class=\"legend\">" + items.map { name, color in
            "<span><i style=\"background:\(color)\"></i>\(escape(name))</span>"
        }.joined(separator: " ") + "</p>\n"
    }

    /// One stacked bar per stage: busy, then each bubble cause, as shares of elapsed cycles.
    static func utilizationChart(_ r: RunReport) -> String {
        let (left, barWidth, rowHeight, top) = (150.0, 680.0, 22.0, 10.0)
        var svg = SVGCanvas(width: chartWidth, height: top * 2 + rowHeight * Double(max(1, r.stages.count)), background: Chart.utilization.panel)
        if r.stages.isEmpty { svg.text("no stages", x: left, y: top + 15, fill: mutedText) }
        for (i, s) in r.stages.enumerated() {
            let y = top + Double(i) * rowHeight
            svg.text(s.name, x: left - 8, y: y + 15, anchor: "end")
            svg.rect(x: left, y: y + 3, width: barWidth, height: rowHeight - 6, fill: trackColor)
            let elapsed = Double(max(1, s.elapsedCycles))
            var x = left
            let segments = [("busy", s.busyCycles, busyColor)] + BubbleCause.allCases.map { ($0.rawValue, s.bubbles[$0], color($0)) }
            for (name, cycles, fill) in segments where cycles > 0 {
                let w = Double(cycles) / elapsed * barWidth
                svg.rect(x: x, y: y + 3, width: w, height: rowHeight - 6, fill: fill,
                         title: "\(s.name): \(name) \(TextRenderer.percent(Double(cycles) / elapsed)) (\(TextRenderer.group(cycles)) cycles)")
                x += w
            }
            svg.text("\(TextRenderer.percent(s.utilization)) busy", x: left + barWidth + 8, y: y + 15, fill: mutedText)
        }
        return svg.render(id: "chart-\(Chart.utilization.rawValue)", label: "Per-stage utilization and bubble causes as stacked bars")
    }

    /// The latency histogram (20 equal bins up to the maximum) with p50, p90 and p99 markers.
    static func latencyChart(_ r: RunReport) -> String {
        let (left, right, top, bottom) = (70.0, chartWidth - 30, 24.0, 210.0)
        var svg = SVGCanvas(width: chartWidth, height: 250, background: Chart.latency.panel)
        let bins = r.latency.histogram
        guard let maxMs = bins.last?.upperMs, maxMs > 0, let tallest = bins.map(\.requests).max(), tallest > 0 else {
            svg.text("no completed requests", x: left, y: top + 20, fill: mutedText)
            return svg.render(id: "chart-\(Chart.latency.rawValue)", label: "Request latency distribution (empty)")
        }
        let plotWidth = right - left
        let plotHeight = bottom - top
        let binWidth = plotWidth / Double(bins.count)
        var lower = 0.0
        for (i, bin) in bins.enumerated() {
            let h = Double(bin.requests) / Double(tallest) * plotHeight
            if bin.requests > 0 {
                svg.rect(x: left + Double(i) * binWidth + 1, y: bottom - h, width: binWidth - 2, height: h, fill: Chart.latency.ink,
                         title: "\(axis(lower))–\(axis(bin.upperMs)) ms: \(TextRenderer.group(bin.requests)) requests")
            }
            lower = bin.upperMs
        }
        svg.line(x1: left, y1: bottom, x2: right, y2: bottom, stroke: mutedText)
        svg.line(x1: left, y1: top, x2: left, y2: bottom, stroke: mutedText)
        for k in 0...4 {
            let x = left + plotWidth * Double(k) / 4
            svg.line(x1: x, y1: bottom, x2: x, y2: bottom + 4, stroke: mutedText)
            svg.text(axis(maxMs * Double(k) / 4), x: x, y: bottom + 18, anchor: "middle", fill: mutedText, size: 11)
        }
        svg.text("ms", x: right, y: bottom + 34, anchor: "end", fill: mutedText, size: 11)
        svg.text(TextRenderer.group(tallest), x: left - 6, y: top + 4, anchor: "end", fill: mutedText, size: 11)
        svg.text("0", x: left - 6, y: bottom, anchor: "end", fill: mutedText, size: 11)
        svg.text("requests", x: left - 6, y: top - 10, anchor: "end", fill: mutedText, size: 11)
        let l = r.latency
        let percentiles = [("p50", l.p50Ms), ("p90", l.p90Ms), ("p99", l.p99Ms)]
        svg.text("dashed: " + percentiles.map { "\($0.0) \(TextRenderer.fixed($0.1, 3)) ms" }.joined(separator: " · "),
                 x: right, y: top - 10, anchor: "end", fill: markerColor, size: 11)
        for (i, (name, value)) in percentiles.enumerated() {
            let x = left + min(1, value / maxMs) * plotWidth
            svg.line(x1: x, y1: top, x2: x, y2: bottom, stroke: markerColor, width: 1.5, dash: "4 3")
            let y = top + 12 + Double(i) * 13
            if x > left + plotWidth / 2 {
                svg.text(name, x: x - 3, y: y, anchor: "end", fill: markerColor, size: 10, halo: true)
            } else {
                svg.text(name, x: x + 3, y: y, anchor: "start", fill: markerColor, size: 10, halo: true)
            }
        }
        return svg.render(id: "chart-\(Chart.latency.rawValue)", label: "Request latency distribution with p50, p90 and p99")
    }

    static func timelineSection(_ r: RunReport) -> String {
        guard let t = r.timeline, let first = t.stages.first, !first.busy.isEmpty else {
            return "<p class=\"caption\">No timeline: the run did not record intervals (<code>simulate --html</code> records them).</p>\n"
        }
        let spanMs = Double(first.busy.count * t.binCycles) / (r.totals.clockMhz * 1000)
        return "<p class=\"caption\">Each stage over the run in \(first.busy.count) bins of \(TextRenderer.group(t.binCycles)) cycles: "
            + "the height of each color is its share of the bin.</p>\n" + legend() + timelineChart(t, spanMs: spanMs)
    }

    /// Per stage a strip of bins; each bin stacks busy and the bubble causes by their share.
    static func timelineChart(_ t: TimelineOverview, spanMs: Double) -> String {
        let (left, plotWidth, rowHeight, gap, top) = (150.0, 780.0, 18.0, 4.0, 10.0)
        let height = top + Double(t.stages.count) * (rowHeight + gap) + 36
        var svg = SVGCanvas(width: chartWidth, height: height, background: Chart.timeline.panel)
        let bins = t.stages.first?.busy.count ?? 0
        let binWidth = plotWidth / Double(max(1, bins))
        for (i, stage) in t.stages.enumerated() {
            let y = top + Double(i) * (rowHeight + gap)
            let bottom = y + rowHeight
            svg.text(stage.name, x: left - 8, y: y + 13, anchor: "end", size: 11)
            svg.rect(x: left, y: y, width: plotWidth, height: rowHeight, fill: trackColor)
            let layers = [(busyColor, stage.busy)]
                + BubbleCause.allCases.compactMap { cause in stage.bubbles[cause.rawValue].map { (color(cause), $0) } }
            for b in 0..<min(bins, stage.busy.count) {
                var stacked = 0.0
                for (fill, shares) in layers where b < shares.count {
                    let share = min(shares[b], 1 - stacked)
                    guard share > 0 else { continue }
                    stacked += share
                    svg.rect(x: left + Double(b) * binWidth, y: bottom - stacked * rowHeight,
                             width: binWidth, height: share * rowHeight, fill: fill)
                }
            }
        }
        let axisY = top + Double(t.stages.count) * (rowHeight + gap) + 2
        svg.line(x1: left, y1: axisY, x2: left + plotWidth, y2: axisY, stroke: mutedText)
        for k in 0...4 {
            let x = left + plotWidth * Double(k) / 4
            svg.line(x1: x, y1: axisY, x2: x, y2: axisY + 4, stroke: mutedText)
            svg.text(axis(spanMs * Double(k) / 4), x: x, y: axisY + 18, anchor: "middle", fill: mutedText, size: 11)
        }
        svg.text("ms from the first arrival", x: left + plotWidth, y: axisY + 32, anchor: "end", fill: mutedText, size: 11)
        return svg.render(id: "chart-\(Chart.timeline.rawValue)", label: "Timeline overview: each stage's activity over the run")
    }

    static func resourcesSection(_ r: RunReport) -> String {
        guard let res = r.resources else {
            return "<p class=\"caption\">No board in the config: resources are not compared with a budget.</p>\n"
        }
        let (left, barWidth, rowHeight, top) = (150.0, 560.0, 26.0, 10.0)
        let rows = res.rows
        var svg = SVGCanvas(width: chartWidth, height: top * 2 + rowHeight * Double(rows.count), background: Chart.resources.panel)
        for (i, (name, usage)) in rows.enumerated() {
            let y = top + Double(i) * rowHeight
            svg.text(name, x: left - 8, y: y + 17, anchor: "end")
            svg.rect(x: left, y: y + 4, width: barWidth, height: rowHeight - 8, fill: trackColor,
                     title: "\(name): \(TextRenderer.group(usage.available)) available")
            let share = usage.available > 0 ? Double(usage.used) / Double(usage.available) : 0
            if usage.used > 0 && usage.available > 0 {
                svg.rect(x: left, y: y + 4, width: min(1, share) * barWidth, height: rowHeight - 8, fill: Chart.resources.ink,
                         title: "\(name): \(TextRenderer.group(usage.used)) used")
            }
            let label = "\(TextRenderer.group(usage.used)) / \(TextRenderer.group(usage.available))"
                + (usage.available > 0 ? " (\(TextRenderer.percent(share)))" : " (none on this device)")
            svg.text(label, x: left + barWidth + 8, y: y + 17, fill: mutedText)
        }
        return "<p class=\"caption\">Used against the \(escape(res.board)) (\(escape(res.device))) budget; estimates per docs/resources.md.</p>\n"
            + svg.render(id: "chart-\(Chart.resources.rawValue)", label: "Resources used and available on the board")
            + table(["unit", "DSP", "BRAM18K", "URAM", "LUT", "FF"],
                    res.byUnit.map { p in [p.unit] + [p.dsp, p.bram18k, p.uram, p.lut, p.ff].map(TextRenderer.group) },
                    numeric: 1...5)
    }

    /// `--scheduler both`: each scheduler's headline numbers and the array's busy and bubble shares.
    static func schedulerTable(_ rows: [RunReport.SchedulerSummary]) -> String {
        let header = ["scheduler", "cycles", "latency ms", "requests/s", "p99 ms", "busy"] + BubbleCause.allCases.map(\.rawValue)
        let body = rows.map { x in
            [x.scheduler.rawValue, TextRenderer.group(x.cycles), TextRenderer.fixed(x.latencyMs, 3), TextRenderer.fixed(x.throughputPerS, 1),
             TextRenderer.fixed(x.p99Ms, 3), TextRenderer.percent(x.busyShare)]
                + BubbleCause.allCases.map { TextRenderer.percent(x.bubbleShares[$0.rawValue] ?? 0) }
        }
        return "<p class=\"caption\">Shares of the array stages' elapsed cycles (docs/length-aware.md §4).</p>\n"
            + table(header, body, numeric: 1...(header.count - 1))
    }

    static func stageTable(_ r: RunReport) -> String {
        let header = ["stage", "busy", "util"] + BubbleCause.allCases.map(\.rawValue) + ["elapsed", "lanes"]
        let rows = r.stages.map { s in
            [s.name, TextRenderer.group(s.busyCycles), TextRenderer.percent(s.utilization)]
                + BubbleCause.allCases.map { TextRenderer.group(s.bubbles[$0]) }
                + [TextRenderer.group(s.elapsedCycles), TextRenderer.percent(s.laneUtilization)]
        }
        return table(header, rows, numeric: 1...(header.count - 1))
            + "<p class=\"caption\">Cycles; util = busy ÷ elapsed; lanes = useful lane-slots ÷ lane-slots while busy.</p>\n"
    }

    static func memoryTable(_ m: MemoryTraffic, cycles: Int) -> String {
        let classes = m.bytesByClass.sorted { $0.key < $1.key }.map { [$0.key, TextRenderer.bytes($0.value), TextRenderer.group($0.value)] }
        var out = "<p class=\"caption\">\(escape(m.kind)): bytes moved per tensor class and per channel.</p>\n"
        out += table(["class", "bytes", "exact"], classes, numeric: 1...2)
        out += table(["channel", "bytes", "transactions", "data on the bus"], m.channels.map { c in
            [c.name, TextRenderer.bytes(c.bytes), TextRenderer.group(c.transactions),
             TextRenderer.percent(cycles == 0 ? 0 : Double(c.busyCycles) / Double(cycles))]
        }, numeric: 1...3)
        return out
    }

    static func powerTable(_ p: PowerEstimate) -> String {
        var rows: [[String]] = []
        let shown = Set(TextRenderer.powerTerms(p.watts).map(\.0))
        for ((name, w), (_, mj)) in zip(TextRenderer.powerTerms(p.watts, all: true), TextRenderer.powerTerms(p.energy, all: true))
        where shown.contains(name) {
            rows.append([name, "", TextRenderer.fixed(w, 3), TextRenderer.fixed(mj, 3)])
            if name == "dynamic" {
                for u in p.units {
                    rows.append(["· \(u.unit)", TextRenderer.percent(u.activity), TextRenderer.fixed(u.watts, 3), TextRenderer.fixed(u.millijoules, 3)])
                }
            }
        }
        rows.append(["total", "", TextRenderer.fixed(p.watts.total, 3), TextRenderer.fixed(p.energy.total, 3)])
        return "<p class=\"caption\">\(TextRenderer.fixed(p.averageW, 2)) W average over the run; each unit's dynamic power at its activity "
            + "(docs/power.md):</p>\n" + table(["term", "activity", "power (W)", "energy (mJ)"], rows, numeric: 1...3)
    }

    static func statisticsTable(_ r: RunReport) -> String {
        "<details>\n<summary>\(r.statistics.count) statistics</summary>\n"
            + table(["name", "value", "unit", "description"], r.statistics.map { s in
                [s.name, CSVRenderer.number(s.value), s.unit.rawValue, s.description]
            }, numeric: 1...1)
            + "</details>\n"
    }

    /// A table; cells are escaped, columns in `numeric` right-aligned.
    static func table(_ header: [String], _ rows: [[String]], numeric: ClosedRange<Int>) -> String {
        func cell(_ tag: String, _ c: Int, _ text: String) -> String {
            "<\(tag)\(numeric.contains(c) ? " class=\"num\"" : "")>\(escape(text))</\(tag)>"
        }
        var out = "<table>\n<thead><tr>" + header.enumerated().map { cell("th", $0.offset, $0.element) }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows { out += "<tr>" + row.enumerated().map { cell("td", $0.offset, $0.element) }.joined() + "</tr>\n" }
        return out + "</tbody>\n</table>\n"
    }

    /// An axis label in milliseconds with about three significant digits.
    static func axis(_ ms: Double) -> String {
        if ms == 0 { return "0" }
        if ms >= 100 { return TextRenderer.fixed(ms, 0) }
        if ms >= 10 { return TextRenderer.fixed(ms, 1) }
        if ms >= 1 { return TextRenderer.fixed(ms, 2) }
        return TextRenderer.fixed(ms, 3)
    }

    static let css = """
        body { margin: 0; background: #ffffff; color: #1a202c; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
        main { max-width: 980px; margin: 0 auto; padding: 16px 10px 40px; }
        h1 { font-size: 22px; margin: 8px 0 4px; }
        h2 { font-size: 17px; margin: 28px 0 6px; border-bottom: 1px solid #e2e8f0; padding-bottom: 3px; }
        .lead, .caption { color: #4a5568; margin: 4px 0 8px; }
        .legend span { display: inline-block; margin-right: 14px; color: #4a5568; }
        .legend i { display: inline-block; width: 12px; height: 12px; margin-right: 5px; vertical-align: -1px; }
        svg.chart { display: block; font-family: inherit; }
        table { border-collapse: collapse; margin: 6px 0 10px; font-size: 13px; font-variant-numeric: tabular-nums; }
        th, td { padding: 3px 8px; border-bottom: 1px solid #edf2f7; text-align: left; vertical-align: top; }
        thead th { border-bottom: 1px solid #a0aec0; }
        .num { text-align: right; }
        table.kv th { color: #4a5568; font-weight: 600; white-space: nowrap; }
        details summary { cursor: pointer; color: #4a5568; }
        code { font-size: 13px; }
        """
}
