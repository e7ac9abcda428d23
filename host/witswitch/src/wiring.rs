//! From the typed configuration to the SIP cores: ACL decisions, directory credentials,
//! and the registrar/limiter/transaction settings of each profile.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

use rand::RngCore;
use witswitch_config::{Credential as ConfigCredential, Decision, DigestAlgorithm, Profile};
use witswitch_sip::HeaderName;
use witswitch_sip::auth::{Credential, CredentialStore};
use witswitch_sip::limiter::{AuthFailureLimiter, LimiterConfig};
use witswitch_sip::options::Capabilities;
use witswitch_sip::registrar::{ExpiryPolicy, Registrar, RegistrarConfig};
use witswitch_sip::transaction::{TimerConfig, TransactionConfig, TransactionLayer};

use crate::driver::core::{AccessPolicy, BindingObserver, CoreParts};
use crate::live_config::LiveConfig;
use crate::transport::{Counters, Limits};

/// A profile's ACLs evaluated against the loaded lists (most specific prefix wins).
#[derive(Debug)]
pub struct ProfileAcls {
    config: Arc<LiveConfig>,
    register_acl: Option<String>,
    inbound_acl: Option<String>,
    registration_disabled: bool,
}

impl ProfileAcls {
    /// The ACLs `profile` applies.
    pub fn new(config: Arc<LiveConfig>, profile: &Profile) -> Self {
        ProfileAcls {
            register_acl: profile.apply_register_acl.clone(),
            inbound_acl: profile.apply_inbound_acl.clone(),
            registration_disabled: profile.disable_register,
            config,
        }
    }

    /// No list configured: allowed. A list the configuration does not define cannot
    /// happen after validation; it denies, to fail closed.
    fn allows(&self, list: Option<&str>, ip: IpAddr) -> bool {
        match list {
            None => true,
            Some(name) => self.config.get().acls.evaluate(name, ip) == Some(Decision::Allow),
        }
    }
}

impl AccessPolicy for ProfileAcls {
    fn may_register(&self, ip: IpAddr) -> bool {
        !self.registration_disabled && self.allows(self.register_acl.as_deref(), ip)
    }

    fn may_call(&self, ip: IpAddr) -> bool {
        self.allows(self.inbound_acl.as_deref(), ip)
    }
}

/// The directory as the registrar's credential store.
#[derive(Debug)]
pub struct DirectoryUsers(pub Arc<LiveConfig>);

impl CredentialStore for DirectoryUsers {
    fn credential(&self, user: &str, realm: &str) -> Option<Credential> {
        let config = self.0.get();
        let found = config.user(user, realm)?;
        Some(match found.credential.as_ref()? {
            ConfigCredential::Password(password) => Credential::Password(password.clone()),
            ConfigCredential::A1Hash { hex, algorithm } => match algorithm {
                DigestAlgorithm::Md5 => Credential::Ha1 {
                    md5: Some(hex.clone()),
                    sha256: None,
                },
                DigestAlgorithm::Sha256 => Credential::Ha1 {
                    md5: None,
                    sha256: Some(hex.clone()),
                },
            },
        })
    }
}

/// Builds the sans-IO parts of `profile`'s core. `epoch` is the nonce time base.
pub fn core_parts(
    profile: &Profile,
    limits: &Limits,
    counters: Arc<Counters>,
    epoch: Instant,
    bindings: Option<Arc<dyn BindingObserver>>,
    live: &Arc<LiveConfig>,
) -> CoreParts {
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let capabilities = Capabilities::default();
    let registrar = RegistrarConfig {
        profile: profile.name.clone(),
        realm: profile.domain.clone(),
        expiry: ExpiryPolicy {
            min: profile.registration.min_expires,
            default: profile.registration.default_expires,
            max: profile.registration.max_expires,
        },
        nonce_ttl: profile.nonce_ttl,
        response_headers: vec![(HeaderName::Allow, capabilities.allow.join(", "))],
        ..RegistrarConfig::default()
    };
    let ban = &profile.auth_ban;
    let limiter = ban.enabled.then(|| {
        AuthFailureLimiter::new(LimiterConfig {
            max_failures: ban.max_failures,
            window: ban.window,
            ban_duration: ban.ban,
            ..LimiterConfig::default()
        })
    });
    let transactions = TransactionConfig {
        timers: TimerConfig {
            t1: profile.timers.t1,
            t2: profile.timers.t2,
            t4: profile.timers.t4,
        },
        ..TransactionConfig::default()
    };
    CoreParts {
        profile: profile.name.clone(),
        transactions: TransactionLayer::new(transactions),
        registrar: Registrar::new(registrar, &secret, epoch),
        limiter,
        access: Arc::new(ProfileAcls::new(Arc::clone(live), profile)),
        users: Arc::new(DirectoryUsers(Arc::clone(live))),
        capabilities,
        log_auth_failures: profile.log_auth_failures,
        limits: limits.message_limits(),
        counters,
        bindings,
    }
}
