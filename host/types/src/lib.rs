//! Shared vocabulary: identifiers, hangup causes, call states, events.
