//! Printing a [`SessionDescription`] through `sdp-types`' writer.

use std::net::IpAddr;

use sdp_types::{AddrType, Attribute, Connection, NetType};

use crate::description::{MediaDescription, SessionDescription};

fn attribute(name: &str, value: Option<String>) -> Attribute {
    Attribute {
        attribute: name.to_owned(),
        value,
    }
}

fn connection(ip: IpAddr) -> Connection {
    Connection::from_ip_addr(ip)
}

fn media_attributes(media: &MediaDescription) -> Vec<Attribute> {
    let mut out = Vec::new();
    // rtpmap then fmtp per format, in m-line order, as FreeSWITCH and most UAs lay it out.
    for format in &media.formats {
        if let Some(value) = format.rtpmap_value() {
            out.push(attribute("rtpmap", Some(value)));
        }
        if let Some(params) = &format.fmtp {
            out.push(attribute(
                "fmtp",
                Some(format!("{} {params}", format.payload_type)),
            ));
        }
    }
    if let Some(ptime) = media.ptime {
        out.push(attribute("ptime", Some(ptime.to_string())));
    }
    if let Some(maxptime) = media.maxptime {
        out.push(attribute("maxptime", Some(maxptime.to_string())));
    }
    if let Some(port) = media.rtcp_port {
        out.push(attribute("rtcp", Some(port.to_string())));
    }
    if let Some(direction) = media.direction {
        out.push(attribute(direction.as_str(), None));
    }
    out.extend(
        media
            .other_attributes
            .iter()
            .map(|(n, v)| attribute(n, v.clone())),
    );
    out
}

fn to_sdp_types(sdp: &SessionDescription) -> sdp_types::Session {
    let origin_addrtype = match sdp.origin.address.parse::<IpAddr>() {
        Ok(ip) => AddrType::from(ip),
        Err(_) => AddrType::Ip4,
    };
    let mut attributes: Vec<Attribute> = Vec::new();
    if let Some(direction) = sdp.direction {
        attributes.push(attribute(direction.as_str(), None));
    }
    attributes.extend(
        sdp.other_attributes
            .iter()
            .map(|(n, v)| attribute(n, v.clone())),
    );
    sdp_types::Session {
        origin: sdp_types::Origin {
            username: Some(sdp.origin.username.clone()),
            sess_id: sdp.origin.session_id.clone(),
            sess_version: sdp.origin.version,
            nettype: NetType::In,
            addrtype: origin_addrtype,
            unicast_address: sdp.origin.address.clone(),
        },
        session_name: sdp.session_name.clone(),
        session_description: None,
        uri: None,
        emails: Vec::new(),
        phones: Vec::new(),
        connection: sdp.connection.map(connection),
        bandwidths: Vec::new(),
        times: vec![sdp_types::Time::new(0, 0)],
        time_zones: Vec::new(),
        key: None,
        attributes,
        medias: sdp
            .media
            .iter()
            .map(|m| sdp_types::Media {
                media: m.kind.clone(),
                port: m.port,
                num_ports: None,
                proto: m.protocol.clone(),
                fmt: m.fmt.clone(),
                media_title: None,
                connections: m.connection.map(connection).into_iter().collect(),
                bandwidths: Vec::new(),
                key: None,
                attributes: media_attributes(m),
            })
            .collect(),
    }
}

/// Prints `sdp` as SDP text with CRLF line ends.
pub(crate) fn to_bytes(sdp: &SessionDescription) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    // Writing into a Vec cannot fail.
    let _ = to_sdp_types(sdp).write(&mut out);
    out
}
