import BertSimCore
import Foundation

/// A safetensors file read into memory: an 8-byte little-endian header length, a JSON header
/// naming every tensor's dtype, shape and byte range, then the raw little-endian tensors.
///
/// Only what the model needs is decoded: `F32` tensors, as `[Float]`.
public struct SafeTensors: Sendable {
    /// One tensor's entry in the header.
    public struct Entry: Sendable, Equatable {
        public var dtype: String
        public var shape: [Int]
        /// Byte range inside the data section (after the header).
        public var range: Range<Int>
    }

    public let path: String
    public let entries: [String: Entry]
    private let data: Data
    private let dataStart: Int

    public init(path: String) throws(InputError) {
        let data = try InputFile.data(path)
        try self.init(data: data, path: path)
    }

    /// Parses the bytes of a safetensors file; `path` names it in errors.
    public init(data: Data, path: String) throws(InputError) {
        self.path = path
        self.data = data
        guard data.count >= 8 else { throw InputError(file: path, field: "header", "shorter than the 8-byte header length") }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(data[data.startIndex + i]) << (8 * UInt64(i)) }
        guard length <= UInt64(data.count - 8) else {
            throw InputError(file: path, field: "header", "header length \(length) runs past the end of the file (\(data.count) bytes)")
        }
        dataStart = 8 + Int(length)
        let header = data.subdata(in: data.startIndex + 8 ..< data.startIndex + dataStart)
        guard let json = try? JSONSerialization.jsonObject(with: header), let object = json as? [String: Any] else {
            throw InputError(file: path, field: "header", "not a JSON object")
        }
        var entries: [String: Entry] = [:]
        let available = data.count - dataStart
        for (name, value) in object where name != "__metadata__" {
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = (info["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
                  let offsets = (info["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }), offsets.count == 2
            else { throw InputError(file: path, field: name, "malformed header entry (dtype, shape, data_offsets)") }
            guard offsets[0] >= 0, offsets[0] <= offsets[1], offsets[1] <= available else {
                throw InputError(file: path, field: name, "data_offsets \(offsets) outside the \(available) data bytes")
            }
            entries[name] = Entry(dtype: dtype, shape: shape, range: offsets[0]..<offsets[1])
        }
        self.entries = entries
    }

    /// An `F32` tensor of the given shape, as `Float`s in row-major order.
    public func floats(_ name: String, shape: [Int]) throws(InputError) -> [Float] {
        guard let e = entries[name] else { throw InputError(file: path, field: name, "no such tensor") }
        guard e.dtype == "F32" else { throw InputError(file: path, field: name, "dtype \(e.dtype), expected F32") }
        guard e.shape == shape else { throw InputError(file: path, field: name, "shape \(e.shape), expected \(shape)") }
        let count = shape.reduce(1, *)
        guard e.range.count == count * 4 else {
            throw InputError(file: path, field: name, "\(e.range.count) bytes for \(count) F32 values")
        }
        let start = data.startIndex + dataStart + e.range.lowerBound
        return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            data.withUnsafeBytes { raw in
                for i in 0..<count {
                    let bits = raw.loadUnaligned(fromByteOffset: start - data.startIndex + 4 * i, as: UInt32.self)
                    buffer[i] = Float(bitPattern: UInt32(littleEndian: bits))
                }
            }
            initialized = count
        }
    }
}
