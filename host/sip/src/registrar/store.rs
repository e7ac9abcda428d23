//! The binding table: per-AOR contact lists plus an expiry index, updated atomically per
//! REGISTER (RFC 3261 §10.3 steps 6-7: all binding updates of a request commit or none).

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::time::Instant;

use super::binding::{
    Aor, Binding, BindingChange, BindingId, RemovalReason, expiry_after, same_contact,
};
use crate::headers::{NameAddr, Transport};

/// Why a REGISTER's binding update was refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Same Call-ID with a CSeq not above the stored one: an old or reordered request
    /// (RFC 3261 §10.3 step 7; the request fails with 500).
    #[error("REGISTER CSeq {received} is not above {stored} for Call-ID already bound")]
    OutOfOrder {
        /// CSeq stored for the binding.
        stored: u32,
        /// CSeq of the request.
        received: u32,
    },
    /// The AOR would hold more contacts than allowed.
    #[error("more than {limit} contacts for one address-of-record")]
    TooManyContacts {
        /// The per-AOR limit.
        limit: usize,
    },
    /// The whole table is full (memory bound).
    #[error("binding table full ({limit} bindings)")]
    TableFull {
        /// The table limit.
        limit: usize,
    },
}

/// Memory bounds of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreLimits {
    /// Contacts one AOR may hold (phones, softphones, a desk set...).
    pub max_contacts_per_aor: usize,
    /// Bindings in the whole table.
    pub max_bindings: usize,
}

impl Default for StoreLimits {
    fn default() -> Self {
        Self {
            max_contacts_per_aor: 10,
            max_bindings: 100_000,
        }
    }
}

/// One contact of a REGISTER, its expiry already decided by the registrar policy.
#[derive(Debug, Clone)]
pub struct ContactRequest {
    /// The Contact, without its `expires` parameter.
    pub contact: NameAddr,
    /// Granted seconds; 0 removes the binding.
    pub expires: u32,
}

/// Facts about the REGISTER that every touched binding records.
#[derive(Debug, Clone, Copy)]
pub struct RegisterContext<'a> {
    /// Call-ID of the request.
    pub call_id: &'a str,
    /// CSeq number of the request.
    pub cseq: u32,
    /// Packet source.
    pub source: SocketAddr,
    /// Transport it arrived on.
    pub transport: &'a Transport,
    /// Its User-Agent header.
    pub user_agent: Option<&'a str>,
}

/// All bindings, by AOR, with an expiry index.
#[derive(Debug, Default)]
pub struct BindingStore {
    by_aor: HashMap<Aor, Vec<Binding>>,
    deadlines: BTreeSet<(Instant, BindingId)>,
    aor_of: HashMap<BindingId, Aor>,
    next_id: u64,
    limits: StoreLimits,
}

impl BindingStore {
    /// An empty table with the given bounds.
    pub fn new(limits: StoreLimits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    /// Bindings stored for `aor`, possibly including ones past their expiry that
    /// [`expire`](Self::expire) has not purged yet; see [`live`](Self::live).
    pub fn lookup(&self, aor: &Aor) -> &[Binding] {
        self.by_aor.get(aor).map(Vec::as_slice).unwrap_or_default()
    }

    /// Bindings of `aor` still valid at `now`.
    pub fn live<'a>(&'a self, aor: &Aor, now: Instant) -> impl Iterator<Item = &'a Binding> + 'a {
        self.lookup(aor).iter().filter(move |b| !b.is_expired(now))
    }

    /// Every binding, grouped by AOR in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = &Binding> {
        self.by_aor.values().flatten()
    }

    /// Number of bindings.
    pub fn len(&self) -> usize {
        self.aor_of.len()
    }

    /// True when no binding is stored.
    pub fn is_empty(&self) -> bool {
        self.aor_of.is_empty()
    }

    /// The earliest binding expiry, for the driver's timer.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadlines.first().map(|(at, _)| *at)
    }

    /// Removes every binding whose time ran out by `now` and reports it.
    pub fn expire(&mut self, now: Instant) -> Vec<BindingChange> {
        let mut changes = Vec::new();
        while let Some(&(at, id)) = self.deadlines.first() {
            if at > now {
                break;
            }
            self.deadlines.remove(&(at, id));
            let Some(aor) = self.aor_of.remove(&id) else {
                continue;
            };
            if let Some(list) = self.by_aor.get_mut(&aor) {
                if let Some(index) = list.iter().position(|b| b.id == id) {
                    let binding = list.remove(index);
                    changes.push(BindingChange::Removed {
                        binding,
                        reason: RemovalReason::Expired,
                    });
                }
                if list.is_empty() {
                    self.by_aor.remove(&aor);
                }
            }
        }
        changes
    }

    /// Applies the contacts of one REGISTER to `aor`, all or nothing.
    pub fn update(
        &mut self,
        now: Instant,
        aor: &Aor,
        contacts: &[ContactRequest],
        context: &RegisterContext<'_>,
    ) -> Result<Vec<BindingChange>, StoreError> {
        let old = self.lookup(aor);
        let (mut next, mut changes) = drop_expired(old, now);
        let mut touched: Vec<BindingId> = Vec::new();
        let mut next_id = self.next_id;
        for request in contacts {
            let existing = next
                .iter()
                .position(|b| same_contact(&b.contact.uri, &request.contact.uri));
            match existing {
                Some(index) => {
                    let Some(binding) = next.get_mut(index) else {
                        continue;
                    };
                    // A contact listed twice in one request is not a reordering.
                    if !touched.contains(&binding.id) {
                        check_order(binding, context)?;
                        touched.push(binding.id);
                    }
                    if request.expires == 0 {
                        let binding = next.remove(index);
                        changes.push(BindingChange::Removed {
                            binding,
                            reason: RemovalReason::Unregistered,
                        });
                    } else {
                        refresh(binding, request, now, context);
                        changes.push(BindingChange::Refreshed(binding.clone()));
                    }
                }
                None if request.expires == 0 => {}
                None => {
                    next_id += 1;
                    let binding = new_binding(BindingId(next_id), aor, request, now, context);
                    touched.push(binding.id);
                    changes.push(BindingChange::Added(binding.clone()));
                    next.push(binding);
                }
            }
        }
        self.check_limits(old.len(), &next)?;
        self.next_id = next_id;
        self.commit(aor, next);
        Ok(collapse(changes))
    }

    /// `Contact: *` with `Expires: 0`: removes every binding of `aor` (RFC 3261 §10.3 step 6),
    /// unless one of them was made by the same Call-ID with a CSeq not below this one.
    pub fn remove_all(
        &mut self,
        now: Instant,
        aor: &Aor,
        call_id: &str,
        cseq: u32,
    ) -> Result<Vec<BindingChange>, StoreError> {
        let (live, mut changes) = drop_expired(self.lookup(aor), now);
        for binding in &live {
            if binding.call_id == call_id && cseq <= binding.cseq {
                return Err(StoreError::OutOfOrder {
                    stored: binding.cseq,
                    received: cseq,
                });
            }
        }
        changes.extend(live.into_iter().map(|binding| BindingChange::Removed {
            binding,
            reason: RemovalReason::Unregistered,
        }));
        self.commit(aor, Vec::new());
        Ok(changes)
    }

    fn check_limits(&self, old_len: usize, next: &[Binding]) -> Result<(), StoreError> {
        if next.len() > old_len && next.len() > self.limits.max_contacts_per_aor {
            return Err(StoreError::TooManyContacts {
                limit: self.limits.max_contacts_per_aor,
            });
        }
        let total = self.len().saturating_sub(old_len) + next.len();
        if next.len() > old_len && total > self.limits.max_bindings {
            return Err(StoreError::TableFull {
                limit: self.limits.max_bindings,
            });
        }
        Ok(())
    }

    /// Replaces the AOR's list and keeps the expiry index in step. The AOR key is cloned
    /// only for a new AOR and for new binding ids (refreshes reuse what is there).
    fn commit(&mut self, aor: &Aor, next: Vec<Binding>) {
        let old = if next.is_empty() {
            self.by_aor.remove(aor).unwrap_or_default()
        } else {
            match self.by_aor.get_mut(aor) {
                Some(slot) => std::mem::replace(slot, next),
                None => {
                    self.by_aor.insert(aor.clone(), next);
                    Vec::new()
                }
            }
        };
        let next = self.by_aor.get(aor).map(Vec::as_slice).unwrap_or_default();
        for binding in &old {
            self.deadlines.remove(&(binding.expires_at, binding.id));
            if !next.iter().any(|b| b.id == binding.id) {
                self.aor_of.remove(&binding.id);
            }
        }
        for binding in next {
            self.deadlines.insert((binding.expires_at, binding.id));
            if !old.iter().any(|b| b.id == binding.id) {
                self.aor_of.insert(binding.id, aor.clone());
            }
        }
    }
}

/// Splits `old` into live copies and `Removed(Expired)` changes for the lapsed ones.
fn drop_expired(old: &[Binding], now: Instant) -> (Vec<Binding>, Vec<BindingChange>) {
    let mut live = Vec::with_capacity(old.len() + 1);
    let mut changes = Vec::new();
    for binding in old {
        if binding.is_expired(now) {
            changes.push(BindingChange::Removed {
                binding: binding.clone(),
                reason: RemovalReason::Expired,
            });
        } else {
            live.push(binding.clone());
        }
    }
    (live, changes)
}

/// RFC 3261 §10.3 step 7: same Call-ID needs a higher CSeq.
fn check_order(binding: &Binding, context: &RegisterContext<'_>) -> Result<(), StoreError> {
    if binding.call_id == context.call_id && context.cseq <= binding.cseq {
        return Err(StoreError::OutOfOrder {
            stored: binding.cseq,
            received: context.cseq,
        });
    }
    Ok(())
}

fn refresh(
    binding: &mut Binding,
    request: &ContactRequest,
    now: Instant,
    context: &RegisterContext<'_>,
) {
    binding.contact = request.contact.clone();
    binding.expires_at = expiry_after(now, request.expires);
    binding.call_id = context.call_id.to_owned();
    binding.cseq = context.cseq;
    binding.source = context.source;
    binding.transport = context.transport.clone();
    binding.user_agent = context.user_agent.map(str::to_owned);
}

fn new_binding(
    id: BindingId,
    aor: &Aor,
    request: &ContactRequest,
    now: Instant,
    context: &RegisterContext<'_>,
) -> Binding {
    Binding {
        id,
        aor: aor.clone(),
        contact: request.contact.clone(),
        expires_at: expiry_after(now, request.expires),
        registered_at: now,
        call_id: context.call_id.to_owned(),
        cseq: context.cseq,
        source: context.source,
        transport: context.transport.clone(),
        user_agent: context.user_agent.map(str::to_owned),
    }
}

/// One change per binding: a contact listed twice reports its final state only, and a
/// binding added then removed in the same request reports nothing.
fn collapse(changes: Vec<BindingChange>) -> Vec<BindingChange> {
    let mut out: Vec<BindingChange> = Vec::with_capacity(changes.len());
    for change in changes {
        let id = change_id(&change);
        match out.iter().position(|c| change_id(c) == id) {
            None => out.push(change),
            Some(index) => {
                let added_before = matches!(out.get(index), Some(BindingChange::Added(_)));
                let merged = match change {
                    BindingChange::Refreshed(b) if added_before => Some(BindingChange::Added(b)),
                    BindingChange::Removed { .. } if added_before => None,
                    other => Some(other),
                };
                match merged {
                    Some(merged) => {
                        if let Some(slot) = out.get_mut(index) {
                            *slot = merged;
                        }
                    }
                    None => {
                        out.remove(index);
                    }
                }
            }
        }
    }
    out
}

fn change_id(change: &BindingChange) -> BindingId {
    match change {
        BindingChange::Added(b) | BindingChange::Refreshed(b) => b.id,
        BindingChange::Removed { binding, .. } => binding.id,
    }
}
