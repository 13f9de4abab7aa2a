//! outbind (SMPP 3.4 §4.1.7): the SMSC asks the ESME to bind as a receiver.

use super::{BodyDecode, BodyEncode};
use crate::wire::{Reader, Sizer, put_cstr};
use crate::{COctetString, Error, Octets};
use bytes::{Bytes, BytesMut};

/// The body of an outbind.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(bound(serialize = "B: AsRef<[u8]>", deserialize = "B: From<Bytes> + Default"))
)]
pub struct Outbind<B: AsRef<[u8]> = Bytes> {
    /// The SMSC's identifier (C-string, max 16 with NUL).
    pub system_id: COctetString<B>,
    /// Password for the ESME to check (C-string, max 9 with NUL).
    pub password: COctetString<B>,
}

impl<B: Octets> Outbind<B> {
    /// The same value with its octets as [`Bytes`] (copied if they are borrowed).
    pub fn into_owned(self) -> Outbind {
        Outbind {
            system_id: self.system_id.into_owned(),
            password: self.password.into_owned(),
        }
    }
}

impl<B: Octets> BodyDecode<B> for Outbind<B> {
    fn decode(r: &mut Reader<'_, B>) -> Result<Self, Error> {
        Ok(Outbind {
            system_id: r.cstr("system_id", 16)?,
            password: r.cstr("password", 9)?,
        })
    }
}

impl<B: AsRef<[u8]>> BodyEncode for Outbind<B> {
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
