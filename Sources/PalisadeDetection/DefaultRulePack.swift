/// The rules Palisade ships with: one or more for every incident type that rules detect (the
/// monitors open `agent_silent` and `metric_threshold`, the anomaly detectors `anomalous_access`).
/// Operators override or extend them with files in the rules directory.
public enum DefaultRulePack {
    /// The rules' YAML texts, by id.
    public static let sources: [String: String] = [
        "auth.brute_force.actor": """
        id: auth.brute_force.actor
        title: Brute force against {actor}
        incident: brute_force_attack
        level: high
        detection:
          failed: {event_type: authentication, success: 'false'}
          condition: failed
        threshold: {count: 10, within: 5m, group_by: [actor]}
        """,
        "auth.brute_force.source": """
        id: auth.brute_force.source
        title: Brute force from {source_ip}
        incident: brute_force_attack
        level: high
        detection:
          failed: {event_type: authentication, success: 'false'}
          condition: failed
        threshold: {count: 20, within: 5m, group_by: [source_ip]}
        """,
        "auth.credential_stuffing": """
        id: auth.credential_stuffing
        title: Credential stuffing from {source_ip}
        incident: credential_stuffing
        level: critical
        detection:
          failed: {event_type: authentication, success: 'false'}
          condition: failed
        threshold: {count: 20, within: 10m, group_by: [source_ip], distinct: actor}
        """,
        "auth.success_after_failures": """
        id: auth.success_after_failures
        title: "{actor} signed in after repeated failures: likely compromise"
        incident: unauthorized_access
        level: critical
        detection:
          failed: {event_type: authentication, success: 'false'}
          succeeded: {event_type: authentication, success: 'true'}
        sequence: {first: failed, count: 5, then: succeeded, within: 10m, group_by: [actor]}
        """,
        "authz.denied_burst": """
        id: authz.denied_burst
        title: "{actor} keeps being refused"
        incident: unauthorized_access
        level: medium
        detection:
          denied: {event_type: authorization, success: 'false'}
          condition: denied
        threshold: {count: 10, within: 10m, group_by: [actor]}
        """,
        "authz.privilege_escalation": """
        id: authz.privilege_escalation
        title: "{actor} granted administrative rights"
        incident: privilege_escalation
        level: high
        detection:
          grant:
            event_type: authorization
            action|contains: [grant_admin, add_role_admin, sudo, elevate]
          condition: grant
        """,
        "data.bulk_export": """
        id: data.bulk_export
        title: "{actor} exported data in bulk"
        incident: data_exfiltration
        level: high
        detection:
          export:
            event_type: data_access
            action|contains: [export, download]
          condition: export
        threshold: {count: 20, within: 10m, group_by: [actor]}
        """,
        "llm.prompt_injection": """
        id: llm.prompt_injection
        title: Prompt injection attempt by {actor}
        incident: prompt_injection
        level: high
        detection:
          llm: {event_type: llm_interaction}
          phrases:
            - metadata.prompt|contains|all: [ignore, previous instructions]
            - metadata.prompt|contains: [disregard your system prompt, you are now dan, developer mode enabled, reveal your system prompt]
          condition: llm and phrases
        """,
        "llm.jailbreak": """
        id: llm.jailbreak
        title: Jailbreak attempt by {actor}
        incident: prompt_injection
        level: medium
        detection:
          llm: {event_type: llm_interaction}
          jailbreak:
            metadata.prompt|re|i: '(do anything now|\\bjailbreak|no (ethical )?restrictions|without (any )?(filters|guidelines|rules)|pretend (you|to) (are|be) (an? )?(unfiltered|uncensored))'
          condition: llm and jailbreak
        """,
        "llm.tool_policy_violation": """
        id: llm.tool_policy_violation
        title: "{actor} called tool {metadata.tool} against its policy"
        incident: unauthorized_access
        level: high
        detection:
          call: {event_type: llm_interaction, action: tool_call}
          refused:
            - success: 'false'
            - metadata.policy_decision: [deny, denied, violation]
          condition: call and refused
        """,
        "llm.token_burst": """
        id: llm.token_burst
        title: "{actor} is burning tokens: repeated very large LLM calls"
        incident: rate_limit_abuse
        level: medium
        detection:
          big:
            event_type: llm_interaction
            metadata.tokens|gte: 20000
          condition: big
        threshold: {count: 5, within: 10m, group_by: [actor]}
        """,
        "http.rate_limit_abuse": """
        id: http.rate_limit_abuse
        title: "{source_ip} keeps hitting rate limits"
        incident: rate_limit_abuse
        level: medium
        detection:
          limited: {action: rate_limited}
          condition: limited
        threshold: {count: 50, within: 1m, group_by: [source_ip]}
        """,
        "config.security_disabled": """
        id: config.security_disabled
        title: Security setting changed by {actor}
        incident: configuration_tampering
        level: high
        detection:
          config: {event_type: configuration}
          weakening:
            action|contains: [disable_mfa, disable_audit, delete_policy, disable_firewall, allow_all]
          condition: config and weakening
        """,
        "session.multiple_sources": """
        id: session.multiple_sources
        title: Session {session_id} used from several addresses
        incident: session_hijacking
        level: high
        detection:
          session:
            session_id|exists: true
            source_ip|exists: true
          condition: session
        threshold: {count: 2, within: 1h, group_by: [session_id], distinct: source_ip}
        """,
        "honeypot.interaction": """
        id: honeypot.interaction
        title: Honeypot touched from {source_ip}
        incident: honeypot_interaction
        level: medium
        detection:
          touched: {event_type: honeypot}
          condition: touched
        """,
    ]

    /// The compiled rules, sorted by id.
    ///
    /// - Throws: ``RuleError`` (a test keeps the pack loadable).
    public static func rules() throws(RuleError) -> [DetectionRule] {
        var rules = [DetectionRule]()
        for (_, source) in sources.sorted(by: { $0.key < $1.key }) { rules.append(try DetectionRule(yaml: source)) }
        return rules
    }

    /// The revision of each rule of the pack, by id.
    public static func revisions() throws(RuleError) -> [String: String] {
        Dictionary(uniqueKeysWithValues: try rules().map { ($0.id, $0.revision) })
    }
}
