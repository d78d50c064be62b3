import Foundation

/// Builds one inline SVG chart: rectangles, lines and text at fixed coordinates, every
/// number printed with two decimals and every text escaped, so the same chart gives the
/// same bytes.
struct SVGCanvas {
    let width: Double
    let height: Double
    private var body = ""

    /// A chart `width` × `height` pixels whose whole area is first painted `background`.
    init(width: Double, height: Double, background: String) {
        self.width = width
        self.height = height
        rect(x: 0, y: 0, width: width, height: height, fill: background)
    }

    /// A filled rectangle; `title` becomes its hover tooltip.
    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, title: String? = nil) {
        let attributes = "x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"\(fill)\""
        if let title {
            body += "<rect \(attributes)><title>\(HTMLRenderer.escape(title))</title></rect>\n"
        } else {
            body += "<rect \(attributes)/>\n"
        }
    }

    /// A straight line, dashed when `dash` is given (e.g. `4 3`).
    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1, dash: String? = nil) {
        body += "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\""
            + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>\n"
    }

    /// Text anchored at (x, y) on its baseline: `start`, `middle` or `end`; with `halo`, outlined
    /// in white so it stays legible over bars.
    mutating func text(_ s: String, x: Double, y: Double, anchor: String = "start", fill: String = "#1a202c", size: Double = 12,
                       halo: Bool = false) {
        body += "<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\" font-size=\"\(n(size))\" fill=\"\(fill)\""
            + (halo ? " stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"" : "") + ">"
            + HTMLRenderer.escape(s) + "</text>\n"
    }

    /// The `<svg>` element, with `label` as its accessible name; shapes are drawn with crisp
    /// edges, so adjacent bins meet without seams.
    func render(id: String, label: String) -> String {
        "<svg id=\"\(id)\" class=\"chart\" role=\"img\" aria-label=\"\(HTMLRenderer.escape(label))\" width=\"\(n(width))\" "
            + "height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" shape-rendering=\"crispEdges\" "
            + "xmlns=\"http://www.w3.org/2000/svg\">\n"
            + body + "</svg>\n"
    }

    private func n(_ x: Double) -> String {
        let s = String(format: "%.2f", x)
        if s.hasSuffix(".00") { return String(s.dropLast(3)) }
        if s.hasSuffix("0") { return String(s.dropLast()) }
        return s
    }
}
