import BertSimCore

/// An RFC 4180 reader for the CSV files bertsim writes (quoted fields may hold commas, quotes
/// and newlines).
enum CSVReader {
    struct Record {
        /// 1-based line where the record starts.
        var line: Int
        var fields: [String]
    }

    /// The records of `text`; an unterminated last line is dropped (a file cut short).
    static func records(_ text: String, file: String) throws(InputError) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var afterQuote = false
        var line = 1
        var start = 1
        var atFieldStart = true
        for ch in text {
            if quoted {
                if ch == "\"" {
                    quoted = false
                    afterQuote = true
                } else {
                    if ch == "\n" || ch == "\r\n" { line += 1 }
                    field.append(ch)
                }
                continue
            }
            switch ch {
            case "\"":
                if afterQuote {
                    field.append("\"")
                    quoted = true
                    afterQuote = false
                } else if atFieldStart {
                    quoted = true
                    atFieldStart = false
                } else {
                    throw InputError(file: file, line: line, "a quote inside an unquoted field")
                }
            case ",":
                fields.append(field)
                field = ""
                afterQuote = false
                atFieldStart = true
            case "\n", "\r\n":
                fields.append(field)
                records.append(Record(line: start, fields: fields))
                fields = []
                field = ""
                afterQuote = false
                atFieldStart = true
                line += 1
                start = line
            default:
                if afterQuote { throw InputError(file: file, line: line, "text after a closing quote") }
                field.append(ch)
                atFieldStart = false
            }
        }
        return records
    }
}
