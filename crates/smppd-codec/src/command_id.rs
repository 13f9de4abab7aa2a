//! `command_id` (SMPP 3.4 §5.1.2.1).

use crate::code::code_space;
use std::fmt;

/// The operation a PDU carries. Bit 31 set marks a response.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommandId(pub u32);

code_space!(CommandId: u32 {
    /// generic_nack (§4.3.1).
    GENERIC_NACK = 0x8000_0000 => "generic_nack",
    /// bind_receiver (§4.1.3).
    BIND_RECEIVER = 0x0000_0001 => "bind_receiver",
    /// bind_receiver_resp (§4.1.4).
    BIND_RECEIVER_RESP = 0x8000_0001 => "bind_receiver_resp",
    /// bind_transmitter (§4.1.1).
    BIND_TRANSMITTER = 0x0000_0002 => "bind_transmitter",
    /// bind_transmitter_resp (§4.1.2).
    BIND_TRANSMITTER_RESP = 0x8000_0002 => "bind_transmitter_resp",
    /// query_sm (§4.8.1).
    QUERY_SM = 0x0000_0003 => "query_sm",
    /// query_sm_resp (§4.8.2).
    QUERY_SM_RESP = 0x8000_0003 => "query_sm_resp",
    /// submit_sm (§4.4.1).
    SUBMIT_SM = 0x0000_0004 => "submit_sm",
    /// submit_sm_resp (§4.4.2).
    SUBMIT_SM_RESP = 0x8000_0004 => "submit_sm_resp",
    /// deliver_sm (§4.6.1).
    DELIVER_SM = 0x0000_0005 => "deliver_sm",
    /// deliver_sm_resp (§4.6.2).
    DELIVER_SM_RESP = 0x8000_0005 => "deliver_sm_resp",
    /// unbind (§4.2.1).
    UNBIND = 0x0000_0006 => "unbind",
    /// unbind_resp (§4.2.2).
    UNBIND_RESP = 0x8000_0006 => "unbind_resp",
    /// replace_sm (§4.10.1).
    REPLACE_SM = 0x0000_0007 => "replace_sm",
    /// replace_sm_resp (§4.10.2).
    REPLACE_SM_RESP = 0x8000_0007 => "replace_sm_resp",
    /// cancel_sm (§4.9.1).
    CANCEL_SM = 0x0000_0008 => "cancel_sm",
    /// cancel_sm_resp (§4.9.2).
    CANCEL_SM_RESP = 0x8000_0008 => "cancel_sm_resp",
    /// bind_transceiver (§4.1.5).
    BIND_TRANSCEIVER = 0x0000_0009 => "bind_transceiver",
    /// bind_transceiver_resp (§4.1.6).
    BIND_TRANSCEIVER_RESP = 0x8000_0009 => "bind_transceiver_resp",
    /// outbind (§4.1.7).
    OUTBIND = 0x0000_000B => "outbind",
    /// enquire_link (§4.11.1).
    ENQUIRE_LINK = 0x0000_0015 => "enquire_link",
    /// enquire_link_resp (§4.11.2).
    ENQUIRE_LINK_RESP = 0x8000_0015 => "enquire_link_resp",
    /// submit_multi (§4.5.1).
    SUBMIT_MULTI = 0x0000_0021 => "submit_multi",
    /// submit_multi_resp (§4.5.2).
    SUBMIT_MULTI_RESP = 0x8000_0021 => "submit_multi_resp",
    /// alert_notification (§4.12.1).
    ALERT_NOTIFICATION = 0x0000_0102 => "alert_notification",
    /// data_sm (§4.7.1).
    DATA_SM = 0x0000_0103 => "data_sm",
    /// data_sm_resp (§4.7.2).
    DATA_SM_RESP = 0x8000_0103 => "data_sm_resp",
});

impl CommandId {
    /// Bit 31: "the command_id of a response PDU is the request's with bit 31 set".
    pub const RESPONSE_BIT: u32 = 0x8000_0000;

    /// Whether this is a response (bit 31 set); `generic_nack` counts as one.
    pub const fn is_response(self) -> bool {
        self.0 & Self::RESPONSE_BIT != 0
    }

    /// The id of the response to this request. `outbind` and `alert_notification` have none in
    /// the spec, but the id is still defined arithmetically.
    pub const fn response(self) -> CommandId {
        CommandId(self.0 | Self::RESPONSE_BIT)
    }
}

impl fmt::Debug for CommandId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for CommandId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "{:#010x}", self.0),
        }
    }
}
