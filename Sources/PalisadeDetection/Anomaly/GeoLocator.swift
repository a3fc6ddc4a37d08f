import Foundation
public import PalisadeCore

/// Where an address is: what the impossible-travel and new-country detectors need from GeoIP.
/// The intel module provides one from a MaxMind database; tests inject a table.
public protocol GeoLocator: Sendable {
    /// The location of `address`, if known.
    func locate(_ address: IPAddress) -> GeoLocation?
}

/// A place on Earth.
public struct GeoLocation: Hashable, Sendable, Codable {
    /// ISO 3166-1 alpha-2 country code.
    public var country: String
    /// Latitude, degrees.
    public var latitude: Double
    /// Longitude, degrees.
    public var longitude: Double

    /// Creates a location.
    public init(country: String, latitude: Double, longitude: Double) {
        self.country = country
        self.latitude = latitude
        self.longitude = longitude
    }

    /// The great-circle distance to another place, kilometres (haversine, mean Earth radius).
    public func kilometres(to other: GeoLocation) -> Double {
        let radians = Double.pi / 180
        let dLat = (other.latitude - latitude) * radians
        let dLon = (other.longitude - longitude) * radians
        let a = sin(dLat / 2) * sin(dLat / 2) + cos(latitude * radians) * cos(other.latitude * radians) * sin(dLon / 2) * sin(dLon / 2)
        return 6_371.0088 * 2 * atan2(a.squareRoot(), (1 - a).squareRoot())
    }
}
