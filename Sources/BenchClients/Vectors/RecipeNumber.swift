/// Numbers as recipes write them: `0.5`, `2` (no `.0`).
enum RecipeNumber {
    static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
