//! One-octet code spaces of the PDU bodies (§5.2): type of number, numbering plan, esm_class,
//! registered_delivery, data_coding, message_state.

use crate::code::code_space;
use std::fmt;

macro_rules! octet_newtype {
    ($(#[$doc:meta])* $ty:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(transparent))]
        pub struct $ty(pub u8);

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:#04x})", stringify!($ty), self.0)
            }
        }
    };
}

octet_newtype!(
    /// Type of Number of an address (§5.2.5).
    Ton
);
code_space!(Ton: u8 {
    /// Unknown.
    UNKNOWN = 0 => "unknown",
    /// International (E.164 without the `+`).
    INTERNATIONAL = 1 => "international",
    /// National.
    NATIONAL = 2 => "national",
    /// Network specific.
    NETWORK_SPECIFIC = 3 => "network_specific",
    /// Subscriber number.
    SUBSCRIBER = 4 => "subscriber",
    /// Alphanumeric (a sender name).
    ALPHANUMERIC = 5 => "alphanumeric",
    /// Abbreviated.
    ABBREVIATED = 6 => "abbreviated",
});

octet_newtype!(
    /// Numbering Plan Indicator of an address (§5.2.6).
    Npi
);
code_space!(Npi: u8 {
    /// Unknown.
    UNKNOWN = 0 => "unknown",
    /// ISDN (E.163/E.164).
    ISDN = 1 => "isdn",
    /// Data (X.121).
    DATA = 3 => "data",
    /// Telex (F.69).
    TELEX = 4 => "telex",
    /// Land mobile (E.212).
    LAND_MOBILE = 6 => "land_mobile",
    /// National.
    NATIONAL = 8 => "national",
    /// Private.
    PRIVATE = 9 => "private",
    /// ERMES.
    ERMES = 10 => "ermes",
    /// Internet (IP).
    INTERNET = 14 => "internet",
    /// WAP client id.
    WAP_CLIENT_ID = 18 => "wap_client_id",
});

octet_newtype!(
    /// esm_class (§5.2.12): messaging mode (bits 1-0), message type (bits 5-2), GSM features
    /// (bits 7-6).
    EsmClass
);

impl EsmClass {
    /// Bit 6: the short message begins with a User Data Header.
    pub const UDHI: u8 = 0x40;
    /// Bit 7: reply path.
    pub const REPLY_PATH: u8 = 0x80;
    /// Message type "SMSC delivery receipt" (deliver_sm).
    pub const DELIVERY_RECEIPT: u8 = 0x04;
    /// Message type "intermediate delivery notification" (deliver_sm).
    pub const INTERMEDIATE_NOTIFICATION: u8 = 0x20;

    /// Whether the UDH indicator is set.
    pub const fn has_udh(self) -> bool {
        self.0 & Self::UDHI != 0
    }

    /// Bits 5-2, the message type.
    pub const fn message_type(self) -> u8 {
        self.0 & 0x3C
    }

    /// Whether a deliver_sm with this esm_class carries a delivery receipt (SMSC receipt or
    /// intermediate notification) rather than a mobile-originated message.
    pub const fn is_receipt(self) -> bool {
        matches!(self.message_type(), 0x04 | 0x08 | 0x10 | 0x20)
    }
}

octet_newtype!(
    /// registered_delivery (§5.2.17).
    RegisteredDelivery
);

impl RegisteredDelivery {
    /// No receipt requested.
    pub const NONE: RegisteredDelivery = RegisteredDelivery(0);
    /// A receipt on success or failure.
    pub const ALWAYS: RegisteredDelivery = RegisteredDelivery(1);
    /// A receipt on failure only.
    pub const ON_FAILURE: RegisteredDelivery = RegisteredDelivery(2);
}

octet_newtype!(
    /// data_coding (§5.2.19): the alphabet of the short message.
    DataCoding
);
code_space!(DataCoding: u8 {
    /// SMSC default alphabet (GSM 03.38 on most SMSCs).
    DEFAULT = 0x00 => "default",
    /// IA5 (CCITT T.50) / ASCII.
    IA5 = 0x01 => "ia5",
    /// 8-bit binary.
    BINARY = 0x02 => "binary",
    /// Latin-1 (ISO-8859-1).
    LATIN1 = 0x03 => "latin1",
    /// 8-bit binary.
    BINARY_ALT = 0x04 => "binary_alt",
    /// JIS (X 0208-1990).
    JIS = 0x05 => "jis",
    /// Cyrillic (ISO-8859-5).
    CYRILLIC = 0x06 => "cyrillic",
    /// Latin/Hebrew (ISO-8859-8).
    HEBREW = 0x07 => "hebrew",
    /// UCS-2 (ISO/IEC-10646), big-endian.
    UCS2 = 0x08 => "ucs2",
    /// Pictogram encoding.
    PICTOGRAM = 0x09 => "pictogram",
    /// ISO-2022-JP (music codes).
    ISO_2022_JP = 0x0A => "iso_2022_jp",
    /// Extended Kanji JIS (X 0212-1990).
    KANJI = 0x0D => "kanji",
    /// KS C 5601.
    KSC5601 = 0x0E => "ksc5601",
});

octet_newtype!(
    /// message_state (§5.2.28), in query_sm_resp and the message_state TLV.
    MessageState
);
code_space!(MessageState: u8 {
    /// In transit.
    ENROUTE = 1 => "ENROUTE",
    /// Delivered to the destination.
    DELIVERED = 2 => "DELIVERED",
    /// Validity period expired.
    EXPIRED = 3 => "EXPIRED",
    /// Deleted.
    DELETED = 4 => "DELETED",
    /// Undeliverable.
    UNDELIVERABLE = 5 => "UNDELIVERABLE",
    /// Accepted (manually read on behalf of the subscriber).
    ACCEPTED = 6 => "ACCEPTED",
    /// Invalid state.
    UNKNOWN = 7 => "UNKNOWN",
    /// Rejected.
    REJECTED = 8 => "REJECTED",
});
