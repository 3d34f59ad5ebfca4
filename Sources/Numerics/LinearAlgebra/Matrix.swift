/// A dense matrix of `Double` in column-major storage (the BLAS/LAPACK convention): element
/// (i, j) is `elements[i + j * rows]`.
public struct Matrix: Equatable, Sendable {
    public let rows: Int
    public let columns: Int
    /// Column-major elements, `rows * columns` of them.
    public var elements: [Double]

    /// A `rows × columns` matrix with every element `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "negative matrix dimension")
        self.rows = rows
        self.columns = columns
        self.elements = [Double](repeating: value, count: rows * columns)
    }

    /// A matrix from column-major `elements`.
    public init(rows: Int, columns: Int, elements: [Double]) {
        precondition(rows >= 0 && columns >= 0 && elements.count == rows * columns,
                     "element count does not match the dimensions")
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// A matrix whose element (i, j) is `f(i, j)`.
    public init(rows: Int, columns: Int, _ f: (Int, Int) -> Double) {
        self.init(rows: rows, columns: columns)
        for j in 0..<columns { for i in 0..<rows { elements[i + j * rows] = f(i, j) } }
    }

    /// The `n × n` identity.
    public static func identity(_ n: Int) -> Matrix {
        Matrix(rows: n, columns: n) { i, j in i == j ? 1 : 0 }
    }

    public subscript(i: Int, j: Int) -> Double {
        get { elements[i + j * rows] }
        set { elements[i + j * rows] = newValue }
    }

    /// Column `j` as an array.
    public func column(_ j: Int) -> [Double] { Array(elements[(j * rows)..<((j + 1) * rows)]) }

    /// Columns `range` as a matrix (contiguous in column-major storage, so a copy of a slice).
    public func columns(_ range: Range<Int>) -> Matrix {
        Matrix(rows: rows, columns: range.count,
               elements: Array(elements[(range.lowerBound * rows)..<(range.upperBound * rows)]))
    }

    /// The block of rows `rowRange` and columns `columnRange`.
    public func submatrix(rows rowRange: Range<Int>, columns columnRange: Range<Int>) -> Matrix {
        precondition(rowRange.lowerBound >= 0 && rowRange.upperBound <= rows && columnRange.lowerBound >= 0
                     && columnRange.upperBound <= columns, "submatrix out of range")
        var block = [Double]()
        block.reserveCapacity(rowRange.count * columnRange.count)
        elements.withUnsafeBufferPointer { a in
            for j in columnRange {
                block.append(contentsOf: UnsafeBufferPointer(rebasing: a[(rowRange.lowerBound + j * rows)..<(rowRange.upperBound + j * rows)]))
            }
        }
        return Matrix(rows: rowRange.count, columns: columnRange.count, elements: block)
    }

    public var transposed: Matrix { Matrix(rows: columns, columns: rows) { i, j in self[j, i] } }

    /// √(Σ a_ij²).
    public var frobeniusNorm: Double {
        var s = 0.0
        for x in elements { s += x * x }
        return s.squareRoot()
    }

    /// The largest |a_ij|.
    public var maxAbs: Double { elements.reduce(0) { max($0, abs($1)) } }

    /// Σ a_ii.
    public var trace: Double {
        var s = 0.0
        for i in 0..<min(rows, columns) { s += self[i, i] }
        return s
    }

    /// True when every element is finite.
    public var isFinite: Bool { elements.allSatisfy { $0.isFinite } }

    public static func - (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns, "dimension mismatch")
        var c = a
        for i in c.elements.indices { c.elements[i] -= b.elements[i] }
        return c
    }

    public static func + (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns, "dimension mismatch")
        var c = a
        for i in c.elements.indices { c.elements[i] += b.elements[i] }
        return c
    }

    public static func * (a: Double, b: Matrix) -> Matrix {
        var c = b
        for i in c.elements.indices { c.elements[i] *= a }
        return c
    }

    /// Copies the lower triangle onto the upper one (makes a matrix exactly symmetric).
    public mutating func symmetrizeFromLower() {
        precondition(rows == columns, "not square")
        let n = rows
        elements.withUnsafeMutableBufferPointer { a in
            for j in 0..<n { for i in (j + 1)..<n { a[j + i * n] = a[i + j * n] } }
        }
    }
}
