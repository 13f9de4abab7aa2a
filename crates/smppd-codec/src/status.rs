//! `command_status` (SMPP 3.4 §5.1.3).

use crate::code::code_space;
use std::fmt;

/// The outcome a response reports; 0 in every request. Values the spec does not name (vendor
/// codes, 0x400-0x4FF are reserved for SMSC vendors) stay representable.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct CommandStatus(pub u32);

code_space!(CommandStatus: u32 {
    /// No error.
    ESME_ROK = 0x00 => "ESME_ROK",
    /// Message length is invalid.
    ESME_RINVMSGLEN = 0x01 => "ESME_RINVMSGLEN",
    /// Command length is invalid.
    ESME_RINVCMDLEN = 0x02 => "ESME_RINVCMDLEN",
    /// Invalid command id.
    ESME_RINVCMDID = 0x03 => "ESME_RINVCMDID",
    /// Incorrect bind status for the given command.
    ESME_RINVBNDSTS = 0x04 => "ESME_RINVBNDSTS",
    /// ESME already in bound state.
    ESME_RALYBND = 0x05 => "ESME_RALYBND",
    /// Invalid priority flag.
    ESME_RINVPRTFLG = 0x06 => "ESME_RINVPRTFLG",
    /// Invalid registered delivery flag.
    ESME_RINVREGDLVFLG = 0x07 => "ESME_RINVREGDLVFLG",
    /// System error.
    ESME_RSYSERR = 0x08 => "ESME_RSYSERR",
    /// Invalid source address.
    ESME_RINVSRCADR = 0x0A => "ESME_RINVSRCADR",
    /// Invalid destination address.
    ESME_RINVDSTADR = 0x0B => "ESME_RINVDSTADR",
    /// Message id is invalid.
    ESME_RINVMSGID = 0x0C => "ESME_RINVMSGID",
    /// Bind failed.
    ESME_RBINDFAIL = 0x0D => "ESME_RBINDFAIL",
    /// Invalid password.
    ESME_RINVPASWD = 0x0E => "ESME_RINVPASWD",
    /// Invalid system id.
    ESME_RINVSYSID = 0x0F => "ESME_RINVSYSID",
    /// cancel_sm failed.
    ESME_RCANCELFAIL = 0x11 => "ESME_RCANCELFAIL",
    /// replace_sm failed.
    ESME_RREPLACEFAIL = 0x13 => "ESME_RREPLACEFAIL",
    /// Message queue full.
    ESME_RMSGQFUL = 0x14 => "ESME_RMSGQFUL",
    /// Invalid service type.
    ESME_RINVSERTYP = 0x15 => "ESME_RINVSERTYP",
    /// Invalid number of destinations.
    ESME_RINVNUMDESTS = 0x33 => "ESME_RINVNUMDESTS",
    /// Invalid distribution list name.
    ESME_RINVDLNAME = 0x34 => "ESME_RINVDLNAME",
    /// Destination flag is invalid (submit_multi).
    ESME_RINVDESTFLAG = 0x40 => "ESME_RINVDESTFLAG",
    /// Invalid "submit with replace" request.
    ESME_RINVSUBREP = 0x42 => "ESME_RINVSUBREP",
    /// Invalid esm_class field data.
    ESME_RINVESMCLASS = 0x43 => "ESME_RINVESMCLASS",
    /// Cannot submit to distribution list.
    ESME_RCNTSUBDL = 0x44 => "ESME_RCNTSUBDL",
    /// submit_sm or submit_multi failed.
    ESME_RSUBMITFAIL = 0x45 => "ESME_RSUBMITFAIL",
    /// Invalid source address TON.
    ESME_RINVSRCTON = 0x48 => "ESME_RINVSRCTON",
    /// Invalid source address NPI.
    ESME_RINVSRCNPI = 0x49 => "ESME_RINVSRCNPI",
    /// Invalid destination address TON.
    ESME_RINVDSTTON = 0x50 => "ESME_RINVDSTTON",
    /// Invalid destination address NPI.
    ESME_RINVDSTNPI = 0x51 => "ESME_RINVDSTNPI",
    /// Invalid system_type field.
    ESME_RINVSYSTYP = 0x53 => "ESME_RINVSYSTYP",
    /// Invalid replace_if_present flag.
    ESME_RINVREPFLAG = 0x54 => "ESME_RINVREPFLAG",
    /// Invalid number of messages.
    ESME_RINVNUMMSGS = 0x55 => "ESME_RINVNUMMSGS",
    /// Throttling error (ESME has exceeded allowed message limits).
    ESME_RTHROTTLED = 0x58 => "ESME_RTHROTTLED",
    /// Invalid scheduled delivery time.
    ESME_RINVSCHED = 0x61 => "ESME_RINVSCHED",
    /// Invalid message validity period (expiry time).
    ESME_RINVEXPIRY = 0x62 => "ESME_RINVEXPIRY",
    /// Predefined message invalid or not found.
    ESME_RINVDFTMSGID = 0x63 => "ESME_RINVDFTMSGID",
    /// ESME receiver temporary app error code.
    ESME_RX_T_APPN = 0x64 => "ESME_RX_T_APPN",
    /// ESME receiver permanent app error code.
    ESME_RX_P_APPN = 0x65 => "ESME_RX_P_APPN",
    /// ESME receiver reject message error code.
    ESME_RX_R_APPN = 0x66 => "ESME_RX_R_APPN",
    /// query_sm request failed.
    ESME_RQUERYFAIL = 0x67 => "ESME_RQUERYFAIL",
    /// Error in the optional part of the PDU body.
    ESME_RINVOPTPARSTREAM = 0xC0 => "ESME_RINVOPTPARSTREAM",
    /// Optional parameter not allowed.
    ESME_ROPTPARNOTALLWD = 0xC1 => "ESME_ROPTPARNOTALLWD",
    /// Invalid parameter length.
    ESME_RINVPARLEN = 0xC2 => "ESME_RINVPARLEN",
    /// Expected optional parameter missing.
    ESME_RMISSINGOPTPARAM = 0xC3 => "ESME_RMISSINGOPTPARAM",
    /// Invalid optional parameter value.
    ESME_RINVOPTPARAMVAL = 0xC4 => "ESME_RINVOPTPARAMVAL",
    /// Delivery failure (used for data_sm_resp).
    ESME_RDELIVERYFAILURE = 0xFE => "ESME_RDELIVERYFAILURE",
    /// Unknown error.
    ESME_RUNKNOWNERR = 0xFF => "ESME_RUNKNOWNERR",
});

impl CommandStatus {
    /// Whether the status reports success.
    pub const fn is_ok(self) -> bool {
        self.0 == 0
    }

    /// Whether the same message may succeed if sent again later (queue full, throttled, a
    /// system error or a temporary application error). Everything else is permanent for that
    /// message.
    pub const fn is_transient(self) -> bool {
        matches!(self.0, 0x08 | 0x14 | 0x58 | 0x64)
    }

    /// Whether the SMSC asks the ESME to slow down.
    pub const fn is_throttling(self) -> bool {
        matches!(self.0, 0x14 | 0x58)
    }
}

impl fmt::Debug for CommandStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for CommandStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => f.write_str(name),
            None => write!(f, "{:#010x}", self.0),
        }
    }
}
