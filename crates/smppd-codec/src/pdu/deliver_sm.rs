//! deliver_sm and deliver_sm_resp (SMPP 3.4 §4.6): the SMSC delivers a mobile-originated
//! message or a delivery receipt to the ESME.
//!
//! The body is laid out exactly as submit_sm's; §4.6.1 only restricts values (no scheduling,
//! no validity, esm_class bits 5-2 tell a receipt from a message).

use bytes::Bytes;

/// The body of deliver_sm: the same fields as [`crate::SubmitSm`].
pub type DeliverSm<B = Bytes> = super::SubmitSm<B>;

/// The body of deliver_sm_resp: message_id, unused and normally empty (§4.6.2).
pub type DeliverSmResp<B = Bytes> = super::SubmitSmResp<B>;
