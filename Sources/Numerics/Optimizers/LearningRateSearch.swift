import Vocabulary

/// The oracle choice of a peak learning rate on a grid (SPEC §4): the value with the lowest
/// final exact test loss. Non-finite losses are excluded (those runs diverged); ties go to the
/// smaller learning rate.
public struct LearningRateSearch: Sendable, Equatable {
    /// The grid, in the order given (ascending for a `LogGrid`).
    public var learningRates: [Double]
    /// The final test loss of each learning rate.
    public var testLosses: [Double]
    /// The index of the chosen learning rate; nil when every run diverged (or the grid is empty).
    public var chosenIndex: Int?

    public init(learningRates: [Double], testLosses: [Double]) {
        precondition(learningRates.count == testLosses.count, "one loss per learning rate")
        self.learningRates = learningRates
        self.testLosses = testLosses
        var best: Int? = nil
        for i in learningRates.indices where testLosses[i].isFinite {
            guard let b = best else { best = i; continue }
            if testLosses[i] < testLosses[b] || (testLosses[i] == testLosses[b] && learningRates[i] < learningRates[b]) {
                best = i
            }
        }
        self.chosenIndex = best
    }

    /// The chosen learning rate, if any.
    public var chosenLearningRate: Double? { chosenIndex.map { learningRates[$0] } }

    /// True when the choice is the smallest or the largest learning rate of the grid.
    public var atGridEdge: Bool {
        guard let lr = chosenLearningRate else { return false }
        return lr == learningRates.min() || lr == learningRates.max()
    }
}
