//! outbind (SMPP 3.4 §4.1.7): the SMSC asks the ESME to bind as a receiver.

use super::BodyCodec;
use crate::wire::{Reader, Sizer, put_cstr};
use crate::{COctetString, Error};
use bytes::BytesMut;

/// The body of an outbind.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Outbind {
    /// The SMSC's identifier (C-string, max 16 with NUL).
    pub system_id: COctetString,
    /// Password for the ESME to check (C-string, max 9 with NUL).
    pub password: COctetString,
}

impl BodyCodec for Outbind {
    fn decode(r: &mut Reader<'_>) -> Result<Self, Error> {
        Ok(Outbind {
            system_id: r.cstr("system_id", 16)?.into(),
            password: r.cstr("password", 9)?.into(),
        })
    }

    fn size(&self, s: &mut Sizer) -> Result<(), Error> {
        s.cstr("system_id", &self.system_id, 16)?
            .cstr("password", &self.password, 9)?;
        Ok(())
    }

    fn write(&self, dst: &mut BytesMut) {
        put_cstr(dst, &self.system_id);
        put_cstr(dst, &self.password);
    }
}
