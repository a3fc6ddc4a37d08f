public import Foundation
public import PalisadeCore

/// One attempt to deliver one notification: what a channel needs, the receiver's secret opened.
public struct Delivery: Sendable {
    /// The outbox id, sent to the receiver (`X-Palisade-Delivery`) so it can drop a duplicate.
    public var id: UUID
    /// The tenant.
    public var tenant: TenantID
    /// The receiver.
    public var receiver: Receiver
    /// Its secret, opened for this attempt only.
    public var secret: ReceiverSecret
    /// What to say.
    public var notification: AlertNotification
    /// This attempt's number (1 for the first).
    public var attempt: Int
    /// A link to the incidents in Palisade's dashboard, when its public URL is configured.
    public var link: String?

    /// Creates a delivery.
    public init(
        id: UUID,
        tenant: TenantID,
        receiver: Receiver,
        secret: ReceiverSecret,
        notification: AlertNotification,
        attempt: Int,
        link: String? = nil
    ) {
        self.id = id
        self.tenant = tenant
        self.receiver = receiver
        self.secret = secret
        self.notification = notification
        self.attempt = attempt
        self.link = link
    }
}

/// A way of delivering notifications (HTTP receivers, email, syslog): every channel takes a
/// ``Delivery`` and says what came of it; it never throws, and it never retries on its own (the
/// ``OutboxDeliverer`` does, from the outbox).
public protocol AlertChannel: Sendable {
    /// Attempts one delivery.
    func deliver(_ delivery: Delivery) async -> DeliveryOutcome
}
