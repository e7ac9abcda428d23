//! SDP model and offer/answer negotiation.
