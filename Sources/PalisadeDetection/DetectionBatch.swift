/// The detections of one batch of events, with the firings of each incident (each ``Detection/dedupKey``)
/// merged into one, in the order their incidents first fired.
struct DetectionBatch {
    private var order: [String] = []
    private var byKey: [String: Detection] = [:]

    /// Adds detections, merging each into an earlier one of the same incident.
    mutating func add(_ detections: [Detection]) {
        for detection in detections {
            let key = detection.dedupKey
            if byKey[key] == nil {
                order.append(key)
                byKey[key] = detection
            } else {
                byKey[key]?.merge(detection)
            }
        }
    }

    /// One detection per incident, in the order the incidents first fired.
    var merged: [Detection] { order.compactMap { byKey[$0] } }
}
