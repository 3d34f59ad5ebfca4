import Vocabulary

/// Arrays over named dimensions, stored the way netCDF-4 stores them: each dimension is a
/// one-dimensional HDF5 dimension scale holding its coordinate values, each variable an
/// n-dimensional dataset with those scales attached to its axes. xarray (through h5netcdf or
/// netCDF4) opens such a group as a labelled `Dataset`; h5py sees ordinary datasets.
public struct LabelledArrays: Equatable, Sendable {
    public struct Dimension: Equatable, Sendable {
        public var name: String
        /// The coordinate values, one per index along the dimension.
        public var values: ColumnValues
        /// netCDF/CF attributes such as `long_name` and `units`.
        public var attributes: [String: String]

        public init(name: String, values: ColumnValues, attributes: [String: String] = [:]) {
            self.name = name
            self.values = values
            self.attributes = attributes
        }
    }

    public struct Variable: Equatable, Sendable {
        public var name: String
        /// Names of `LabelledArrays.dimensions`, outermost first.
        public var dimensions: [String]
        /// The elements in row-major order (the last dimension varies fastest); missing
        /// numbers are NaN, missing strings "".
        public var values: ColumnValues
        public var attributes: [String: String]

        public init(name: String, dimensions: [String], values: ColumnValues, attributes: [String: String] = [:]) {
            self.name = name
            self.dimensions = dimensions
            self.values = values
            self.attributes = attributes
        }
    }

    public var dimensions: [Dimension]
    public var variables: [Variable]

    public init(dimensions: [Dimension] = [], variables: [Variable] = []) {
        self.dimensions = dimensions
        self.variables = variables
    }

    public var isEmpty: Bool { dimensions.isEmpty && variables.isEmpty }

    /// The length of each of `variable`'s dimensions, or nil when one is not declared.
    public func shape(of variable: Variable) -> [Int]? {
        var shape: [Int] = []
        for name in variable.dimensions {
            guard let dimension = dimensions.first(where: { $0.name == name }) else { return nil }
            shape.append(dimension.values.count)
        }
        return shape
    }

    /// The first inconsistency (an undeclared dimension, a wrong element count, a repeated or
    /// unusable name), or nil.
    public func problem() -> String? {
        var names = Set<String>()
        for name in dimensions.map(\.name) + variables.map(\.name) {
            guard !name.isEmpty, name != ".", !name.contains("/"), !name.contains("\0") else {
                return "'\(name)' cannot be an HDF5 name"
            }
            guard names.insert(name).inserted else { return "'\(name)' is declared twice" }
            guard !name.contains(where: { ",;=".contains($0) }) else { return "'\(name)': a name holds no ',', ';' or '='" }
        }
        for dimension in dimensions {
            if case .text(let values) = dimension.values, let bad = values.first(where: { $0.contains(where: { ",;=".contains($0) }) }) {
                return "\(dimension.name): the coordinate '\(bad)' holds ',', ';' or '='"
            }
        }
        for variable in variables {
            guard !variable.dimensions.isEmpty else { return "\(variable.name) has no dimensions" }
            guard let shape = shape(of: variable) else {
                return "\(variable.name) names a dimension that is not declared (\(variable.dimensions.joined(separator: ", ")))"
            }
            let count = shape.reduce(1, *)
            guard variable.values.count == count else {
                return "\(variable.name) has \(variable.values.count) values for shape \(shape) (\(count))"
            }
        }
        return nil
    }
}
