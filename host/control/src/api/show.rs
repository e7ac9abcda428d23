//! `show channels|calls|registrations [as json] [count]` output, from rows the host
//! hands in. Column sets and order are FreeSWITCH 1.10's (core.db tables), so scripts
//! that cut columns by position keep working.
//!
//! Formats, as recorded: CSV is the header row, one line per row (values as is, no
//! quoting), a blank line and `N total.`; with no rows only `\n0 total.\n`. `count` is
//! `\nN total.\n`. JSON is `{"row_count":N,"rows":[{...}]}` without trailing LF, and
//! `{"row_count": 0}\n` (with a space and LF) when empty.

use super::command::{ShowCommand, ShowTable};
use crate::json;

/// Declares a row struct whose fields are the table's columns, in order.
macro_rules! row_struct {
    ($(#[$meta:meta])* $name:ident, $columns:ident { $($field:ident),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        #[allow(missing_docs)]
        pub struct $name {
            $(pub $field: String,)*
        }

        /// The column names, in output order.
        pub const $columns: &[&str] = &[$(stringify!($field)),*];

        impl $name {
            /// The values in column order.
            pub fn values(&self) -> Vec<String> {
                vec![$(self.$field.clone()),*]
            }
        }
    };
}

row_struct!(
    /// One row of `show channels`.
    ChannelRow, CHANNEL_COLUMNS {
        uuid, direction, created, created_epoch, name, state, cid_name, cid_num, ip_addr, dest,
        application, application_data, dialplan, context, read_codec, read_rate, read_bit_rate,
        write_codec, write_rate, write_bit_rate, secure, hostname, presence_id, presence_data,
        accountcode, callstate, callee_name, callee_num, callee_direction, call_uuid,
        sent_callee_name, sent_callee_num, initial_cid_name, initial_cid_num, initial_ip_addr,
        initial_dest, initial_dialplan, initial_context,
    }
);

row_struct!(
    /// One row of `show calls`: the A leg's columns, then the bridged B leg's (`b_*`).
    CallRow, CALL_COLUMNS {
        uuid, direction, created, created_epoch, name, state, cid_name, cid_num, ip_addr, dest,
        presence_id, presence_data, accountcode, callstate, callee_name, callee_num,
        callee_direction, call_uuid, hostname, sent_callee_name, sent_callee_num, b_uuid,
        b_direction, b_created, b_created_epoch, b_name, b_state, b_cid_name, b_cid_num,
        b_ip_addr, b_dest, b_presence_id, b_presence_data, b_accountcode, b_callstate,
        b_callee_name, b_callee_num, b_callee_direction, b_sent_callee_name, b_sent_callee_num,
        call_created_epoch,
    }
);

row_struct!(
    /// One row of `show registrations`.
    RegistrationRow, REGISTRATION_COLUMNS {
        reg_user, realm, token, url, expires, network_ip, network_port, network_proto, hostname,
        metadata,
    }
);

/// The columns of a `show` table.
pub fn columns(table: ShowTable) -> &'static [&'static str] {
    match table {
        ShowTable::Channels => CHANNEL_COLUMNS,
        ShowTable::Calls => CALL_COLUMNS,
        ShowTable::Registrations => REGISTRATION_COLUMNS,
    }
}

/// Formats rows (values in [`columns`] order) as the `show` command asked.
pub fn format(command: &ShowCommand, rows: &[Vec<String>]) -> String {
    let selected: Vec<&Vec<String>> = match &command.like {
        Some(text) => rows
            .iter()
            .filter(|row| row.iter().any(|v| v.contains(text.as_str())))
            .collect(),
        None => rows.iter().collect(),
    };
    let columns = columns(command.table);
    if command.count {
        return format!("\n{} total.\n", selected.len());
    }
    if command.json {
        return to_json(columns, &selected);
    }
    to_csv(columns, &selected)
}

fn to_csv(columns: &[&str], rows: &[&Vec<String>]) -> String {
    if rows.is_empty() {
        return "\n0 total.\n".to_string();
    }
    let mut text = columns.join(",");
    text.push('\n');
    for row in rows {
        text.push_str(&row.join(","));
        text.push('\n');
    }
    text.push_str(&format!("\n{} total.\n", rows.len()));
    text
}

fn to_json(columns: &[&str], rows: &[&Vec<String>]) -> String {
    if rows.is_empty() {
        return "{\"row_count\": 0}\n".to_string();
    }
    let mut out = format!("{{\"row_count\":{},\"rows\":[", rows.len()).into_bytes();
    for (index, row) in rows.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        let pairs = columns
            .iter()
            .enumerate()
            .map(|(i, c)| (*c, row.get(i).map_or("", String::as_str)));
        json::write_object(pairs, &mut out);
    }
    out.extend_from_slice(b"]}");
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(table: ShowTable, json: bool, count: bool) -> ShowCommand {
        ShowCommand {
            table,
            json,
            count,
            like: None,
        }
    }

    #[test]
    fn empty_forms_match_recordings() {
        assert_eq!(
            format(&command(ShowTable::Channels, false, false), &[]),
            "\n0 total.\n"
        );
        assert_eq!(
            format(&command(ShowTable::Channels, true, false), &[]),
            "{\"row_count\": 0}\n"
        );
        assert_eq!(
            format(&command(ShowTable::Calls, false, true), &[]),
            "\n0 total.\n"
        );
    }

    #[test]
    fn column_counts() {
        assert_eq!(CHANNEL_COLUMNS.len(), 38);
        assert_eq!(CALL_COLUMNS.len(), 41);
        assert_eq!(REGISTRATION_COLUMNS.len(), 10);
        assert_eq!(ChannelRow::default().values().len(), 38);
    }

    #[test]
    fn like_filters_rows() {
        let rows = vec![
            RegistrationRow {
                reg_user: "1000".into(),
                ..Default::default()
            }
            .values(),
            RegistrationRow {
                reg_user: "1001".into(),
                ..Default::default()
            }
            .values(),
        ];
        let mut show = command(ShowTable::Registrations, false, true);
        show.like = Some("1001".into());
        assert_eq!(format(&show, &rows), "\n1 total.\n");
        show.count = false;
        show.json = true;
        let json = format(&show, &rows);
        assert!(
            json.starts_with("{\"row_count\":1,\"rows\":[{\"reg_user\":\"1001\",\"realm\":\"\""),
            "{json}"
        );
    }
}
