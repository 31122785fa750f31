"""Business logic and queries; no HTTP types in here."""
