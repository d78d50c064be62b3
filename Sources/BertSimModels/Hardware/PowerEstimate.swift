import BertSimCore

/// A run's power and energy on its board (docs/power.md): static power over the run time and
/// the dynamic energy of what the run did. The report's `power` section.
public struct PowerEstimate: Codable, Sendable, Equatable {
    public var staticW: Double
    /// Static plus dynamic energy over the run time.
    public var averageW: Double
    public var energyPerInferenceMJ: Double
    public var inferencesPerSPerW: Double
    public var energy: PowerModel.Energy
    public var coefficients: PowerModel

    enum CodingKeys: String, CodingKey {
        case staticW = "static_w"
        case averageW = "average_w"
        case energyPerInferenceMJ = "energy_per_inference_mj"
        case inferencesPerSPerW = "inferences_per_s_per_w"
        case energy, coefficients
    }

    /// The energy of `activity` over `seconds` of run time, `requests` inferences.
    public init(model: PowerModel, activity: PowerModel.Activity, seconds: Double, requests: Int, systolic: Bool) {
        let energy = model.energy(activity, seconds: seconds, systolic: systolic)
        let total = energy.totalMJ
        staticW = model.staticW
        averageW = seconds > 0 ? total / 1e3 / seconds : 0
        energyPerInferenceMJ = requests == 0 ? 0 : total / Double(requests)
        inferencesPerSPerW = total > 0 ? Double(requests) / (total / 1e3) : 0
        self.energy = energy
        coefficients = model
    }
}

extension HardwareConfig {
    /// The design's resources on its board; nil without a board or for a design without a
    /// resource model.
    public var resourceUsage: ResourceUsage? {
        guard let board, let estimate = resources else { return nil }
        return ResourceUsage(estimate: estimate, board: board)
    }

    /// The power and energy of a run of `cycles` that completed `requests` inferences; nil
    /// without a board, a power model, or the run's activity.
    public func power(cycles: Cycles, requests: Int, activity: PowerModel.Activity?) -> PowerEstimate? {
        guard board != nil, resources != nil, let model = power, let activity else { return nil }
        var systolic = false
        if case .encoder(let e) = design, case .systolic = e.array { systolic = true }
        return PowerEstimate(model: model, activity: activity, seconds: clock.seconds(cycles), requests: requests, systolic: systolic)
    }
}
