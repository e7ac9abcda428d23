//! CUSTOM `sofia::register` / `sofia::unregister` events from the profiles'
//! registrars, with the headers FreeSWITCH's mod_sofia sends.

use std::time::Instant;

use witswitch_control::call_site;
use witswitch_sip::gateway::GatewayEvent;
use witswitch_sip::registrar::{Binding, BindingChange};

use super::{ControlHub, now};
use crate::driver::core::BindingObserver;

impl BindingObserver for ControlHub {
    fn binding_changed(&self, profile: &str, change: &BindingChange, at: Instant) {
        if !self.listening() {
            return;
        }
        let (subclass, binding, status) = match change {
            BindingChange::Added(b) | BindingChange::Refreshed(b) => {
                ("sofia::register", b, format!("Registered({})", b.transport))
            }
            BindingChange::Removed { binding, reason } => (
                "sofia::unregister",
                binding,
                format!("Unregistered({reason:?})"),
            ),
        };
        let mut event =
            self.factory
                .create_custom(subclass, now(), call_site!("sofia_reg_handle_register"));
        for (name, value) in headers(profile, binding, &status, at) {
            event.add_header(name, value);
        }
        self.publish(event);
    }

    fn gateway_changed(&self, profile: &str, event: &GatewayEvent) {
        super::admin_events::gateway_state(self, profile, event);
    }
}

fn headers(profile: &str, b: &Binding, status: &str, at: Instant) -> Vec<(&'static str, String)> {
    vec![
        ("profile-name", profile.to_owned()),
        ("from-user", b.aor.user.clone()),
        ("from-host", b.aor.domain.clone()),
        ("presence-hosts", b.aor.domain.clone()),
        ("contact", b.contact.to_string()),
        ("call-id", b.call_id.clone()),
        ("rpid", "unknown".to_owned()),
        ("status", status.to_owned()),
        ("expires", b.remaining_secs(at).to_string()),
        ("to-user", b.aor.user.clone()),
        ("to-host", b.aor.domain.clone()),
        ("network-ip", b.source.ip().to_string()),
        ("network-port", b.source.port().to_string()),
        ("username", b.aor.user.clone()),
        ("realm", b.aor.domain.clone()),
        ("user-agent", b.user_agent.clone().unwrap_or_default()),
    ]
}
