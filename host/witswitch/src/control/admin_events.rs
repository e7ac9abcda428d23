//! Events of the admin side: CUSTOM `sofia::gateway_state` with mod_sofia's headers
//! (`Gateway`, `State`, `Ping-Status`, then `Phrase` and `Status` when a SIP answer or
//! timeout caused the change).

use witswitch_control::call_site;
use witswitch_sip::gateway::GatewayEvent;

use super::{ControlHub, now};

/// Publishes one gateway change of `profile`.
pub fn gateway_state(hub: &ControlHub, profile: &str, change: &GatewayEvent) {
    if !hub.listening() {
        return;
    }
    let mut event = hub.factory.create_custom(
        "sofia::gateway_state",
        now(),
        call_site!("sofia_reg_fire_custom_gateway_state_event"),
    );
    event.add_header("Gateway", change.gateway.clone());
    event.add_header("State", change.state.as_str());
    event.add_header("Ping-Status", change.status.as_str());
    if let Some(phrase) = change.phrase.as_ref().filter(|p| !p.is_empty()) {
        event.add_header("Phrase", phrase.clone());
    }
    if let Some(status) = change.status_code {
        event.add_header("Status", status.to_string());
    }
    // Not in FreeSWITCH's event: which profile runs the gateway (witswitch extra,
    // appended last so positional readers are unaffected).
    event.add_header("Profile-Name", profile);
    hub.publish(event);
}
