//! Host names in dial strings (`sofia/<profile>/1000@pbx.example.net`): looked
//! up off the call task, then the INVITE goes to the profile as usual. Gateways
//! resolve their proxy once at startup instead (see `profiles.rs`).

use std::net::SocketAddr;

use tokio::sync::mpsc;

use super::link::{InviteSpec, ProfileCommand};
use crate::driver::invite_build::host_to_resolve;
use witswitch_core::ChannelId;

/// Sends the INVITE for `channel` to the profile behind `commands`, after a
/// lookup when its target names a host. Returns at once; an unresolvable host
/// reaches the profile unresolved and fails there like any unusable target.
pub fn send_invite(
    commands: &mpsc::UnboundedSender<ProfileCommand>,
    channel: ChannelId,
    mut spec: Box<InviteSpec>,
) {
    let Some((host, port)) = host_to_resolve(&spec.target) else {
        send(commands, channel, spec);
        return;
    };
    let commands = commands.clone();
    tokio::spawn(async move {
        spec.resolved = lookup(&host, port).await;
        if spec.resolved.is_none() {
            tracing::warn!("cannot resolve {host} for an outgoing call");
        }
        send(&commands, channel, spec);
    });
}

fn send(
    commands: &mpsc::UnboundedSender<ProfileCommand>,
    channel: ChannelId,
    spec: Box<InviteSpec>,
) {
    if commands
        .send(ProfileCommand::Invite { channel, spec })
        .is_err()
    {
        tracing::debug!("profile stopped before an outgoing INVITE");
    }
}

/// The first IPv4 address of `host` (profiles listen on IPv4 today), else the
/// first address at all.
async fn lookup(host: &str, port: u16) -> Option<SocketAddr> {
    let found: Vec<SocketAddr> = tokio::net::lookup_host((host, port)).await.ok()?.collect();
    found
        .iter()
        .find(|a| a.is_ipv4())
        .or_else(|| found.first())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use witswitch_core::InviteTarget;

    fn spec(uri: &str) -> Box<InviteSpec> {
        Box::new(InviteSpec {
            target: InviteTarget::Uri {
                uri: uri.to_owned(),
            },
            caller_id_name: String::new(),
            caller_id_number: "1000".into(),
            sdp: Vec::new(),
            headers: Vec::new(),
            resolved: None,
        })
    }

    async fn sent(uri: &str) -> Option<SocketAddr> {
        let (tx, mut rx) = mpsc::unbounded_channel();
        send_invite(&tx, ChannelId(7), spec(uri));
        match rx.recv().await {
            Some(ProfileCommand::Invite { channel, spec }) => {
                assert_eq!(channel, ChannelId(7));
                spec.resolved
            }
            other => panic!("expected the INVITE, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_host_name_is_looked_up_before_the_invite_goes_out() {
        assert_eq!(
            sent("1001@localhost:5072").await,
            Some("127.0.0.1:5072".parse().unwrap())
        );
        assert_eq!(
            sent("sip:1001@localhost").await,
            Some("127.0.0.1:5060".parse().unwrap())
        );
    }

    #[tokio::test]
    async fn an_address_needs_no_lookup_and_a_bad_name_stays_unresolved() {
        assert_eq!(sent("1001@127.0.0.1:5072").await, None, "sent as is");
        assert_eq!(sent("1001@no-such-host.invalid").await, None);
    }
}
