//! Typed configuration from conf/: profiles, users, ACLs, variables, validation.
