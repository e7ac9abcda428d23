//! `profiles/<name>.toml`: `[profile]`, `[registration]`, `[auth-ban]`, `[gateways.<name>]`.

use std::collections::BTreeMap;
use std::time::Duration;

use super::acl::check_acl_ref;
use super::scripts::check_context;
use super::{FileCtx, millis};
use crate::acl::AclLists;
use crate::directory::Directory;
use crate::error::{ConfigDiagnostic, Location, Problem};
use crate::profile::{
    AuthBanSettings, Codec, Gateway, HostPort, Profile, RegistrationSettings, SipTimers, Transport,
};
use crate::raw::{AuthBanTable, GatewayTable, ProfileFile, ProfileTable, RegistrationTable, Text};
use crate::scripts::ScriptSettings;

/// What profiles are checked against; `None` where that file failed to load,
/// so one broken file does not cascade into reference errors.
pub(crate) struct References<'a> {
    pub acls: Option<&'a AclLists>,
    pub scripts: Option<&'a ScriptSettings>,
    pub directory: Option<&'a Directory>,
}

/// A built profile with where its listening port is set (for conflict reports).
pub(crate) struct BuiltProfile {
    pub profile: Profile,
    pub port_at: Location,
}

/// Gateways by name across all profiles, for duplicate reports.
pub(crate) type GatewayIndex = BTreeMap<String, Location>;

pub(crate) fn build_profile(
    cx: &mut FileCtx<'_>,
    name: &str,
    raw: &ProfileFile,
    refs: &References<'_>,
    gateways_seen: &mut GatewayIndex,
) -> Option<BuiltProfile> {
    const S: &str = "profile";
    let mark = cx.mark();
    let t = raw.profile.get_ref();
    let sip_ip = cx.ip(&t.sip_ip, S, "sip-ip");
    let sip_port = cx.port(&t.sip_port, S, "sip-port");
    let transports = transports(cx, t);
    let context = cx.text(&t.context, S, "context");
    if let (Some(scripts), Some(context)) = (refs.scripts, &context) {
        check_context(cx, scripts, &t.context.span(), context, S, "context");
    }
    let domain = cx
        .opt_text(&t.domain, S, "domain")
        .map(|d| d.to_ascii_lowercase());
    if let (Some(directory), Some(domain), Some(raw_domain)) = (refs.directory, &domain, &t.domain)
        && !directory.has_domain(domain)
    {
        cx.report(
            &raw_domain.span(),
            S,
            "domain",
            Problem::UnknownDomain(domain.clone()),
        );
    }
    let apply_inbound_acl = acl_ref(cx, refs, &t.apply_inbound_acl, S, "apply-inbound-acl");
    let apply_register_acl = acl_ref(cx, refs, &t.apply_register_acl, S, "apply-register-acl");
    let codec_prefs = codec_prefs(cx, &t.codec_prefs);
    let rtp_ip = cx.opt_ip(&t.rtp_ip, S, "rtp-ip").or(sip_ip);
    let ext_sip_ip = cx.opt_ip(&t.ext_sip_ip, S, "ext-sip-ip");
    let ext_rtp_ip = cx.opt_ip(&t.ext_rtp_ip, S, "ext-rtp-ip");
    let registration = registration(cx, &raw.registration);
    let auth_ban = auth_ban(cx, &raw.auth_ban);
    let timers = timers(cx, t);
    let nonce_ttl = Duration::from_secs(u64::from(cx.positive(&t.nonce_ttl, 60, S, "nonce-ttl")));
    let gateways = build_gateways(
        cx,
        raw,
        context.as_deref().unwrap_or_default(),
        refs,
        gateways_seen,
    );
    if cx.failed_since(mark) {
        return None;
    }
    let profile = Profile {
        name: name.to_owned(),
        sip_ip: sip_ip?,
        sip_port,
        transports,
        context: context?,
        domain,
        auth_calls: t.auth_calls.unwrap_or(true),
        disable_register: t.disable_register.unwrap_or(false),
        apply_inbound_acl,
        apply_register_acl,
        log_auth_failures: t.log_auth_failures.unwrap_or(true),
        nonce_ttl,
        codec_prefs,
        rtp_ip: rtp_ip?,
        ext_sip_ip,
        ext_rtp_ip,
        rtp_timeout: match t.rtp_timeout_sec.unwrap_or(300) {
            0 => None,
            secs => Some(Duration::from_secs(u64::from(secs))),
        },
        registration,
        auth_ban,
        timers,
        gateways,
    };
    Some(BuiltProfile {
        profile,
        port_at: cx.at(&t.sip_port.span()),
    })
}

/// The profile's gateways; a name another profile already uses is reported.
fn build_gateways(
    cx: &mut FileCtx<'_>,
    raw: &ProfileFile,
    profile_context: &str,
    refs: &References<'_>,
    gateways_seen: &mut GatewayIndex,
) -> Vec<Gateway> {
    let mut gateways = Vec::new();
    for (name, table) in &raw.gateways {
        let Some(gateway) = build_gateway(cx, name, table, profile_context, refs) else {
            continue;
        };
        let location = cx.at(&table.span());
        if let Some(first) = gateways_seen.get(name) {
            let problem = Problem::AlreadyDefined {
                what: format!("gateway \"{name}\""),
                first: first.clone(),
            };
            cx.diags.push(ConfigDiagnostic::at(location, problem));
        } else {
            gateways_seen.insert(name.clone(), location);
            gateways.push(gateway);
        }
    }
    gateways
}

fn acl_ref(
    cx: &mut FileCtx<'_>,
    refs: &References<'_>,
    value: &Option<Text>,
    section: &str,
    key: &str,
) -> Option<String> {
    let raw = value.as_ref()?;
    let name = cx.text(raw, section, key)?;
    if let Some(acls) = refs.acls {
        check_acl_ref(cx, acls, raw, &name, section, key);
    }
    Some(name)
}

fn transports(cx: &mut FileCtx<'_>, t: &ProfileTable) -> Vec<Transport> {
    let Some(list) = &t.transports else {
        return vec![Transport::Udp, Transport::Tcp];
    };
    if list.get_ref().is_empty() {
        cx.report(&list.span(), "profile", "transports", Problem::Empty);
    }
    let mut out: Vec<Transport> = Vec::new();
    for transport in list.get_ref() {
        if out.contains(transport.get_ref()) {
            let name = transport.get_ref().name().to_owned();
            cx.report(
                &transport.span(),
                "profile",
                "transports",
                Problem::Duplicate(name),
            );
        } else {
            out.push(*transport.get_ref());
        }
    }
    out
}

/// FreeSWITCH-style comma list, e.g. `PCMU,PCMA,OPUS,G722`.
fn codec_prefs(cx: &mut FileCtx<'_>, value: &Option<Text>) -> Vec<Codec> {
    const KEY: &str = "codec-prefs";
    let Some(raw) = value else {
        return vec![Codec::Pcmu, Codec::Pcma, Codec::Opus, Codec::G722];
    };
    let mark = cx.mark();
    let Some(text) = cx.text(raw, "profile", KEY) else {
        return Vec::new();
    };
    let mut out: Vec<Codec> = Vec::new();
    for item in text.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        match item.parse::<Codec>() {
            Ok(codec) if out.contains(&codec) => {
                cx.report(
                    &raw.span(),
                    "profile",
                    KEY,
                    Problem::Duplicate(codec.to_string()),
                );
            }
            Ok(codec) => out.push(codec),
            Err(err) => cx.report(&raw.span(), "profile", KEY, err.into()),
        }
    }
    if out.is_empty() && !cx.failed_since(mark) {
        cx.report(&raw.span(), "profile", KEY, Problem::Empty);
    }
    out
}

fn registration(cx: &mut FileCtx<'_>, raw: &RegistrationTable) -> RegistrationSettings {
    const S: &str = "registration";
    let min = cx.positive(&raw.min_expires, 60, S, "min-expires");
    let default = cx.positive(&raw.default_expires, 3600, S, "default-expires");
    let max = cx.positive(&raw.max_expires, 7200, S, "max-expires");
    let pairs = [
        (
            "min-expires",
            min,
            "default-expires",
            default,
            &raw.min_expires,
        ),
        (
            "default-expires",
            default,
            "max-expires",
            max,
            &raw.default_expires,
        ),
    ];
    for (low_key, low, high_key, high, at) in pairs {
        if low > high {
            let span = at.as_ref().map(|v| v.span()).unwrap_or_default();
            cx.report(
                &span,
                S,
                low_key,
                Problem::OutOfOrder {
                    low_key,
                    low: u64::from(low),
                    high_key,
                    high: u64::from(high),
                },
            );
        }
    }
    RegistrationSettings {
        min_expires: min,
        default_expires: default,
        max_expires: max,
    }
}

fn auth_ban(cx: &mut FileCtx<'_>, raw: &AuthBanTable) -> AuthBanSettings {
    const S: &str = "auth-ban";
    AuthBanSettings {
        enabled: raw.enabled.unwrap_or(true),
        max_failures: cx.positive(&raw.max_failures, 5, S, "max-failures"),
        window: Duration::from_secs(cx.positive(&raw.window_sec, 60, S, "window-sec")),
        ban: Duration::from_secs(cx.positive(&raw.ban_sec, 600, S, "ban-sec")),
    }
}

fn timers(cx: &mut FileCtx<'_>, t: &ProfileTable) -> SipTimers {
    const S: &str = "profile";
    let t1 = cx.positive(&t.timer_t1_ms, 500, S, "timer-t1-ms");
    let t2 = cx.positive(&t.timer_t2_ms, 4000, S, "timer-t2-ms");
    let t4 = cx.positive(&t.timer_t4_ms, 5000, S, "timer-t4-ms");
    if t1 > t2 {
        let span = t
            .timer_t1_ms
            .as_ref()
            .or(t.timer_t2_ms.as_ref())
            .map(|v| v.span())
            .unwrap_or_default();
        cx.report(
            &span,
            S,
            "timer-t1-ms",
            Problem::OutOfOrder {
                low_key: "timer-t1-ms",
                low: t1,
                high_key: "timer-t2-ms",
                high: t2,
            },
        );
    }
    SipTimers {
        t1: millis(t1),
        t2: millis(t2),
        t4: millis(t4),
    }
}

fn build_gateway(
    cx: &mut FileCtx<'_>,
    name: &str,
    table: &toml::Spanned<GatewayTable>,
    profile_context: &str,
    refs: &References<'_>,
) -> Option<Gateway> {
    let section = format!("gateways.{name}");
    let s = section.as_str();
    let mark = cx.mark();
    cx.name(name, &table.span(), "gateways", name);
    let g = table.get_ref();
    let realm = cx.text(&g.realm, s, "realm");
    if realm.as_deref().is_some_and(str::is_empty) {
        cx.report(&g.realm.span(), s, "realm", Problem::Empty);
    }
    // Without `proxy`, requests go to the realm, which must then be a host.
    let (proxy_text, proxy_span, proxy_key) = match &g.proxy {
        Some(raw) => (cx.text(raw, s, "proxy"), raw.span(), "proxy"),
        None => (realm.clone(), g.realm.span(), "realm"),
    };
    let proxy = proxy_text.and_then(|text| {
        let parsed = HostPort::parse(&text);
        if parsed.is_none() {
            cx.report(&proxy_span, s, proxy_key, Problem::BadHostPort(text));
        }
        parsed
    });
    let username = cx.opt_text(&g.username, s, "username");
    let password = cx.opt_text(&g.password, s, "password");
    let register = g.register.unwrap_or(true);
    if register && (g.username.is_none() || g.password.is_none()) {
        cx.report(&table.span(), s, "register", Problem::GatewayCredentials);
    }
    let context = match &g.context {
        Some(raw) => {
            let context = cx.text(raw, s, "context");
            if let (Some(scripts), Some(c)) = (refs.scripts, &context) {
                check_context(cx, scripts, &raw.span(), c, s, "context");
            }
            context
        }
        None => Some(profile_context.to_owned()),
    };
    let from_user = cx
        .opt_text(&g.from_user, s, "from-user")
        .or_else(|| username.clone());
    let from_domain = cx
        .opt_text(&g.from_domain, s, "from-domain")
        .or_else(|| realm.clone());
    let expire_seconds = cx.positive(&g.expire_seconds, 3600, s, "expire-seconds");
    let retry_seconds = cx.positive(&g.retry_seconds, 30, s, "retry-seconds");
    if cx.failed_since(mark) {
        return None;
    }
    Some(Gateway {
        name: name.to_owned(),
        realm: realm?,
        proxy: proxy?,
        username,
        password,
        register,
        register_transport: g.register_transport.unwrap_or(Transport::Udp),
        expire_seconds,
        retry_seconds,
        from_user,
        from_domain: from_domain?,
        caller_id_in_from: g.caller_id_in_from.unwrap_or(false),
        // `ping = 0` is the same as leaving it out: no OPTIONS pings.
        ping: g
            .ping
            .as_ref()
            .map(|p| *p.get_ref())
            .filter(|secs| *secs > 0)
            .map(Duration::from_secs),
        context: context?,
    })
}
